// Typed parameter values in their USP string form (R-ENC.6, TR-106).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "usp/path_name.hpp"

namespace usp::agent::dm {

enum class value_type : std::uint8_t {
  string, boolean, int_, unsigned_int, long_, unsigned_long, date_time, base64, hex_binary, decimal
};

std::string_view to_string(value_type t) noexcept;

// Checks `v` against the type and returns its canonical form: booleans as
// "true"/"false" (accepting "1"/"0", XML Schema booleans), integers without
// leading '+' or zeros, dateTime as given when ISO 8601 with a zone.
// nullopt with a reason when `v` is not of the type.
std::optional<std::string> canonical(value_type t, std::string_view v, std::string* why = nullptr);

// Compares two values of the type for search expressions. Strings, booleans
// and base64 support only == and != (TR-369 "Searching with Expressions");
// nullopt when the operator does not apply or a side does not parse.
std::optional<bool> compare(value_type t, cmp_op op, std::string_view lhs, std::string_view rhs);

// The unknown dateTime (TR-106).
inline constexpr std::string_view unknown_time = "0001-01-01T00:00:00Z";

// Now, as an ISO 8601 UTC dateTime.
std::string now_date_time();

// A dateTime as a point in time (UTC, zone offsets applied); nullopt for
// the unknown time and for malformed values.
std::optional<std::chrono::system_clock::time_point> parse_date_time(std::string_view v);

}  // namespace usp::agent::dm

// Small text helpers shared by every component: UTF-8 checks, percent coding,
// splitting. Pure functions, no allocation unless they return a string.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace usp {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
// Protobuf `string` fields must be UTF-8, and so must MQTT topics.
bool is_valid_utf8(std::string_view s) noexcept;

// Percent-encodes every byte outside RFC 3986 `unreserved` and `keep`.
// `%` itself is always encoded (as %25, R-WS.10c).
std::string percent_encode(std::string_view s, std::string_view keep = {});

// Decodes %HH escapes; nullopt on a malformed escape. `+` is left alone.
std::optional<std::string> percent_decode(std::string_view s);

// Splits on `sep`, keeping empty fields.
std::vector<std::string_view> split(std::string_view s, char sep);

// Trims ASCII spaces and tabs on both ends.
std::string_view trim(std::string_view s) noexcept;

// Case-insensitive ASCII comparison (HTTP header tokens, hex digits).
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace usp

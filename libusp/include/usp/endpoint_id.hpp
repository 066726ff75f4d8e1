// USP Endpoint Identifiers (TR-369 "Endpoint Identifier", R-ARC.2a-6):
// authority-scheme ":" [authority-id] ":" instance-id
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace usp {

struct endpoint_id_parts {
  std::string_view scheme;
  std::string_view authority;
  std::string_view instance;
};

// Parses and validates `eid` against its scheme's rules. On failure returns
// nullopt and, when `why` is given, a one-line reason citing the rule.
std::optional<endpoint_id_parts> parse_endpoint_id(std::string_view eid, std::string* why = nullptr);

inline bool is_valid_endpoint_id(std::string_view eid) { return parse_endpoint_id(eid).has_value(); }

// `proto` and `doc` must not be used in production (R-ARC.4).
bool is_prototyping_scheme(std::string_view scheme) noexcept;

}  // namespace usp

#include "usp/endpoint_id.hpp"

#include <array>

namespace usp {
namespace {

bool is_hex(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alnum(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool all_of(std::string_view s, bool (*pred)(char) noexcept) noexcept {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

// RFC 3986 unreserved characters ("non-reserved" in the scheme table).
bool is_unreserved(char c) noexcept {
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// R-ARC.5: instance-id = *( ALPHA / DIGIT / "-" / "." / "_" / pct-encoded )
bool valid_instance_chars(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (is_alnum(c) || c == '-' || c == '.' || c == '_') continue;
    if (c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

bool starts_with_oui(std::string_view s) noexcept {
  return s.size() > 7 && all_of(s.substr(0, 6), is_hex) && s[6] == '-';
}

bool is_uuid(std::string_view s) noexcept {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = (i == 8 || i == 13 || i == 18 || i == 23);
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

bool is_dns_name(std::string_view s) noexcept {
  if (s.empty() || s.size() > 253) return false;
  std::size_t label = 0;
  char prev = '.';
  for (char c : s) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else if (is_alnum(c) || c == '-') {
      if (label == 0 && c == '-') return false;
      if (++label > 63) return false;
    } else {
      return false;
    }
    prev = c;
  }
  return label > 0 && prev != '-';
}

bool fail(std::string* why, const char* reason) {
  if (why) *why = reason;
  return false;
}

bool check_authority(std::string_view scheme, std::string_view a, std::string* why) {
  if (scheme == "oui") {
    if ((a.size() == 6 || a.size() == 7 || a.size() == 9) && all_of(a, is_hex)) return true;
    return fail(why, "oui authority-id must be an OUI in hex (R-ARC.2a)");
  }
  if (scheme == "cid") {
    if (a.size() == 6 && all_of(a, is_hex)) return true;
    return fail(why, "cid authority-id must be 6 hex digits (R-ARC.2a)");
  }
  if (scheme == "pen") {
    if (!a.empty() && all_of(a, is_digit)) return true;
    return fail(why, "pen authority-id must be a decimal enterprise number (R-ARC.2a)");
  }
  if (scheme == "self" || scheme == "user" || scheme == "doc") {
    if (a.size() <= 6 && all_of(a, is_unreserved)) return true;
    return fail(why, "authority-id must be 0-6 unreserved characters (R-ARC.2a)");
  }
  if (scheme == "proto") {
    if (a.size() <= 6 && a.find('.') == std::string_view::npos && all_of(a, is_unreserved)) return true;
    return fail(why, "proto authority-id must be 0-6 unreserved characters without '.' (R-ARC.2a)");
  }
  // os, ops, uuid, imei, fqdn
  if (a.empty()) return true;
  return fail(why, "this authority-scheme takes an empty authority-id (R-ARC.2a)");
}

bool check_instance(std::string_view scheme, std::string_view inst, std::string* why) {
  if (inst.empty()) return fail(why, "instance-id is empty");
  if (inst.size() > 50) return fail(why, "instance-id longer than 50 characters (R-ARC.6)");
  if (!valid_instance_chars(inst)) {
    return fail(why, "instance-id may hold only A-Z a-z 0-9 - . _ and %HH (R-ARC.5)");
  }
  if (scheme == "os" && !starts_with_oui(inst)) {
    return fail(why, "os instance-id must be <OUI>-<SerialNumber> (R-ARC.2a)");
  }
  if (scheme == "ops") {
    const auto second_dash = inst.size() > 7 ? inst.find('-', 7) : std::string_view::npos;
    if (!starts_with_oui(inst) || second_dash == std::string_view::npos || second_dash + 1 >= inst.size()) {
      return fail(why, "ops instance-id must be <OUI>-<ProductClass>-<SerialNumber> (R-ARC.2a)");
    }
  }
  if (scheme == "uuid" && !is_uuid(inst)) return fail(why, "uuid instance-id must be an RFC 4122 UUID");
  if (scheme == "imei" && !((inst.size() == 15 || inst.size() == 16) && all_of(inst, is_digit))) {
    return fail(why, "imei instance-id must be a 15 or 16 digit IMEI");
  }
  if (scheme == "fqdn" && !is_dns_name(inst)) return fail(why, "fqdn instance-id must be a DNS name");
  return true;
}

constexpr std::array<std::string_view, 12> schemes = {"oui", "cid", "pen",  "self",  "user", "os",
                                                      "ops", "uuid", "imei", "proto", "doc",  "fqdn"};

}  // namespace

std::optional<endpoint_id_parts> parse_endpoint_id(std::string_view eid, std::string* why) {
  const auto c1 = eid.find(':');
  if (c1 == std::string_view::npos) {
    fail(why, "an endpoint id is scheme:[authority]:instance");
    return std::nullopt;
  }
  const auto c2 = eid.find(':', c1 + 1);
  if (c2 == std::string_view::npos) {
    fail(why, "an endpoint id is scheme:[authority]:instance");
    return std::nullopt;
  }
  endpoint_id_parts p{eid.substr(0, c1), eid.substr(c1 + 1, c2 - c1 - 1), eid.substr(c2 + 1)};
  bool known = false;
  for (auto s : schemes) known = known || s == p.scheme;
  if (!known) {
    fail(why, "unknown authority-scheme (R-ARC.2a)");
    return std::nullopt;
  }
  if (!check_authority(p.scheme, p.authority, why) || !check_instance(p.scheme, p.instance, why)) {
    return std::nullopt;
  }
  return p;
}

bool is_prototyping_scheme(std::string_view scheme) noexcept { return scheme == "proto" || scheme == "doc"; }

}  // namespace usp

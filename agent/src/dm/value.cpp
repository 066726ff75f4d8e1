#include "dm/value.hpp"

#include <charconv>
#include <chrono>
#include <ctime>
#include <limits>

namespace usp::agent::dm {

std::string_view to_string(value_type t) noexcept {
  switch (t) {
    case value_type::string: return "string";
    case value_type::boolean: return "boolean";
    case value_type::int_: return "int";
    case value_type::unsigned_int: return "unsignedInt";
    case value_type::long_: return "long";
    case value_type::unsigned_long: return "unsignedLong";
    case value_type::date_time: return "dateTime";
    case value_type::base64: return "base64";
    case value_type::hex_binary: return "hexBinary";
    case value_type::decimal: return "decimal";
  }
  return "string";
}

namespace {

template <class Int>
std::optional<Int> parse_int(std::string_view v) {
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  Int out{};
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return out;
}

template <class Int>
std::optional<std::string> canonical_int(std::string_view v, std::string* why, const char* name) {
  if (auto n = parse_int<Int>(v)) return std::to_string(*n);
  if (why) *why = std::string("must be ") + name;
  return std::nullopt;
}

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm|-hh:mm)
bool is_date_time(std::string_view v) {
  if (v.size() < 20) return false;
  if (!is_digits(v.substr(0, 4)) || v[4] != '-' || !is_digits(v.substr(5, 2)) || v[7] != '-' ||
      !is_digits(v.substr(8, 2)) || v[10] != 'T' || !is_digits(v.substr(11, 2)) || v[13] != ':' ||
      !is_digits(v.substr(14, 2)) || v[16] != ':' || !is_digits(v.substr(17, 2))) {
    return false;
  }
  auto rest = v.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    std::size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 1) return false;
    rest.remove_prefix(n);
  }
  if (rest == "Z") return true;
  return rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && is_digits(rest.substr(1, 2)) && rest[3] == ':' &&
         is_digits(rest.substr(4, 2));
}

bool is_base64(std::string_view v) {
  if (v.size() % 4 != 0) return false;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c == '=') {
      ++pad;
      if (i + 2 < v.size()) return false;
    } else if ((!alnum && c != '+' && c != '/') || pad > 0) {
      return false;
    }
  }
  return pad <= 2;
}

bool is_hex(std::string_view v) {
  if (v.size() % 2 != 0) return false;
  for (char c : v) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

std::optional<double> parse_decimal(std::string_view v) {
  double d = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return d;
}

template <class T>
bool apply(cmp_op op, const T& a, const T& b) {
  switch (op) {
    case cmp_op::eq: return a == b;
    case cmp_op::ne: return a != b;
    case cmp_op::lt: return a < b;
    case cmp_op::gt: return a > b;
    case cmp_op::le: return a <= b;
    case cmp_op::ge: return a >= b;
  }
  return false;
}

}  // namespace

std::optional<std::string> canonical(value_type t, std::string_view v, std::string* why) {
  switch (t) {
    case value_type::string: return std::string(v);
    case value_type::boolean:
      if (v == "true" || v == "1") return std::string("true");
      if (v == "false" || v == "0") return std::string("false");
      if (why) *why = "must be true or false";
      return std::nullopt;
    case value_type::int_: return canonical_int<std::int32_t>(v, why, "an int");
    case value_type::unsigned_int: return canonical_int<std::uint32_t>(v, why, "an unsignedInt");
    case value_type::long_: return canonical_int<std::int64_t>(v, why, "a long");
    case value_type::unsigned_long: return canonical_int<std::uint64_t>(v, why, "an unsignedLong");
    case value_type::date_time:
      if (is_date_time(v)) return std::string(v);
      if (why) *why = "must be an ISO 8601 dateTime such as 2024-07-01T12:00:00Z";
      return std::nullopt;
    case value_type::base64:
      if (is_base64(v)) return std::string(v);
      if (why) *why = "must be base64";
      return std::nullopt;
    case value_type::hex_binary:
      if (is_hex(v)) return std::string(v);
      if (why) *why = "must be hexBinary";
      return std::nullopt;
    case value_type::decimal:
      if (parse_decimal(v)) return std::string(v);
      if (why) *why = "must be a decimal number";
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<bool> compare(value_type t, cmp_op op, std::string_view lhs, std::string_view rhs) {
  const bool equality = op == cmp_op::eq || op == cmp_op::ne;
  switch (t) {
    case value_type::string:
    case value_type::base64:
    case value_type::hex_binary:
      if (!equality) return std::nullopt;
      return apply(op, lhs, rhs);
    case value_type::boolean: {
      if (!equality) return std::nullopt;
      auto a = canonical(t, lhs);
      auto b = canonical(t, rhs);
      if (!a || !b) return std::nullopt;
      return apply(op, *a, *b);
    }
    case value_type::int_:
    case value_type::long_: {
      auto a = parse_int<std::int64_t>(lhs);
      auto b = parse_int<std::int64_t>(rhs);
      if (!a || !b) return std::nullopt;
      return apply(op, *a, *b);
    }
    case value_type::unsigned_int:
    case value_type::unsigned_long: {
      auto a = parse_int<std::uint64_t>(lhs);
      auto b = parse_int<std::uint64_t>(rhs);
      if (!a || !b) return std::nullopt;
      return apply(op, *a, *b);
    }
    case value_type::decimal: {
      auto a = parse_decimal(lhs);
      auto b = parse_decimal(rhs);
      if (!a || !b) return std::nullopt;
      return apply(op, *a, *b);
    }
    case value_type::date_time:
      // Same-zone ISO 8601 strings order lexically; we write and compare UTC.
      if (!is_date_time(lhs) || !is_date_time(rhs)) return std::nullopt;
      return apply(op, lhs, rhs);
  }
  return std::nullopt;
}

std::optional<std::chrono::system_clock::time_point> parse_date_time(std::string_view v) {
  if (!is_date_time(v) || v == unknown_time) return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) {
    int n = 0;
    std::from_chars(v.data() + pos, v.data() + pos + len, n);
    return n;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  auto t = std::chrono::system_clock::from_time_t(timegm(&tm));
  const auto zone = v.find_first_of("Z+-", 19);
  if (zone != std::string_view::npos && v[zone] != 'Z') {
    const auto offset = std::chrono::hours(num(zone + 1, 2)) + std::chrono::minutes(num(zone + 4, 2));
    t += v[zone] == '+' ? -offset : offset;
  }
  return t;
}

std::string now_date_time() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace usp::agent::dm

#include "config/param_map.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <utility>

#include "usp/path_name.hpp"
#include "usp/strings.hpp"

namespace usp::agent {
namespace {

// TR-106 §3.2 names, in enum order.
constexpr std::array<std::string_view, 8> type_names = {
    "string", "boolean", "int", "unsignedInt", "long", "unsignedLong", "dateTime", "base64"};

// The vendor's names, in enum order.
constexpr std::array<std::string_view, 10> derived_names = {
    "TR369_WEBSOCKETHOST", "TR369_WEBSOCKETPORT", "TR369_WEBSOCKETPATH", "TR369_WEBSOCKETSECURED",
    "TR369_MQTTADDRESS",   "TR369_MQTTPORT",      "TR369_MQTTENABLE",    "TR369_MQTTTOPIC_CTRL",
    "TR369_MQTTTOPIC_RESP", "TR369_MTPPROTOCOL"};

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }

bool is_setting_name(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!is_lower(c) && !is_upper(c) && !is_digit(c) && c != '_') return false;
  }
  return true;
}

// Upper-case names are the vendor's derived values; settings are lower-case.
bool is_upper_name(std::string_view s) noexcept {
  bool upper = false;
  for (const char c : s) {
    if (is_lower(c)) return false;
    upper = upper || is_upper(c);
  }
  return upper;
}

template <class Int>
bool is_integer(std::string_view v) {
  Int n{};
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  return !v.empty() && ec == std::errc() && p == v.data() + v.size();
}

bool digits_at(std::string_view v, std::size_t pos, std::size_t count) {
  if (pos + count > v.size()) return false;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!is_digit(v[i])) return false;
  }
  return true;
}

// TR-106 §3.2.1 dateTime: YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm).
bool is_date_time(std::string_view v) {
  if (!digits_at(v, 0, 4) || v.size() < 20 || v[4] != '-' || !digits_at(v, 5, 2) || v[7] != '-' ||
      !digits_at(v, 8, 2) || v[10] != 'T' || !digits_at(v, 11, 2) || v[13] != ':' || !digits_at(v, 14, 2) ||
      v[16] != ':' || !digits_at(v, 17, 2)) {
    return false;
  }
  std::size_t pos = 19;
  if (v[pos] == '.') {
    const std::size_t start = ++pos;
    while (pos < v.size() && is_digit(v[pos])) ++pos;
    if (pos == start) return false;
  }
  const auto zone = v.substr(pos);
  if (zone == "Z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits_at(zone, 1, 2) && zone[3] == ':' &&
         digits_at(zone, 4, 2);
}

bool is_base64(std::string_view v) {
  if (v.size() % 4 != 0) return false;
  std::size_t pad = 0;
  while (pad < 2 && pad < v.size() && v[v.size() - 1 - pad] == '=') ++pad;
  for (std::size_t i = 0; i < v.size() - pad; ++i) {
    const char c = v[i];
    if (!is_lower(c) && !is_upper(c) && !is_digit(c) && c != '+' && c != '/') return false;
  }
  return true;
}

// A literal must already be a value of its type, so a typo in the file shows
// at start-up rather than as a wrong value in a controller's Get.
bool literal_fits(param_type t, std::string_view v) {
  switch (t) {
    case param_type::string: return true;
    case param_type::boolean: return v == "true" || v == "false" || v == "1" || v == "0";
    case param_type::int_: return is_integer<std::int32_t>(v);
    case param_type::unsigned_int: return !v.starts_with('-') && is_integer<std::uint32_t>(v);
    case param_type::long_: return is_integer<std::int64_t>(v);
    case param_type::unsigned_long: return !v.starts_with('-') && is_integer<std::uint64_t>(v);
    case param_type::date_time: return is_date_time(v);
    case param_type::base64: return is_base64(v);
  }
  return false;
}

struct reference {
  std::string_view name;
  std::string_view index;  // empty when the text has no '|'
  bool has_bar = false;
};

// "{name|index}" or "{name}"; nullopt when `rhs` is not brace-enclosed (a literal).
std::optional<reference> split_reference(std::string_view rhs) {
  if (rhs.size() < 2 || rhs.front() != '{' || rhs.back() != '}') return std::nullopt;
  const auto inner = rhs.substr(1, rhs.size() - 2);
  if (inner.find_first_of("{}") != std::string_view::npos) return std::nullopt;
  reference r;
  const auto bar = inner.find('|');
  r.name = trim(inner.substr(0, bar));
  if (bar != std::string_view::npos) {
    r.has_bar = true;
    r.index = trim(inner.substr(bar + 1));
  }
  return r;
}

std::optional<unsigned> parse_index(const reference& r) {
  if (!r.has_bar) return 1U;  // {name} reads like {name|1}
  unsigned v = 0;
  const auto [p, ec] = std::from_chars(r.index.data(), r.index.data() + r.index.size(), v);
  if (r.index.empty() || ec != std::errc() || p != r.index.data() + r.index.size() || v == 0) return std::nullopt;
  return v;
}

// The first '=' outside brackets: a search expression ("[Alias==\"x\"]")
// holds '=' too, and should be refused as a search path, not split there.
std::size_t find_assignment(std::string_view line) {
  int depth = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '[') ++depth;
    if (line[i] == ']' && depth > 0) --depth;
    if (line[i] == '=' && depth == 0) return i;
  }
  return std::string_view::npos;
}

class line_parser {
 public:
  line_parser(const std::string& file, int line, std::vector<std::string>& problems)
      : where_(file + ":" + std::to_string(line) + ": "), problems_(problems) {}

  // Fills `b` from one non-comment line; false after adding a problem.
  bool parse(std::string_view line, param_binding& b) {
    const auto colon = line.find(':');
    const auto eq = find_assignment(line);
    if (colon == std::string_view::npos || (eq != std::string_view::npos && eq < colon)) {
      return fail("expected type:Path=value");
    }
    const auto type_name = trim(line.substr(0, colon));
    const auto type = param_type_from_name(type_name);
    if (!type) return fail("unknown type \"" + std::string(type_name) + "\"");
    b.type = *type;
    if (eq == std::string_view::npos) return fail("expected '=' or '!=' after the path");
    auto path = line.substr(colon + 1, eq - colon - 1);
    const bool derived = !path.empty() && path.back() == '!';
    if (derived) path.remove_suffix(1);
    if (!set_path(trim(path), b)) return false;
    const auto rhs = trim(line.substr(eq + 1));
    return derived ? set_derived(rhs, b) : set_value(rhs, b);
  }

 private:
  bool fail(const std::string& what) {
    problems_.push_back(where_ + what);
    return false;
  }

  bool set_path(std::string_view text, param_binding& b) {
    std::string why;
    const auto p = parse_path(text, &why);
    const std::string quoted = "\"" + std::string(text) + "\"";
    if (!p) return fail("bad path " + quoted + ": " + why);
    if (p->target != path_target::parameter) return fail(quoted + " is not a parameter path");
    if (p->is_search()) return fail(quoted + ": wildcards and search expressions are not allowed");
    if (p->has_placeholder()) return fail(quoted + ": {i} placeholders are not allowed");
    for (const auto& s : p->segments) {
      if (s.follow_reference) return fail(quoted + ": reference following ('+') is not allowed");
    }
    b.path = p->to_string();
    return true;
  }

  bool set_value(std::string_view rhs, param_binding& b) {
    const auto ref = split_reference(rhs);
    if (!ref) {
      if (!literal_fits(b.type, rhs)) {
        return fail("\"" + std::string(rhs) + "\" is not a valid " + std::string(to_string(b.type)));
      }
      b.source = param_binding::kind::literal;
      b.literal = std::string(rhs);
      return true;
    }
    if (is_upper_name(ref->name)) {
      return fail(std::string(rhs) + " is a derived value: write '!=' instead of '='");
    }
    if (!is_setting_name(ref->name)) return fail("bad setting name \"" + std::string(ref->name) + "\" in " + std::string(rhs));
    if (!set_index(*ref, rhs, b)) return false;
    b.source = param_binding::kind::setting;
    b.name = std::string(ref->name);
    return true;
  }

  bool set_derived(std::string_view rhs, param_binding& b) {
    const auto ref = split_reference(rhs);
    if (!ref) return fail("'!=' takes a derived value {NAME|index}, not a literal");
    if (!is_upper_name(ref->name)) {
      return fail("'!=' takes a derived value {NAME|index}, not the setting " + std::string(rhs) + " (use '=')");
    }
    const auto d = derived_from_name(ref->name);
    if (!d) return fail("unknown derived value \"" + std::string(ref->name) + "\"");
    if (!set_index(*ref, rhs, b)) return false;
    b.source = param_binding::kind::derived;
    b.derived = *d;
    return true;
  }

  bool set_index(const reference& ref, std::string_view rhs, param_binding& b) {
    const auto index = parse_index(ref);
    if (!index) return fail("bad index in " + std::string(rhs) + " (must be an integer >= 1)");
    b.index = *index;
    return true;
  }

  std::string where_;
  std::vector<std::string>& problems_;
};

}  // namespace

std::optional<param_type> param_type_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < type_names.size(); ++i) {
    if (type_names[i] == name) return static_cast<param_type>(i);
  }
  return std::nullopt;
}

std::string_view to_string(param_type t) noexcept {
  const auto i = static_cast<std::size_t>(t);
  return i < type_names.size() ? type_names[i] : std::string_view("?");
}

std::optional<derived_id> derived_from_name(std::string_view upper_name) noexcept {
  for (std::size_t i = 0; i < derived_names.size(); ++i) {
    if (derived_names[i] == upper_name) return static_cast<derived_id>(i);
  }
  return std::nullopt;
}

std::string_view to_string(derived_id d) noexcept {
  const auto i = static_cast<std::size_t>(d);
  return i < derived_names.size() ? derived_names[i] : std::string_view("?");
}

std::string indexed_setting(std::string_view base, unsigned index) {
  std::string out(base);
  if (index != 1) out += std::to_string(index);
  return out;
}

std::string param_binding::setting_name() const { return indexed_setting(name, index); }

std::vector<param_binding> parse_param_map(std::string_view text, const std::string& file,
                                           std::vector<std::string>& problems) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 BOM from Windows editors
  const auto problems_before = problems.size();
  std::vector<param_binding> out;
  std::map<std::string, int, std::less<>> first_line;  // path -> line
  int line_no = 0;
  for (auto line : split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    param_binding b;
    b.line = line_no;
    if (!line_parser(file, line_no, problems).parse(line, b)) continue;
    if (const auto [it, fresh] = first_line.emplace(b.path, line_no); !fresh) {
      problems.push_back(file + ":" + std::to_string(line_no) + ": duplicate path " + b.path + " (first on line " +
                         std::to_string(it->second) + ")");
      continue;
    }
    out.push_back(std::move(b));
  }
  // Nothing half-loads: a map with a problem yields no bindings at all.
  if (problems.size() != problems_before) out.clear();
  return out;
}

}  // namespace usp::agent

#include "usp/path_name.hpp"

#include <charconv>

#include "usp/strings.hpp"

namespace usp {
namespace {

bool is_name_start(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) noexcept { return is_name_start(c) || (c >= '0' && c <= '9') || c == '-'; }

class path_parser {
 public:
  path_parser(std::string_view text, std::string* why) : s_(text), why_(why) {}

  std::optional<path_name> parse() {
    path_name p;
    if (s_.empty()) return fail("empty path");
    while (true) {
      path_segment seg;
      if (!segment(seg)) return std::nullopt;
      p.segments.push_back(std::move(seg));
      if (at_end()) {
        // A path without a trailing '.' names a parameter, command or event.
        if (p.segments.back().type != path_segment::kind::name) {
          return fail("a path must end with '.' or a parameter, command or event name");
        }
        p.target = path_target::parameter;
        break;
      }
      const char c = s_[pos_];
      if (c == '.') {
        ++pos_;
        if (at_end()) {
          p.target = path_target::object;
          break;
        }
        continue;
      }
      if (c == '(' && s_.substr(pos_) == "()") {
        p.target = path_target::command;
        pos_ += 2;
        break;
      }
      if (c == '!' && pos_ + 1 == s_.size()) {
        p.target = path_target::event;
        ++pos_;
        break;
      }
      return fail("unexpected character in path");
    }
    const auto& last = p.segments.back();
    if (p.target != path_target::object &&
        (last.type != path_segment::kind::name || last.follow_reference)) {
      return fail("parameter, command and event names must be plain names");
    }
    if (p.segments.front().type != path_segment::kind::name || p.segments.front().name != "Device") {
      return fail("a path starts with \"Device.\"");
    }
    if (p.target != path_target::object && p.segments.size() < 2) {
      return fail("a parameter, command or event needs an object path before it");
    }
    return p;
  }

 private:
  bool at_end() const noexcept { return pos_ >= s_.size(); }

  std::nullopt_t fail(const char* reason) {
    err(reason);
    return std::nullopt;
  }

  bool err(const char* reason) {
    if (why_) *why_ = reason;
    return false;
  }

  bool segment(path_segment& seg) {
    if (at_end()) return err("empty path segment");
    const char c = s_[pos_];
    if (c == '*') {
      ++pos_;
      seg.type = path_segment::kind::wildcard;
      return true;
    }
    if (c == '[') return search(seg);
    if (c == '{') {
      if (s_.substr(pos_, 3) != "{i}") return err("only {i} may appear in braces");
      pos_ += 3;
      seg.type = path_segment::kind::placeholder;
      return true;
    }
    if (c >= '0' && c <= '9') return instance(seg);
    if (!is_name_start(c)) return err("empty or malformed path segment");
    const auto start = pos_;
    while (!at_end() && is_name_char(s_[pos_])) ++pos_;
    seg.type = path_segment::kind::name;
    seg.name = std::string(s_.substr(start, pos_ - start));
    if (!at_end() && s_[pos_] == '+') {
      ++pos_;
      seg.follow_reference = true;
      if (at_end() || s_[pos_] != '.') return err("reference following needs '.' after '+'");
    }
    return true;
  }

  bool instance(path_segment& seg) {
    const auto start = pos_;
    while (!at_end() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    const auto digits = s_.substr(start, pos_ - start);
    if (digits.front() == '0') return err("instance numbers start at 1 without leading zeros");
    std::uint32_t v = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || ptr != digits.data() + digits.size()) {
      return err("instance number out of range");
    }
    seg.type = path_segment::kind::instance;
    seg.instance = v;
    return true;
  }

  bool search(path_segment& seg) {
    ++pos_;  // '['
    seg.type = path_segment::kind::search;
    while (true) {
      path_condition cond;
      if (!condition(cond)) return false;
      seg.conditions.push_back(std::move(cond));
      if (at_end()) return err("unterminated search expression");
      if (s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      if (s_.substr(pos_, 2) == "&&") {
        pos_ += 2;
        continue;
      }
      return err("expected && or ] in search expression");
    }
  }

  bool condition(path_condition& cond) {
    // relpath: name ('.' name)*
    const auto start = pos_;
    while (!at_end()) {
      if (!is_name_start(s_[pos_])) return err("malformed parameter in search expression");
      while (!at_end() && is_name_char(s_[pos_])) ++pos_;
      if (!at_end() && s_[pos_] == '.') {
        ++pos_;
        continue;
      }
      break;
    }
    cond.param = std::string(s_.substr(start, pos_ - start));
    if (cond.param.empty()) return err("empty search expression");
    if (!op(cond.op)) return false;
    return value(cond);
  }

  bool op(cmp_op& o) {
    const auto two = s_.substr(pos_, 2);
    if (two == "==") o = cmp_op::eq;
    else if (two == "!=") o = cmp_op::ne;
    else if (two == "<=") o = cmp_op::le;
    else if (two == ">=") o = cmp_op::ge;
    else if (!two.empty() && two[0] == '<') o = cmp_op::lt;
    else if (!two.empty() && two[0] == '>') o = cmp_op::gt;
    else return err("expected a comparison operator (== != < > <= >=)");
    pos_ += (o == cmp_op::lt || o == cmp_op::gt) ? 1 : 2;
    return true;
  }

  bool value(path_condition& cond) {
    if (!at_end() && s_[pos_] == '"') {
      const auto close = s_.find('"', pos_ + 1);
      if (close == std::string_view::npos) return err("unterminated string in search expression");
      // Quotes and percent signs inside strings are written %22 and %25.
      auto decoded = percent_decode(s_.substr(pos_ + 1, close - pos_ - 1));
      if (!decoded) return err("malformed %-escape in search string");
      cond.value = std::move(*decoded);
      cond.quoted = true;
      pos_ = close + 1;
      return true;
    }
    const auto start = pos_;
    while (!at_end() && s_[pos_] != ']' && s_.substr(pos_, 2) != "&&") ++pos_;
    cond.value = std::string(s_.substr(start, pos_ - start));
    if (cond.value.empty()) return err("missing value in search expression");
    for (char c : cond.value) {
      if (!is_name_char(c) && c != '.' && c != ':' && c != '+') {
        return err("unquoted search values are numbers, booleans or enumerations");
      }
    }
    return true;
  }

  std::string_view s_;
  std::string* why_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string_view to_string(cmp_op op) noexcept {
  switch (op) {
    case cmp_op::eq: return "==";
    case cmp_op::ne: return "!=";
    case cmp_op::lt: return "<";
    case cmp_op::gt: return ">";
    case cmp_op::le: return "<=";
    case cmp_op::ge: return ">=";
  }
  return "?";
}

bool path_name::is_search() const noexcept {
  for (const auto& s : segments) {
    if (s.type == path_segment::kind::wildcard || s.type == path_segment::kind::search) return true;
  }
  return false;
}

bool path_name::has_placeholder() const noexcept {
  for (const auto& s : segments) {
    if (s.type == path_segment::kind::placeholder) return true;
  }
  return false;
}

std::string path_name::to_string() const {
  std::string out;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i];
    if (i > 0) out += '.';
    switch (s.type) {
      case path_segment::kind::name:
        out += s.name;
        if (s.follow_reference) out += '+';
        break;
      case path_segment::kind::instance: out += std::to_string(s.instance); break;
      case path_segment::kind::wildcard: out += '*'; break;
      case path_segment::kind::placeholder: out += "{i}"; break;
      case path_segment::kind::search:
        out += '[';
        for (std::size_t k = 0; k < s.conditions.size(); ++k) {
          const auto& c = s.conditions[k];
          if (k > 0) out += "&&";
          out += c.param;
          out += usp::to_string(c.op);
          if (c.quoted) {
            out += '"';
            for (char ch : c.value) {
              if (ch == '"') out += "%22";
              else if (ch == '%') out += "%25";
              else out += ch;
            }
            out += '"';
          } else {
            out += c.value;
          }
        }
        out += ']';
        break;
    }
  }
  switch (target) {
    case path_target::object: out += '.'; break;
    case path_target::parameter: break;
    case path_target::command: out += "()"; break;
    case path_target::event: out += '!'; break;
  }
  return out;
}

std::optional<path_name> parse_path(std::string_view text, std::string* why) {
  return path_parser(text, why).parse();
}

bool is_param_name(std::string_view s) noexcept {
  if (s.empty() || !is_name_start(s.front())) return false;
  for (char c : s) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

}  // namespace usp

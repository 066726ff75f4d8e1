#include "routing/presence.hpp"

#include <map>

namespace usp::gateway {

namespace {

void skip_space(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
}

// A JSON string at the front of `s` (escapes decoded; \u only for ASCII).
std::optional<std::string> take_string(std::string_view& s) {
  if (s.empty() || s.front() != '"') return std::nullopt;
  s.remove_prefix(1);
  std::string out;
  while (!s.empty()) {
    const char c = s.front();
    s.remove_prefix(1);
    if (c == '"') return out;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (s.empty()) return std::nullopt;
    const char e = s.front();
    s.remove_prefix(1);
    switch (e) {
      case '"': case '\\': case '/': out.push_back(e); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        if (s.size() < 4) return std::nullopt;
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
          const char h = s[static_cast<std::size_t>(i)];
          v <<= 4;
          if (h >= '0' && h <= '9') v |= static_cast<unsigned>(h - '0');
          else if (h >= 'a' && h <= 'f') v |= static_cast<unsigned>(h - 'a' + 10);
          else if (h >= 'A' && h <= 'F') v |= static_cast<unsigned>(h - 'A' + 10);
          else return std::nullopt;
        }
        s.remove_prefix(4);
        if (v > 0x7f) return std::nullopt;  // endpoint ids and states are ASCII
        out.push_back(static_cast<char>(v));
        break;
      }
      default: return std::nullopt;
    }
  }
  return std::nullopt;
}

using flat_map = std::map<std::string, std::string>;

// `s` starts at the object's closing brace: one object, nothing after it.
std::optional<flat_map> closed(std::string_view s, flat_map out) {
  s.remove_prefix(1);
  skip_space(s);
  if (!s.empty()) return std::nullopt;
  return out;
}

// A flat object whose values are strings (other scalar values are skipped).
std::optional<flat_map> flat_object(std::string_view s) {
  flat_map out;
  skip_space(s);
  if (s.empty() || s.front() != '{') return std::nullopt;
  s.remove_prefix(1);
  skip_space(s);
  if (!s.empty() && s.front() == '}') return closed(s, std::move(out));
  while (true) {
    skip_space(s);
    auto key = take_string(s);
    if (!key) return std::nullopt;
    skip_space(s);
    if (s.empty() || s.front() != ':') return std::nullopt;
    s.remove_prefix(1);
    skip_space(s);
    if (!s.empty() && s.front() == '"') {
      auto value = take_string(s);
      if (!value) return std::nullopt;
      out[std::move(*key)] = std::move(*value);
    } else {
      // a number, true, false or null: skip it
      const auto end = s.find_first_of(",}");
      if (end == std::string_view::npos || end == 0) return std::nullopt;
      s.remove_prefix(end);
    }
    skip_space(s);
    if (s.empty()) return std::nullopt;
    if (s.front() == '}') return closed(s, std::move(out));
    if (s.front() != ',') return std::nullopt;
    s.remove_prefix(1);
  }
}

}  // namespace

std::optional<presence_event> parse_presence(std::string_view json) {
  if (json.size() > 4096) return std::nullopt;
  auto obj = flat_object(json);
  if (!obj) return std::nullopt;
  presence_event e;
  e.eid = (*obj)["eid"];
  const auto& state = (*obj)["state"];
  if (e.eid.empty() || (state != "online" && state != "offline")) return std::nullopt;
  e.online = state == "online";
  const auto& v = (*obj)["mqtt"];
  if (v == "5.0") e.version = mqtt_version::v5;
  if (v == "3.1.1") e.version = mqtt_version::v3_1_1;
  return e;
}

}  // namespace usp::gateway

#include "config/net_address.hpp"

#include <charconv>

namespace usp::agent {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alpha(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_hex(char c) noexcept { return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }

std::nullopt_t fail(std::string* why, const char* reason) {
  if (why) *why = reason;
  return std::nullopt;
}

// Decimal 1..65535 as written by people: no sign, no leading zero.
std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.front() == '0') return std::nullopt;
  unsigned v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

}  // namespace

std::optional<host_port> split_host_port(std::string_view text, std::string* why) {
  host_port out;
  std::string_view port_text;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return fail(why, "unterminated IPv6 address");
    out.host = std::string(text.substr(1, close - 1));
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail(why, "unexpected text after the IPv6 address");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    const auto colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return fail(why, "an IPv6 address needs brackets");
    }
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = text.substr(colon + 1);
      has_port = true;
    }
  }
  if (out.host.empty()) return fail(why, "the host is missing");
  if (has_port) {
    const auto port = parse_port(port_text);
    if (!port) return fail(why, "port must be 1..65535");
    out.port = *port;
  }
  return out;
}

std::string join_host_port(const host_port& hp) {
  std::string out = hp.host.find(':') != std::string::npos ? "[" + hp.host + "]" : hp.host;
  if (hp.port != 0) out += ":" + std::to_string(hp.port);
  return out;
}

std::optional<std::string> host_problem(std::string_view host) {
  if (host.empty()) return "the host is missing";
  if (host.find(':') != std::string_view::npos) {
    for (const char c : host) {
      if (!is_hex(c) && c != ':' && c != '.') return "bad IPv6 address";
    }
    return std::nullopt;
  }
  // RFC 1123 host names and dotted IPv4; '_' too, as some internal DNS names use it.
  for (const char c : host) {
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_') return "bad character in the host name";
  }
  return std::nullopt;
}

std::optional<ws_uri> split_ws_uri(std::string_view text, std::string* why) {
  ws_uri out;
  if (text.substr(0, 5) == "ws://") {
    text.remove_prefix(5);
  } else if (text.substr(0, 6) == "wss://") {
    out.secure = true;
    text.remove_prefix(6);
  } else {
    return fail(why, "a WebSocket URI starts with ws:// or wss://");
  }
  // RFC 6455 §3: fragment identifiers are meaningless in WebSocket URIs.
  if (text.find('#') != std::string_view::npos) return fail(why, "a WebSocket URI has no fragment");
  const auto end = text.find_first_of("/?");
  const auto authority = text.substr(0, end);
  if (authority.find('@') != std::string_view::npos) return fail(why, "user information is not supported");
  auto hp = split_host_port(authority, why);
  if (!hp) return std::nullopt;
  out.authority = std::move(*hp);
  if (end != std::string_view::npos) out.target = std::string(text.substr(end));
  return out;
}

std::string join_ws_uri(const ws_uri& u) {
  return (u.secure ? "wss://" : "ws://") + join_host_port(u.authority) + u.target;
}

std::optional<std::string> target_problem(std::string_view target) {
  for (const char c : target) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7F) return "spaces and control characters must be percent-encoded";
  }
  return std::nullopt;
}

}  // namespace usp::agent

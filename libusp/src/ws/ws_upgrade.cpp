#include "usp/mtp/ws_upgrade.hpp"

#include <charconv>

#include "usp/strings.hpp"

namespace usp::mtp {

std::optional<ws_url> parse_ws_url(std::string_view url, std::string* why) {
  auto fail = [&](const char* reason) -> std::optional<ws_url> {
    if (why) *why = reason;
    return std::nullopt;
  };
  ws_url out;
  if (url.substr(0, 5) == "ws://") {
    url.remove_prefix(5);
  } else if (url.substr(0, 6) == "wss://") {
    out.secure = true;
    url.remove_prefix(6);
  } else {
    return fail("a WebSocket URL starts with ws:// or wss://");
  }
  const auto slash = url.find_first_of("/?");
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    out.target = std::string(url.substr(slash));
    if (out.target.front() == '?') out.target.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos) return fail("user information in a WebSocket URL is not supported");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    const auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail("malformed host");
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return fail("a WebSocket URL needs a host");
  if (!port_text.empty()) {
    unsigned v = 0;
    const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || v == 0 || v > 65535) {
      return fail("port must be 1..65535");
    }
    out.port = static_cast<std::uint16_t>(v);
  } else {
    out.port = out.secure ? 443 : 80;
  }
  return out;
}

std::string add_eid_query(std::string_view target, std::string_view eid) {
  std::string out(target.empty() ? std::string_view("/") : target);
  out += out.find('?') == std::string::npos ? '?' : '&';
  out += "eid=";
  // R-WS.10c: '%' -> %25; query-safe characters stay readable.
  out += percent_encode(eid, ":@!$'()*,;/");
  return out;
}

std::string_view target_path(std::string_view target) noexcept {
  return target.substr(0, target.find('?'));
}

std::optional<std::string> eid_from_target(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  for (auto pair : split(target.substr(q + 1), '&')) {
    if (pair.substr(0, 4) != "eid=") continue;
    auto decoded = percent_decode(pair.substr(4));
    if (!decoded || decoded->empty()) return std::nullopt;
    return decoded;
  }
  return std::nullopt;
}

bool offers_usp_subprotocol(std::string_view header_value) noexcept {
  for (auto token : split(header_value, ',')) {
    if (trim(token) == usp_subprotocol) return true;
  }
  return false;
}

std::optional<std::string> eid_from_extension(std::string_view header_value) {
  // Sec-WebSocket-Extensions: ext1; p=v, bbf-usp-protocol; eid="os::..."
  for (auto ext : split(header_value, ',')) {
    auto params = split(ext, ';');
    if (params.empty() || !iequals(trim(params.front()), usp_extension)) continue;
    for (std::size_t i = 1; i < params.size(); ++i) {
      auto p = trim(params[i]);
      const auto eq = p.find('=');
      if (eq == std::string_view::npos || !iequals(trim(p.substr(0, eq)), "eid")) continue;
      auto v = trim(p.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
        std::string out;
        for (std::size_t k = 1; k + 1 < v.size(); ++k) {
          if (v[k] == '\\' && k + 2 < v.size()) ++k;  // quoted-pair
          out.push_back(v[k]);
        }
        return out.empty() ? std::nullopt : std::optional<std::string>(std::move(out));
      }
      if (!v.empty()) return std::string(v);
    }
  }
  return std::nullopt;
}

std::string make_usp_extension(std::string_view eid) {
  std::string out(usp_extension);
  out += "; eid=\"";
  for (char c : eid) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out += '"';
  return out;
}

std::string host_header(const ws_url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + url.host + "]" : url.host;
  if (url.port != (url.secure ? 443 : 80)) h += ":" + std::to_string(url.port);
  return h;
}

}  // namespace usp::mtp

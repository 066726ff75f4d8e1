// The USP parts of a WebSocket opening handshake (R-WS.9-12a), as pure
// functions: URLs, the ?eid= query, the v1.usp subprotocol, and the legacy
// bbf-usp-protocol extension.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace usp::mtp {

inline constexpr std::string_view usp_subprotocol = "v1.usp";           // R-WS.9
inline constexpr std::string_view usp_extension = "bbf-usp-protocol";   // R-WS.10a/11a

struct ws_url {
  bool secure = false;        // wss://
  std::string host;           // without brackets for IPv6
  std::uint16_t port = 0;     // 80 / 443 when the URL has none
  std::string target = "/";   // path and query
};

// ws[s]://host[:port][/path][?query]; nullopt (and `why`) when malformed.
std::optional<ws_url> parse_ws_url(std::string_view url, std::string* why = nullptr);

// Appends eid=<EID> to a request target, '&'-joined to an existing query
// (R-WS.10b), with '%' written as %25 (R-WS.10c) and other characters a query
// cannot hold percent-encoded. ':' stays as it is (RFC 3986 allows it).
std::string add_eid_query(std::string_view target, std::string_view eid);

// The path part of a request target (before '?').
std::string_view target_path(std::string_view target) noexcept;

// The decoded value of the eid query parameter, if any. Tolerant: accepts
// any percent-encoding (the reference agent writes ':' as %3A).
std::optional<std::string> eid_from_target(std::string_view target);

// True when a Sec-WebSocket-Protocol header value lists v1.usp.
bool offers_usp_subprotocol(std::string_view header_value) noexcept;

// The eid parameter of a bbf-usp-protocol entry in a Sec-WebSocket-Extensions
// header value (quoted-string or token), if present.
std::optional<std::string> eid_from_extension(std::string_view header_value);

// bbf-usp-protocol; eid="<EID>" with quoted-string escaping.
std::string make_usp_extension(std::string_view eid);

// "host" or "host:port" for the Host header (RFC 7230: port omitted when default).
std::string host_header(const ws_url& url);

}  // namespace usp::mtp

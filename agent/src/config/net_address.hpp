// The two address forms the tr369_* settings hold, split into parts and joined
// again: "host[:port]" (tr369_mqtt_hostport) and "ws[s]://host[:port][/path]"
// (tr369_websocket_uri). Private to the settings code: validation
// (settings.cpp) and the derived TR369_* values (derived.cpp) must agree on
// one grammar, so they share this one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace usp::agent {

struct host_port {
  std::string host;        // without the brackets of an IPv6 literal
  std::uint16_t port = 0;  // 0 when the text names no port
};

// Splits "host", "host:port", "[v6]" or "[v6]:port". Checks the structure and
// the port (1..65535, decimal, no sign or leading zero) but not the host's
// characters (see host_problem), so raw values holding {mac} still split.
// nullopt and `why` when malformed.
std::optional<host_port> split_host_port(std::string_view text, std::string* why = nullptr);

// The inverse: brackets a host that holds ':', appends ":port" unless 0.
std::string join_host_port(const host_port& hp);

// Why `host` cannot name a server (empty, a character a host name or an IPv6
// literal cannot hold), or nullopt when it is fine.
std::optional<std::string> host_problem(std::string_view host);

struct ws_uri {
  bool secure = false;  // wss://
  host_port authority;
  std::string target;   // path and query as written: empty, or starting with '/' or '?'
};

// Splits ws[s]://host[:port][/path][?query]. User information and fragments
// are refused (RFC 6455 §3: a WebSocket URI has no fragment); characters of
// host and target are left to host_problem / target_problem.
std::optional<ws_uri> split_ws_uri(std::string_view text, std::string* why = nullptr);
std::string join_ws_uri(const ws_uri& u);

// Why `target` cannot follow the authority of a URI (spaces, control
// characters), or nullopt when it is fine.
std::optional<std::string> target_problem(std::string_view target);

}  // namespace usp::agent

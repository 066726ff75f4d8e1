// usp-gateway's configuration (docs/gateway-config.md, config/gateway.yaml):
// plain structs with the defaults, filled by load_gateway_config().
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "usp/tls.hpp"

namespace usp::gateway {

struct mqtt_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  std::string client_id = "usp-gateway-1";      // persistent session: clean start off
  std::chrono::seconds session_expiry{3600};
  std::string username;
  std::string password;                          // read from password_file, never inline
  std::optional<tls_options> tls;
  std::uint16_t keepalive_s = 60;
  std::string shared_group;                      // non-empty: $share/<group>/<filter>
  unsigned partition = 0;                        // k of k/N
  unsigned partitions = 1;                       // N of k/N (the plugin's partitions)
  std::string partition_prefix = "usp/part";     // the plugin's partition_prefix
  std::string password_file;                     // where the password came from (permission check)
};

enum class ws_mode : std::uint8_t { dial, listen, multiplex };

struct controller_ws_config {
  ws_mode mode = ws_mode::dial;
  std::string url;                               // dial and multiplex
  std::optional<tls_options> tls;                // set exactly for wss:// URLs (no tls: = system CAs, verified)
  std::chrono::seconds keepalive{30};
  std::chrono::seconds retry_min_wait{5};        // R-WS.19 m
  std::uint32_t retry_multiplier = 2000;         // R-WS.19 k
  std::chrono::seconds retry_max_wait{600};      // our cap
  std::string multiplex_eid = "self::usp-gateway";  // multiplex: the ?eid= of the one shared session
};

struct controller_config {
  std::string endpoint_id;
  std::string mqtt_topic;                        // where phones publish for this controller
  controller_ws_config websocket;
};

struct agents_config {
  std::string topic_template = "usp/agent/{eid}";  // fallback for agents not yet heard from
  std::chrono::seconds offline_grace{30};
  std::size_t queue_max_records = 64;
  std::chrono::seconds queue_ttl{60};
  std::size_t max_record_bytes = 1024 * 1024;      // larger Records are refused at the edge
};

struct listen_config {
  bool enabled = false;                          // the `listen:` section is present
  std::string address = "0.0.0.0";
  std::uint16_t port = 8443;                     // 0 = ephemeral (tests)
  std::string path_prefix = "/usp/";             // agent X is at <path_prefix><X>
  std::optional<tls_options> tls;                // cert_file/key_file; ca_file + verify: client certs
};

struct http_config {
  bool enabled = false;                          // the `http:` section is present
  std::string address = "127.0.0.1";
  std::uint16_t port = 9464;                     // 0 = ephemeral (tests)
};

struct gateway_config {
  mqtt_config mqtt;
  std::string presence_topic;                    // e.g. usp/presence/+; empty = none
  std::vector<controller_config> controllers;
  agents_config agents;
  listen_config listen;
  http_config http;
  unsigned threads = 1;
  std::string source;                            // the file it came from
};

// Reads and validates `path`; throws usp::config_error listing every problem
// as "<file>:<line>: <key>: <message>".
gateway_config load_gateway_config(const std::string& path);
// The same from text (tests); `name` stands for the file in messages.
gateway_config parse_gateway_config(const std::string& text, const std::string& name);

// "k/N" (mqtt.partition, --partition): sets `out` and returns true when
// 1 <= N <= the plugin's limit and k < N; otherwise returns the problem.
std::optional<std::string> parse_partition(std::string_view text, mqtt_config& out);

}  // namespace usp::gateway

// How usp-ctl reaches agents: the connection part of its command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "usp/mqtt_version.hpp"
#include "usp/tls.hpp"

namespace usp::ctl {

enum class link_mode { none, ws_listen, ws_connect, mqtt };

struct link_options {
  link_mode mode = link_mode::none;
  std::string host;          // --ws-listen ADDR, --mqtt HOST
  std::uint16_t port = 0;    // their port (0 with --ws-listen: any free port)
  std::string url;           // --ws-connect
  std::string topic;         // --topic: where we listen on MQTT
  std::string agent_topic = "usp/agent/{eid}";  // where an agent listens until it says otherwise
  mqtt_version version = mqtt_version::v5;
  std::string client_id;     // empty: the broker assigns one (5.0), usp-ctl-<pid> (3.1.1)
  std::string username;
  std::string password_file;
  std::string endpoint_id = "self::usp-ctl";  // --eid
  std::string to;            // --to: the agent
  bool tls = false;          // MQTT over TLS (implied by --ca, --cert, --insecure)
  tls_options tls_files;     // --ca --cert --key; verify = !--insecure
  bool e2e = false;          // requests travel in an E2E session context
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
};

}  // namespace usp::ctl

// The plugin's policy as a sans-I/O engine: broker events in, decisions and
// publications out. No mosquitto in here; the broker is a `broker_port` (a
// fake one in the unit tests), clients are `client_view`s.
//
// Connection tracking. A client is tracked (identity cached, agent online)
// from its first SUBSCRIBE check or accepted PUBLISH: those come only from a
// live connection after CONNACK, after any session takeover has already
// disconnected the old connection. The MOSQ_EVT_DISCONNECT event untracks it.
// READ and WRITE checks also run for connections that are gone (queued
// messages of persistent sessions, wills), so they never start tracking.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "policy/acl.hpp"
#include "policy/counters.hpp"
#include "policy/identity.hpp"
#include "policy/options.hpp"
#include "policy/presence.hpp"
#include "policy/topic_space.hpp"
#include "usp/log.hpp"

namespace usp::plugin {

enum class log_level : std::uint8_t { debug, info, notice, warning, error };

class broker_port {
 public:
  virtual ~broker_port() = default;
  virtual void publish(const std::string& topic, std::string_view payload, int qos, bool retain) = 0;
  virtual void log(log_level level, const std::string& line) = 0;
  virtual std::chrono::steady_clock::time_point steady_now() = 0;
  virtual std::chrono::system_clock::time_point wall_now() = 0;
};

// A PUBLISH as the message event shows it. Properties are nullopt when absent
// (or when the broker does not let us read them).
struct message_view {
  std::string_view topic;
  std::string_view payload;
  std::optional<std::string_view> content_type;
  std::optional<std::string_view> response_topic;
};

struct message_outcome {
  verdict result = verdict::pass;              // deny: refuse the PUBLISH
  std::optional<std::string> partition_topic;  // publish a copy of the message here
};

class engine {
 public:
  engine(plugin_options o, broker_port& port);

  verdict on_acl_check(const client_view& c, access a, std::string_view topic, std::string_view payload);
  message_outcome on_message(const client_view& c, const message_view& m);
  void on_disconnect(const client_view& c, offline_reason why);
  void on_tick();

  // Topics whose messages must be USP Records (agent and controller topics).
  bool is_record_topic(std::string_view topic) const;

  const plugin_options& options() const noexcept { return opts_; }
  const counters& stats() const noexcept { return counters_; }
  std::size_t agents_online() const noexcept { return online_.size(); }
  std::size_t tracked() const noexcept { return connections_.size(); }

 private:
  struct connection {
    std::string client_id;
    std::string username;
    identity id;
    int protocol_version = 4;
  };

  const identity& identity_of(const client_view& c, identity& scratch);
  void track(const client_view& c, const identity& id);
  void forget(std::unordered_map<const void*, connection>::iterator it, offline_reason why);
  void announce(const connection& conn, bool online, offline_reason why);
  void refuse(const client_view& c, const identity& id, std::string_view what, std::string_view topic);
  void publish_stats();

  plugin_options opts_;
  broker_port& port_;
  topic_space topics_;
  identity_rules rules_;
  counters counters_;
  usp::log::rate_limit log_limit_;
  std::unordered_map<const void*, connection> connections_;
  std::unordered_map<std::string, unsigned> online_;  // agent eid -> live connections
  std::vector<std::string> last_stats_;
  std::chrono::steady_clock::time_point next_stats_{};
};

}  // namespace usp::plugin

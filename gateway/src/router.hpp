// The routing of one shard: the agents whose endpoint id hashes to it, their
// learned MQTT routes and presence, and their pairs with every controller.
// Everything here runs on the shard's executor; other threads post to it.
#pragma once

#include <functional>
#include <map>
#include <unordered_set>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "pair.hpp"
#include "routing/presence.hpp"
#include "routing/snapshot.hpp"
#include "stats.hpp"

namespace usp::gateway {

// A Record from an agent, as the MQTT side received it.
struct agent_record {
  std::size_t controller = 0;           // in `snapshot`
  std::string record;
  std::string from_id;                  // the agent
  bool is_mqtt_connect = false;
  std::uint32_t connect_version = 0;
  std::string subscribed_topic;         // MQTTConnectRecord
  std::string response_topic;           // MQTT 5
  std::optional<std::string> reply_to;  // MQTT 3.1.1
};

// What a router needs from the rest of the gateway.
struct router_ports {
  // Publishes a Record for an agent (thread-safe: the MQTT side posts).
  std::function<void(outbound where, std::string record)> publish;
  // Whether an agent is known to some shard (listen mode's upgrade check).
  std::function<void(const std::string& agent, bool known)> directory;
};

class router {
 public:
  router(boost::asio::any_io_executor ex, snapshot_ptr snap, gateway_stats& stats, router_ports ports);
  ~router();

  // ---- from the MQTT side ----------------------------------------------------
  void from_agent(const snapshot_ptr& snap, agent_record r);
  void presence(const presence_event& e);
  void mqtt_connected(bool up);

  // ---- from the controller side -----------------------------------------------
  // A Record a controller sent on a channel serving `agent` (empty: a shared
  // channel, which names the agent by to_id). Checks to_id and from_id.
  void from_controller(const std::string& controller, const std::string& agent, std::string_view record);
  void attach(const std::string& controller, const std::string& agent, channel ch);
  void detach(const std::string& controller, const std::string& agent, const mtp::ws_session_ptr& s);
  void shared_up(const std::string& controller, channel ch);
  void shared_down(const std::string& controller, const mtp::ws_session_ptr& s);

  // ---- life cycle ----------------------------------------------------------------
  void reload(snapshot_ptr snap);
  // Sends what waits where a channel is up, closes every session (1001),
  // counts the rest as dropped; `done` runs once all sessions are gone.
  void drain(std::function<void()> done);
  std::string sessions_json() const;  // a JSON array's items, comma-separated
  // Expires what waited too long in queues nobody touches (counted as
  // queue_expired now, not at the next push); the shard calls it every second.
  void sweep_queues();

  // ---- for pairs -----------------------------------------------------------------
  const boost::asio::any_io_executor& executor() const noexcept { return ex_; }
  const snapshot_ptr& snapshot() const noexcept { return snap_; }
  gateway_stats& stats() noexcept { return stats_; }
  void session_closed();  // a pair's own session is gone (drain bookkeeping)
  void waiting(pair* p, bool any);  // a pair's queue became non-empty / empty

 private:
  struct agent_state {
    agent_route route;
    std::optional<bool> online;  // from presence; unknown without it
    std::unique_ptr<boost::asio::steady_timer> grace;
  };
  agent_state& agent(const std::string& eid);
  pair& pair_for(const std::string& controller, const std::string& agent);
  void went_offline(const std::string& eid);
  void check_drained();

  boost::asio::any_io_executor ex_;
  snapshot_ptr snap_;
  gateway_stats& stats_;
  router_ports ports_;
  std::map<std::string, agent_state> agents_;
  std::unordered_set<pair*> waiting_;  // pairs with queued Records; outlives pairs_ (their destructors leave it)
  std::map<std::pair<std::string, std::string>, std::unique_ptr<pair>> pairs_;  // (controller, agent)
  std::map<std::string, channel> shared_;                                      // by controller
  std::function<void()> drained_;
  bool draining_ = false;
};

}  // namespace usp::gateway

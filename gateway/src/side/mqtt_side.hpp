// The gateway's one MQTT 5 client: a persistent session (clean start off,
// QoS 1) subscribed to every controller topic and to presence. Inbound
// Records are checked at the edge (size, extractable, for that controller)
// and handed to the agent's shard; outbound Records wait in a bounded queue
// while the broker is away or too many await PUBACK.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "router.hpp"
#include "routing/presence.hpp"
#include "routing/snapshot.hpp"
#include "stats.hpp"
#include "usp/bounded_queue.hpp"
#include "usp/log.hpp"
#include "usp/mtp/mqtt_client.hpp"

namespace usp::gateway {

class mqtt_side {
 public:
  struct callbacks {
    std::function<void(const snapshot_ptr&, agent_record)> on_agent_record;
    std::function<void(const presence_event&)> on_presence;
    std::function<void(bool up)> on_connection;
  };

  // Throws std::runtime_error for unusable options (TLS files).
  mqtt_side(boost::asio::any_io_executor ex, snapshot_ptr snap, gateway_stats& stats, callbacks cb);
  ~mqtt_side();

  void start();
  // Waits (up to the client's own limits) for outstanding PUBACKs, then
  // DISCONNECT; `closed` runs once the connection is gone.
  void stop(std::function<void()> closed);
  // A Record for an agent. Runs on the executor given at construction.
  void publish(const outbound& where, std::string record);
  // New controller topics: subscribe the new, unsubscribe the gone.
  void reload(snapshot_ptr snap);

  bool connected() const noexcept { return connected_; }
  std::size_t waiting() const noexcept { return backlog_.size(); }

 private:
  struct pending {
    outbound where;
    std::string record;
  };
  void on_message(const mtp::mqtt_message& m);
  void on_agent_message(std::size_t controller, std::optional<std::string> reply_to, const mtp::mqtt_message& m);
  bool try_publish(const pending& p);
  void flush();
  void account();
  void warn_drop(drop_reason r, const std::string& what);

  boost::asio::any_io_executor ex_;
  snapshot_ptr snap_;
  gateway_stats& stats_;
  callbacks cb_;
  std::unique_ptr<mtp::mqtt_client> client_;
  bounded_queue<pending> backlog_;
  queue_counters accounted_{};
  std::vector<std::string> subscribed_;
  bool connected_ = false;
  std::optional<int> connect_subscribe_mid_;  // the SUBSCRIBE sent on CONNACK; ready at its SUBACK
  bool stopping_ = false;  // stop() was called: a disconnect is expected
  usp::log::rate_limit drop_log_{20, std::chrono::seconds(10)};
};

}  // namespace usp::gateway

// usp-gateway: the MTP proxy between WebSocket-only USP controllers and
// agents on MQTT (TR-369 "Communications Proxying"). One io_context per
// thread ("shard"); agents are spread over the shards by a hash of their
// endpoint id. Shard 0 also runs the MQTT client, the listen-mode server,
// the multiplex sessions, the HTTP endpoint and the signals.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/gateway_config.hpp"
#include "http/http_endpoint.hpp"
#include "routing/snapshot.hpp"
#include "stats.hpp"
#include "usp/metrics.hpp"

namespace usp::gateway {

class router;
class mqtt_side;
class listener;
class multiplex_link;

class gateway {
 public:
  // Builds everything and binds the servers; throws (usp::config_error,
  // std::runtime_error) on start-up errors.
  explicit gateway(gateway_config cfg);
  ~gateway();
  gateway(const gateway&) = delete;
  gateway& operator=(const gateway&) = delete;

  // Runs until SIGTERM/SIGINT (then drains) or stop(); returns the exit code.
  int run();
  // Drains and stops (thread-safe).
  void stop();
  // Re-reads the configuration file's controllers (SIGHUP; thread-safe).
  void reload();

  std::uint16_t listen_port() const noexcept;
  std::uint16_t http_port() const noexcept;
  const gateway_stats& stats() const noexcept { return stats_; }

 private:
  struct shard;
  shard& shard_of(std::string_view agent);
  void wire_mqtt();
  void wire_listener();
  void start_multiplex();
  void wire_http();
  void sweep_queues(std::size_t shard);
  void answer_sessions(http_reply reply);
  void on_controller_record(const std::string& controller, const std::string& agent, std::string_view record);
  void begin_drain();
  void finish_drain();
  void apply_reload();
  bool known(const std::string& agent) const;
  void wait_signals();

  metrics::registry metrics_;
  gateway_stats stats_{metrics_};
  snapshot_ptr snap_;
  std::vector<std::unique_ptr<shard>> shards_;
  std::unique_ptr<mqtt_side> mqtt_;
  std::unique_ptr<listener> listener_;
  std::vector<std::unique_ptr<multiplex_link>> multiplex_;
  std::unique_ptr<http_endpoint> http_;
  std::unique_ptr<boost::asio::signal_set> signals_;
  std::unique_ptr<boost::asio::steady_timer> drain_deadline_;
  std::size_t draining_shards_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<bool> ready_{false};  // /readyz: the broker connection is up
  mutable std::mutex directory_mutex_;
  std::unordered_set<std::string> directory_;  // agents any shard knows
};

}  // namespace usp::gateway

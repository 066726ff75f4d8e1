// N light MQTT 5 phones in one event loop, for scenario notify: each is a
// libusp mqtt_client with client id = endpoint id (what mosquitto_usp.so
// binds), subscribes to its own topic usp/agent/<eid>, sends its
// MQTTConnect Record (R-MTP.6) to the gateway's controller topic, and then
// publishes Notify Records (ValueChange, send_resp=true) on demand to the
// controller topic of the moment, with its own topic as Response Topic
// (R-MQTT.23) so the NotifyResp finds its way back.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "usp/mtp/mqtt_client.hpp"

namespace usp::bench {

// The parameter a bench Notify reports; its value is the send time (ns on
// the steady clock), which the controller subtracts from its own clock.
inline constexpr const char* stamp_param = "Device.DeviceInfo.X_BENCH_SentAt";

class light_phones {
 public:
  light_phones(boost::asio::io_context& io, std::uint16_t broker_port, const std::vector<std::string>& eids,
               std::string controller_eid, const std::string& connect_topic);
  ~light_phones();

  // Connects the phones, `per_second` of them a second.
  void start(unsigned per_second);

  // Phones connected and subscribed (read from any thread).
  std::size_t up() const noexcept { return up_.load(); }
  // Where Notifies go from now on (a controller topic).
  void set_target(std::string topic) { target_ = std::move(topic); }
  // Phone `eid` publishes a Notify with `msg_id`, stamped `at`; false when refused.
  bool notify(const std::string& eid, const std::string& msg_id, std::chrono::steady_clock::time_point at);
  // Each NotifyResp, by the msg_id it answers.
  std::function<void(const std::string& msg_id)> on_notify_resp;
  std::uint64_t refused() const noexcept { return refused_; }
  void stop();

 private:
  struct phone {
    std::string eid, topic;
    bool up = false;
    std::unique_ptr<mtp::mqtt_client> client;
  };
  void on_message(const mtp::mqtt_message& m);
  void start_some();

  std::string controller_eid_, target_;
  boost::asio::steady_timer tick_;
  std::size_t started_ = 0;
  std::chrono::steady_clock::time_point start_t0_;
  unsigned per_second_ = 1000;
  std::vector<std::unique_ptr<phone>> phones_;
  std::unordered_map<std::string, phone*> by_eid_;
  std::atomic<std::size_t> up_{0};
  std::uint64_t refused_ = 0;
};

}  // namespace usp::bench

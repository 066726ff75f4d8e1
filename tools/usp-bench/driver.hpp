// Keeps requests in flight to N phones and times their answers: closed loop
// (a new request as each answer arrives) or paced at a rate with the level as
// a cap (open loop). What a request is and how it travels is the caller's
// send function: a Get from a controller (scenario gateway), a Notify from a
// phone (scenario notify).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "mqtt_controller.hpp"

namespace usp::bench {

using steady = std::chrono::steady_clock;

// What one measured window produced.
struct window {
  std::uint64_t sent = 0, answered = 0, failed = 0;
  std::uint64_t attempted = 0;  // sends taken in the whole run (warm-up, window, tail)
  std::vector<std::chrono::nanoseconds> latencies;
};

class driver {
 public:
  // Sends request `msg_id` (sent at `at`) to phone `eid`; false when refused.
  using send_fn = std::function<bool(const std::string& eid, const std::string& msg_id, steady::time_point at)>;
  driver(boost::asio::io_context& io, const std::vector<std::string>& eids, send_fn send)
      : io_(io), eids_(eids), send_(std::move(send)), tick_(io) {}

  // Every msg_id starts with this (default "b"), then a sequence number.
  void set_id_prefix(std::string p) { prefix_ = std::move(p); }
  const std::string& id_prefix() const noexcept { return prefix_; }

  // A Record from a phone: an answer to one of ours?
  void on_record(const ctl::received_record& r);
  // The answer to request `msg_id` arrived.
  void on_answer(const std::string& msg_id);

  // Runs `inflight` (at `rate` per second when > 0) for warm-up + d on io,
  // then drains for up to 10 s: what is still unanswered is a drop.
  window run(unsigned inflight, double rate, std::chrono::milliseconds warmup, std::chrono::milliseconds d,
             const std::function<void()>& at_start, const std::function<void()>& at_end);

 private:
  void send_one();
  void fill();
  void arm();

  boost::asio::io_context& io_;
  const std::vector<std::string>& eids_;
  send_fn send_;
  boost::asio::steady_timer tick_;
  std::unordered_map<std::string, steady::time_point> pending_;
  window win_;
  std::string prefix_ = "b";
  std::uint64_t seq_ = 0, next_ = 0, paced_sent_ = 0, attempted_ = 0;
  unsigned cap_ = 1;
  double rate_ = 0;
  bool paced_ = false, sending_ = false, measuring_ = false;
  steady::time_point paced_start_;
};

}  // namespace usp::bench

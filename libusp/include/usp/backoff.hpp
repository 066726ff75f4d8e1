// TR-157 style retry waits, as TR-369 uses them:
//  - WebSocket session retry (R-WS.19): retry n waits a uniform random time in
//    [m * (k/1000)^(n-1), m * (k/1000)^n] seconds; from n = 10 on the 10th
//    window is reused.
//  - MQTT connect retry (R-MQTT.10, DM ConnectRetryTime /
//    ConnectRetryIntervalMultiplier / ConnectRetryMaxInterval): the same
//    windows, clamped to ConnectRetryMaxInterval.
//  - Notify retry (R-NOT.2) and E2E session retry (R-E2E.10-13) reuse them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace usp {

struct retry_policy {
  std::chrono::seconds min_wait{5};             // m / T, 1..65535
  std::uint32_t multiplier = 2000;              // k / M, 1000..65535 (thousandths)
  std::optional<std::chrono::seconds> max_wait;  // cap; nullopt = uncapped
};

struct retry_window {
  std::chrono::milliseconds lo;
  std::chrono::milliseconds hi;
};

// The window for retry number `n` (1 = first retry; 0 is treated as 1).
retry_window window_for(const retry_policy& p, std::uint32_t n) noexcept;

// A random wait drawn uniformly from window_for(p, n).
std::chrono::milliseconds draw_wait(const retry_policy& p, std::uint32_t n, std::mt19937_64& rng);

// Counts consecutive failures and hands out the next wait. reset() after a
// success (R-WS.20; implied for MQTT) and on reboot (R-WS.21).
class retry_state {
 public:
  explicit retry_state(retry_policy p, std::uint64_t seed = std::random_device{}())
      : policy_(p), rng_(seed) {}

  // Records one more failure and returns the wait before the next attempt.
  std::chrono::milliseconds next_wait() { return draw_wait(policy_, ++count_, rng_); }
  void reset() noexcept { count_ = 0; }
  // CurrentRetryCount: 0 while not retrying.
  std::uint32_t count() const noexcept { return count_; }
  const retry_policy& policy() const noexcept { return policy_; }
  void set_policy(const retry_policy& p) noexcept { policy_ = p; }

 private:
  retry_policy policy_;
  std::mt19937_64 rng_;
  std::uint32_t count_ = 0;
};

}  // namespace usp

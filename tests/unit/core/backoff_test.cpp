#include "usp/backoff.hpp"

#include <gtest/gtest.h>

namespace usp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Backoff, DefaultWindowsAreTheRWS19Table) {
  // R-WS.19 with m = 5 s, k = 2000: 5-10, 10-20, ... 2560-5120, then fixed.
  const retry_policy p{seconds(5), 2000, std::nullopt};
  const std::int64_t lo[] = {5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 2560, 2560};
  for (std::uint32_t n = 1; n <= 12; ++n) {
    const auto w = window_for(p, n);
    EXPECT_EQ(w.lo, seconds(lo[n - 1])) << "retry " << n;
    EXPECT_EQ(w.hi, seconds(lo[n - 1] * 2)) << "retry " << n;
  }
}

TEST(Backoff, OtherMultipliers) {
  const retry_policy p{seconds(10), 1500, std::nullopt};
  EXPECT_EQ(window_for(p, 1).lo, seconds(10));
  EXPECT_EQ(window_for(p, 1).hi, seconds(15));
  EXPECT_EQ(window_for(p, 2).lo, seconds(15));
  EXPECT_EQ(window_for(p, 2).hi, milliseconds(22500));
  const retry_policy flat{seconds(3), 1000, std::nullopt};
  EXPECT_EQ(window_for(flat, 7).lo, seconds(3));
  EXPECT_EQ(window_for(flat, 7).hi, seconds(3));
}

TEST(Backoff, CapClampsBothEnds) {
  // R-MQTT.10: ConnectRetryMaxInterval caps the wait.
  const retry_policy p{seconds(5), 2000, seconds(30)};
  EXPECT_EQ(window_for(p, 2).hi, seconds(20));
  EXPECT_EQ(window_for(p, 3).lo, seconds(20));
  EXPECT_EQ(window_for(p, 3).hi, seconds(30));
  EXPECT_EQ(window_for(p, 9).lo, seconds(30));
  EXPECT_EQ(window_for(p, 9).hi, seconds(30));
}

TEST(Backoff, ZeroIsTreatedAsTheFirstRetry) {
  const retry_policy p{};
  EXPECT_EQ(window_for(p, 0).lo, window_for(p, 1).lo);
}

TEST(Backoff, DrawsStayInsideTheWindowAndSpreadOverIt) {
  const retry_policy p{seconds(5), 2000, std::nullopt};
  std::mt19937_64 rng(42);
  for (std::uint32_t n = 1; n <= 11; ++n) {
    const auto w = window_for(p, n);
    milliseconds lowest = w.hi, highest = w.lo;
    for (int i = 0; i < 2000; ++i) {
      const auto d = draw_wait(p, n, rng);
      ASSERT_GE(d, w.lo);
      ASSERT_LE(d, w.hi);
      lowest = std::min(lowest, d);
      highest = std::max(highest, d);
    }
    // Uniform jitter: the draws reach both ends of the window.
    const auto span = w.hi - w.lo;
    EXPECT_LT(lowest - w.lo, span / 20) << "retry " << n;
    EXPECT_LT(w.hi - highest, span / 20) << "retry " << n;
  }
}

TEST(Backoff, RetryStateCountsAndResets) {
  retry_state r(retry_policy{seconds(1), 2000, seconds(3)}, 7);
  EXPECT_EQ(r.count(), 0u);
  const auto first = r.next_wait();
  EXPECT_EQ(r.count(), 1u);
  EXPECT_GE(first, seconds(1));
  EXPECT_LE(first, seconds(2));
  for (int i = 0; i < 5; ++i) EXPECT_LE(r.next_wait(), seconds(3));
  EXPECT_EQ(r.count(), 6u);
  r.reset();  // R-WS.20: reset on success
  EXPECT_EQ(r.count(), 0u);
  EXPECT_LE(r.next_wait(), seconds(2));
}

}  // namespace
}  // namespace usp

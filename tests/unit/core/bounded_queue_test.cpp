#include "usp/bounded_queue.hpp"

#include <string>

#include <gtest/gtest.h>

namespace usp {
namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::seconds;

TEST(BoundedQueue, DropNewestRefusesWhenFullAndCountsIt) {
  bounded_queue<int> q(2, overflow_policy::drop_newest);
  EXPECT_TRUE(q.push(1));
  EXPECT_TRUE(q.push(2));
  EXPECT_FALSE(q.push(3));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.counters().dropped_overflow, 1u);
  EXPECT_EQ(q.pop().value_or(0), 1);
  EXPECT_EQ(q.pop().value_or(0), 2);
  EXPECT_FALSE(q.pop());
  EXPECT_EQ(q.counters().pushed, 2u);
  EXPECT_EQ(q.counters().popped, 2u);
}

TEST(BoundedQueue, DropOldestMakesRoom) {
  bounded_queue<std::string> q(2, overflow_policy::drop_oldest);
  q.push("a");
  q.push("b");
  EXPECT_TRUE(q.push("c"));
  EXPECT_EQ(q.counters().dropped_overflow, 1u);
  EXPECT_EQ(q.pop().value_or(""), "b");
  EXPECT_EQ(q.pop().value_or(""), "c");
}

TEST(BoundedQueue, ExpiredEntriesAreDroppedAndCounted) {
  bounded_queue<int> q(10, overflow_policy::drop_newest, seconds(60));
  const auto t0 = clock_type::now();
  q.push(1, t0);
  q.push(2, t0 + seconds(30));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.pop(t0 + seconds(61)).value_or(0), 2);  // 1 expired on the way
  EXPECT_EQ(q.counters().dropped_expired, 1u);
  q.push(3, t0 + seconds(61));
  EXPECT_EQ(q.expire(t0 + seconds(200)), 1u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.counters().dropped(), 2u);
}

TEST(BoundedQueue, ClearCountsEverything) {
  bounded_queue<int> q(5);
  for (int i = 0; i < 4; ++i) q.push(i);
  EXPECT_EQ(q.clear(), 4u);
  EXPECT_EQ(q.counters().dropped_cleared, 4u);
  EXPECT_EQ(q.counters().pushed, q.counters().popped + q.counters().dropped() + q.size());
}

TEST(BoundedQueue, ZeroCapacityDropsEverything) {
  bounded_queue<int> q(0, overflow_policy::drop_oldest);
  EXPECT_FALSE(q.push(1));
  EXPECT_EQ(q.counters().dropped_overflow, 1u);
}

TEST(BoundedQueue, ShrinkingLimitsDropsTheOldest) {
  bounded_queue<int> q(4);
  for (int i = 0; i < 4; ++i) q.push(i);
  q.set_limits(2, std::nullopt);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.pop().value_or(-1), 2);
  EXPECT_EQ(q.counters().dropped_overflow, 2u);
}

}  // namespace
}  // namespace usp

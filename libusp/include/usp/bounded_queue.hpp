// A bounded FIFO that counts everything it drops.
//
// Every queue in the product (WebSocket write queues, per-agent queues in the
// gateway, MQTT publish backlog) is one of these, so overflow is an explicit,
// counted decision and never a silent loss. Entries may carry a time to live;
// expired entries are dropped (and counted) when the queue is touched.
// Not thread-safe: a queue belongs to one executor.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

namespace usp {

enum class overflow_policy : std::uint8_t {
  drop_newest,  // refuse the item being pushed
  drop_oldest,  // make room by dropping the head
};

struct queue_counters {
  std::uint64_t pushed = 0;
  std::uint64_t popped = 0;
  std::uint64_t dropped_overflow = 0;
  std::uint64_t dropped_expired = 0;
  std::uint64_t dropped_cleared = 0;

  std::uint64_t dropped() const noexcept { return dropped_overflow + dropped_expired + dropped_cleared; }
};

template <class T, class Clock = std::chrono::steady_clock>
class bounded_queue {
 public:
  using time_point = typename Clock::time_point;
  using duration = typename Clock::duration;

  explicit bounded_queue(std::size_t capacity, overflow_policy policy = overflow_policy::drop_newest,
                         std::optional<duration> ttl = std::nullopt)
      : capacity_(capacity), policy_(policy), ttl_(ttl) {}

  // Returns false when `item` itself was dropped (drop_newest on a full queue,
  // or a zero capacity). With drop_oldest the head is dropped instead.
  bool push(T item, time_point now = Clock::now()) {
    expire(now);
    if (items_.size() >= capacity_) {
      if (policy_ == overflow_policy::drop_newest || capacity_ == 0) {
        ++counters_.dropped_overflow;
        return false;
      }
      items_.pop_front();
      ++counters_.dropped_overflow;
    }
    items_.push_back(entry{std::move(item), now});
    ++counters_.pushed;
    return true;
  }

  // The oldest live item, or nullopt when none is left.
  std::optional<T> pop(time_point now = Clock::now()) {
    expire(now);
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front().item);
    items_.pop_front();
    ++counters_.popped;
    return item;
  }

  T* front(time_point now = Clock::now()) {
    expire(now);
    return items_.empty() ? nullptr : &items_.front().item;
  }

  // Drops entries older than the TTL; returns how many went.
  std::size_t expire(time_point now = Clock::now()) {
    if (!ttl_) return 0;
    std::size_t n = 0;
    while (!items_.empty() && now - items_.front().queued_at >= *ttl_) {
      items_.pop_front();
      ++n;
    }
    counters_.dropped_expired += n;
    return n;
  }

  // Drops everything (counted as cleared); returns how many went.
  std::size_t clear() {
    const auto n = items_.size();
    items_.clear();
    counters_.dropped_cleared += n;
    return n;
  }

  std::size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return items_.empty(); }
  std::size_t capacity() const noexcept { return capacity_; }
  const queue_counters& counters() const noexcept { return counters_; }
  void set_limits(std::size_t capacity, std::optional<duration> ttl) {
    capacity_ = capacity;
    ttl_ = ttl;
    while (items_.size() > capacity_) {
      items_.pop_front();
      ++counters_.dropped_overflow;
    }
  }

 private:
  struct entry {
    T item;
    time_point queued_at;
  };

  std::deque<entry> items_;
  std::size_t capacity_;
  overflow_policy policy_;
  std::optional<duration> ttl_;
  queue_counters counters_;
};

}  // namespace usp

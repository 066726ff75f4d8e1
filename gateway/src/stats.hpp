// What the gateway counts: handles into the metrics registry that /metrics
// renders, incremented on the data path from any shard (relaxed atomics).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "usp/metrics.hpp"

namespace usp::mtp {
struct ws_close_info;
}

namespace usp::gateway {

// Why a Record did not reach its destination; every drop has one.
enum class drop_reason : std::uint8_t {
  malformed,          // no extractable Record, or a WebSocket text/broken frame
  oversize,           // larger than agents.max_record_bytes
  wrong_to_id,        // not for the controller / agent this channel serves
  wrong_from_id,      // not from the peer this channel serves
  unknown_agent,      // a controller named an agent the gateway does not know
  queue_overflow,     // the per-agent queue was full
  queue_expired,      // waited longer than agents.queue.ttl_s
  agent_offline,      // queued for an agent that went away
  publish_failed,     // the broker connection refused it
  send_failed,        // the WebSocket write queue refused it
  shutdown,           // still queued at SIGTERM after draining
  count_
};
std::string_view to_string(drop_reason r) noexcept;

struct gateway_stats {
  // Registers every family in `r` (start-up).
  explicit gateway_stats(metrics::registry& r);
  // Counts into private sinks (tests without a registry).
  gateway_stats() = default;

  metrics::counter records_to_controller;
  metrics::counter records_to_agent;
  metrics::counter connect_records;     // websocket_connect sent in an agent's name
  metrics::counter sessions_opened;
  metrics::counter sessions_closed;
  metrics::counter dial_failures;       // a dial that did not open a session
  metrics::counter upgrades_refused;    // listen mode
  metrics::gauge sessions_open;
  metrics::gauge queued_records;
  metrics::gauge agents_known;
  metrics::gauge agents_online;
  std::array<metrics::counter, static_cast<std::size_t>(drop_reason::count_)> dropped{};

  void drop(drop_reason r, std::uint64_t n = 1) const noexcept { dropped[static_cast<std::size_t>(r)].inc(n); }
  std::uint64_t dropped_total() const noexcept;
};

inline void bump(const metrics::counter& c, std::uint64_t n = 1) noexcept { c.inc(n); }

// A WebSocket session that was open has ended: the session counters, and a
// drop for the message that made the session layer close it (a text frame,
// a broken frame or Record: malformed; over the size limit: oversize). The
// session layer logged it.
void count_session_end(const gateway_stats& st, const mtp::ws_close_info& info) noexcept;

}  // namespace usp::gateway

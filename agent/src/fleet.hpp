// Fleet mode (docs/fleet.md): N phones in one process, for load tests.
//
// Phone i has MAC base + i and its own state folder DIR/<MAC>/; its settings
// come from the one template, where {mac} and {eid} expand per phone. The
// phones are dealt round-robin to T io_contexts, one thread each, and
// started at a bounded rate so the broker does not see N connects at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli.hpp"

namespace usp::agent {

// The MAC a fleet counts up from, as a 48-bit number; nullopt (and a
// problem) when `base` is not a MAC or `count` phones would run past
// FFFFFFFFFFFF.
std::optional<std::uint64_t> fleet_mac_base(std::string_view base, unsigned count, std::vector<std::string>& problems);

// Phone `i`'s MAC: 12 upper-case hex digits.
std::string fleet_mac(std::uint64_t base, unsigned i);

// Everything wrong with `a` for a fleet: options that name one phone
// (--mac, --identity, --endpoint-id, --serial, a fixed --ws-listen port),
// a missing or bad --mac-base, a zero --connect-rate. Empty when fine.
std::vector<std::string> fleet_problems(const agent_args& a);

// Runs the fleet until SIGTERM or SIGINT and returns the exit code: 0 after
// a clean shutdown, 2 for a configuration error (one line per problem on
// stderr). SIGHUP re-reads every phone's settings.
int run_fleet(const agent_args& a);

// From now on socketpair() fails in this process (fleet_socketpair.cpp says
// why: it saves two file descriptors per phone, and a write() per MQTT
// packet sent).
void refuse_socketpairs() noexcept;

}  // namespace usp::agent

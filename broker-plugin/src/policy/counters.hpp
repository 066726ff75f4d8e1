// What the plugin counts, and how the counters look on the stats topic
// (one retained plain-number message per counter, as mosquitto's $SYS tree).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy/validation.hpp"

namespace usp::plugin {

enum class denial : std::uint8_t { subscribe, read, write };
inline constexpr std::size_t denial_count = 3;

struct counters {
  std::uint64_t accepted = 0;     // Records that passed every check
  std::uint64_t partitioned = 0;  // copies published on partition topics
  std::array<std::uint64_t, drop_reason_count> dropped{};
  std::array<std::uint64_t, denial_count> denied{};

  void drop(drop_reason r) noexcept { ++dropped[static_cast<std::size_t>(r)]; }
  void deny(denial d) noexcept { ++denied[static_cast<std::size_t>(d)]; }
  std::uint64_t dropped_of(drop_reason r) const noexcept { return dropped[static_cast<std::size_t>(r)]; }
  std::uint64_t denied_of(denial d) const noexcept { return denied[static_cast<std::size_t>(d)]; }
};

std::string_view to_string(denial d) noexcept;

struct stat_line {
  std::string topic;
  std::string value;
};

// <base>/records/accepted, <base>/records/partitioned,
// <base>/records/dropped/<reason>, <base>/denied/<subscribe|read|write>,
// <base>/agents/online. Always the same topics in the same order.
std::vector<stat_line> stat_lines(std::string_view base, const counters& c, std::uint64_t agents_online);

}  // namespace usp::plugin

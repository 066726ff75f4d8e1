// Spreading agents over N gateway instances (ARCHITECTURE.md, "Scale past one
// machine"): every controller-bound Record is also published on
// <prefix>/<k>/<original topic>, k = fnv1a32(from_id) mod N.
//
// Shared by the broker plugin (which copies) and the gateway (which knows
// its own agents). The hash is 32-bit FNV-1a over the from_id bytes as they travel in the
// Record (offset basis 2166136261, prime 16777619). The gateway computes the
// same to know which agents are its own; the function is pinned by tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace usp {

constexpr std::uint32_t fnv1a32(std::string_view bytes) noexcept {
  std::uint32_t h = 2166136261u;
  for (char c : bytes) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

constexpr std::uint32_t partition_of(std::string_view from_id, std::uint32_t partitions) noexcept {
  return partitions <= 1 ? 0 : fnv1a32(from_id) % partitions;
}

std::string partition_topic(std::string_view prefix, std::uint32_t k, std::string_view original_topic);

}  // namespace usp

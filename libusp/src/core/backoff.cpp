#include "usp/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace usp {

retry_window window_for(const retry_policy& p, std::uint32_t n) noexcept {
  // R-WS.19: the 10th window is the last one that grows.
  const auto exponent = static_cast<double>(std::clamp<std::uint32_t>(n, 1, 10));
  const double m = static_cast<double>(p.min_wait.count()) * 1000.0;  // ms
  const double k = static_cast<double>(p.multiplier) / 1000.0;
  double lo = m * std::pow(k, exponent - 1.0);
  double hi = m * std::pow(k, exponent);
  if (p.max_wait) {
    const double cap = static_cast<double>(p.max_wait->count()) * 1000.0;
    lo = std::min(lo, cap);
    hi = std::min(hi, cap);
  }
  return {std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(lo))),
          std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(hi)))};
}

std::chrono::milliseconds draw_wait(const retry_policy& p, std::uint32_t n, std::mt19937_64& rng) {
  const auto w = window_for(p, n);
  std::uniform_int_distribution<std::int64_t> dist(w.lo.count(), w.hi.count());
  return std::chrono::milliseconds(dist(rng));
}

}  // namespace usp

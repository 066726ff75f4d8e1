#include "policy/counters.hpp"

namespace usp::plugin {

std::string_view to_string(denial d) noexcept {
  switch (d) {
    case denial::subscribe: return "subscribe";
    case denial::read: return "read";
    case denial::write: return "write";
  }
  return "?";
}

std::vector<stat_line> stat_lines(std::string_view base, const counters& c, std::uint64_t agents_online) {
  std::vector<stat_line> out;
  out.reserve(3 + drop_reason_count + denial_count);
  const std::string b(base);
  out.push_back({b + "/records/accepted", std::to_string(c.accepted)});
  out.push_back({b + "/records/partitioned", std::to_string(c.partitioned)});
  for (std::size_t i = 0; i < drop_reason_count; ++i) {
    out.push_back({b + "/records/dropped/" + std::string(to_string(static_cast<drop_reason>(i))),
                   std::to_string(c.dropped[i])});
  }
  for (std::size_t i = 0; i < denial_count; ++i) {
    out.push_back({b + "/denied/" + std::string(to_string(static_cast<denial>(i))), std::to_string(c.denied[i])});
  }
  out.push_back({b + "/agents/online", std::to_string(agents_online)});
  return out;
}

}  // namespace usp::plugin

#include "usp/partition.hpp"

namespace usp {

std::string partition_topic(std::string_view prefix, std::uint32_t k, std::string_view original_topic) {
  const auto kk = std::to_string(k);
  std::string out;
  out.reserve(prefix.size() + kk.size() + original_topic.size() + 2);
  out.append(prefix).append("/").append(kk).append("/").append(original_topic);
  return out;
}

}  // namespace usp

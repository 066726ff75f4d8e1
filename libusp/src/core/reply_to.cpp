#include "usp/reply_to.hpp"

#include "usp/strings.hpp"

namespace usp {

std::string append_reply_to(std::string_view destination, std::string_view own_reply_to) {
  std::string out;
  out.reserve(destination.size() + reply_to_marker.size() + own_reply_to.size() + 16);
  out.append(destination);
  out.append(reply_to_marker);
  for (char c : own_reply_to) {
    if (c == '/') {
      out.append("%2F");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

reply_to_split split_reply_to(std::string_view topic) {
  const auto pos = topic.rfind(reply_to_marker);
  if (pos == std::string_view::npos) return {topic, std::nullopt};
  const auto encoded = topic.substr(pos + reply_to_marker.size());
  reply_to_split out{topic.substr(0, pos), std::nullopt};
  if (encoded.empty()) return out;
  std::string decoded;
  decoded.reserve(encoded.size());
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    // Tolerant: accept "%2f" as well as the "%2F" the spec writes.
    if (encoded[i] == '%' && i + 2 < encoded.size() &&
        encoded[i + 1] == '2' && (encoded[i + 2] == 'F' || encoded[i + 2] == 'f')) {
      decoded.push_back('/');
      i += 2;
    } else {
      decoded.push_back(encoded[i]);
    }
  }
  out.reply_to = std::move(decoded);
  return out;
}

bool reply_to_is_ambiguous(std::string_view own_reply_to) noexcept {
  for (std::size_t i = 0; i + 2 < own_reply_to.size(); ++i) {
    if (own_reply_to[i] == '%' && own_reply_to[i + 1] == '2' &&
        (own_reply_to[i + 2] == 'F' || own_reply_to[i + 2] == 'f')) {
      return true;
    }
  }
  return false;
}

}  // namespace usp

// MQTT 3.1.1 reply-to in topic names (R-MQTT.24/25): split_reply_to on any
// topic, and the round trip append_reply_to -> split_reply_to for any reply
// topic the configuration checks let through (reply_to_is_ambiguous false).
#include "fuzz_input.hpp"
#include "usp/reply_to.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  usp::fuzz::quiet();
  const auto text = usp::fuzz::as_view(data, size);
  const auto split = usp::split_reply_to(text);
  if (split.destination.size() > text.size()) usp::fuzz::broken("a destination longer than the topic");
  if (!split.reply_to && split.destination != text && text.find(usp::reply_to_marker) == std::string_view::npos) {
    usp::fuzz::broken("no marker, yet the destination is not the topic");
  }
  // The first field is a destination, the rest the reply topic to carry.
  const auto parts = usp::fuzz::split(text, "\x1f");
  if (parts.size() < 2) return 0;
  const auto destination = parts[0];
  const auto own = parts[1];
  if (own.empty() || usp::reply_to_is_ambiguous(own)) return 0;
  const auto topic = usp::append_reply_to(destination, own);
  const auto back = usp::split_reply_to(topic);
  if (!back.reply_to || *back.reply_to != own) usp::fuzz::broken("split_reply_to(append_reply_to(d, r)).reply_to != r");
  if (back.destination != destination) usp::fuzz::broken("split_reply_to(append_reply_to(d, r)).destination != d");
  return 0;
}

// MQTT 3.1.1 reply-to in the topic name (R-MQTT.24/25).
//
// 3.1.1 has no Response Topic property, so a sender appends
// "/reply-to=" + its own reply topic with every '/' written as "%2F". The
// receiver takes the text after the LAST "/reply-to=" and turns each "%2F"
// back into '/'. (The spec's example shows a space after "reply-to="; that is
// a typo and is not copied.)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace usp {

inline constexpr std::string_view reply_to_marker = "/reply-to=";

// destination + "/reply-to=" + escape(own_reply_to)   (R-MQTT.24)
std::string append_reply_to(std::string_view destination, std::string_view own_reply_to);

struct reply_to_split {
  std::string_view destination;          // the topic before the last marker
  std::optional<std::string> reply_to;   // unescaped; nullopt without a marker
};

// Splits a received 3.1.1 topic (R-MQTT.25). An empty reply-to after the
// marker yields nullopt, as there is nowhere to answer. `destination` views
// into `topic`, which must outlive the result.
reply_to_split split_reply_to(std::string_view topic);

// A reply topic that already contains "%2F" cannot travel through the 3.1.1
// encoding: the receiver would turn it into '/'. Configuration checks use this
// to refuse such topics with a clear message.
bool reply_to_is_ambiguous(std::string_view own_reply_to) noexcept;

}  // namespace usp

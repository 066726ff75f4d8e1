// Who may do what on USP topics: the ACL matrix as a pure function.
//
//                 | own agent topic   | other agent topics | controller topics        | partition, presence | not USP
// agent           | sub (+"/#"), read | -                  | write (+"/reply-to=own") | -                   | -
// privileged      | all               | all                | all                      | all                 | pass
// no identity     | -                 | -                  | -                        | -                   | pass
//
// Agents are confined to USP: they have no business elsewhere on the broker
// (not even $SYS, which tells about other clients). "pass" leaves the
// decision to the non_usp_acl option. Unsubscribing is always allowed.
#pragma once

#include <cstdint>
#include <string_view>

#include "policy/identity.hpp"
#include "policy/topic_space.hpp"

namespace usp::plugin {

enum class access : std::uint8_t { subscribe, unsubscribe, read, write };
enum class verdict : std::uint8_t { allow, deny, pass };

struct acl_decision {
  verdict result = verdict::pass;
  topic_class topic;  // what the topic (or the filter's literal part) is
};

// `topic` is the filter for subscribe/unsubscribe, the message topic otherwise.
acl_decision decide(const topic_space& ts, const identity& id, access a, std::string_view topic);

std::string_view to_string(access a) noexcept;

}  // namespace usp::plugin

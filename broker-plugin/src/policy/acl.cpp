#include "policy/acl.hpp"

namespace usp::plugin {
namespace {

constexpr std::string_view share_prefix = "$share/";

// "$share/<group>/<filter>" -> "<filter>"; anything else unchanged.
std::string_view shared_filter(std::string_view filter) noexcept {
  if (filter.substr(0, share_prefix.size()) != share_prefix) return filter;
  const auto rest = filter.substr(share_prefix.size());
  const auto slash = rest.find('/');
  return slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
}

verdict agent_subscribe(const topic_space& ts, const identity& id, std::string_view filter) {
  const auto own = ts.agent_topic(id.eid);
  if (filter == own) return verdict::allow;
  // R-MQTT.15: "<topic>/#" receives both <topic> and <topic>/reply-to=... .
  // 3.1.1 agents need it; a 5.0 agent using it gains nothing it may not see.
  if (filter.size() == own.size() + 2 && filter.substr(0, own.size()) == own && filter.substr(own.size()) == "/#") {
    return verdict::allow;
  }
  return verdict::deny;
}

acl_decision decide_agent(const topic_space& ts, const identity& id, access a, std::string_view topic) {
  acl_decision d;
  switch (a) {
    case access::unsubscribe:
      d.result = verdict::allow;
      break;
    case access::subscribe:
      d.topic = ts.classify_filter(topic);
      d.result = agent_subscribe(ts, id, topic);
      break;
    case access::read:
      d.topic = ts.classify(topic);
      d.result = d.topic.kind == space::agent && d.topic.eid == id.eid ? verdict::allow : verdict::deny;
      break;
    case access::write:
      d.topic = ts.classify(topic);
      d.result = d.topic.kind == space::controller && d.topic.controller_form ? verdict::allow : verdict::deny;
      break;
  }
  return d;
}

}  // namespace

acl_decision decide(const topic_space& ts, const identity& id, access a, std::string_view topic) {
  if (id.kind == role::agent) return decide_agent(ts, id, a, topic);
  acl_decision d;
  if (a == access::read || a == access::write) {
    d.topic = ts.classify(topic);
    if (d.topic.kind != space::none) d.result = id.kind == role::privileged ? verdict::allow : verdict::deny;
    return d;
  }
  const auto filter = shared_filter(topic);
  d.topic = ts.classify_filter(filter);
  if (id.kind == role::privileged || a == access::unsubscribe) {
    // Any filter that can reach USP topics is ours to allow ("usp/presence/+").
    if (d.topic.kind != space::none || ts.filter_may_match(filter)) d.result = verdict::allow;
  } else if (d.topic.kind != space::none) {
    d.result = verdict::deny;  // the filter is aimed into USP topics
  }
  return d;
}

std::string_view to_string(access a) noexcept {
  switch (a) {
    case access::subscribe: return "subscribe";
    case access::unsubscribe: return "unsubscribe";
    case access::read: return "read";
    case access::write: return "write";
  }
  return "?";
}

}  // namespace usp::plugin

#include "routing/topics.hpp"

#include "usp/partition.hpp"
#include "usp/reply_to.hpp"

namespace usp::gateway {

namespace {

// Does MQTT filter `filter` match topic `topic`? ('+' one level, '#' the rest.)
bool filter_matches(std::string_view filter, std::string_view topic, std::string_view* plus = nullptr) {
  while (true) {
    const auto fslash = filter.find('/');
    const auto tslash = topic.find('/');
    const auto flevel = filter.substr(0, fslash);
    const auto tlevel = topic.substr(0, tslash);
    if (flevel == "#") return true;
    if (flevel == "+") {
      if (plus) *plus = tlevel;
    } else if (flevel != tlevel) {
      return false;
    }
    if (fslash == std::string_view::npos || tslash == std::string_view::npos) {
      return fslash == std::string_view::npos && tslash == std::string_view::npos;
    }
    filter.remove_prefix(fslash + 1);
    topic.remove_prefix(tslash + 1);
  }
}

std::string expand_eid(std::string_view tmpl, std::string_view eid) {
  std::string out(tmpl);
  for (auto pos = out.find("{eid}"); pos != std::string::npos; pos = out.find("{eid}", pos + eid.size())) {
    out.replace(pos, 5, eid);
  }
  return out;
}

}  // namespace

topic_map::topic_map(const gateway_config& cfg)
    : presence_filter_(cfg.presence_topic), topic_template_(cfg.agents.topic_template) {
  for (std::size_t i = 0; i < cfg.controllers.size(); ++i) {
    controller_topics_.push_back(cfg.controllers[i].mqtt_topic);
    by_topic_.emplace(cfg.controllers[i].mqtt_topic, i);
  }
  if (cfg.mqtt.partitions > 1) {
    partition_prefix_ = partition_topic(cfg.mqtt.partition_prefix, cfg.mqtt.partition, "");
  }
  if (!cfg.mqtt.shared_group.empty()) shared_prefix_ = "$share/" + cfg.mqtt.shared_group + "/";
}

std::vector<std::string> topic_map::filters() const {
  std::vector<std::string> out;
  for (const auto& t : controller_topics_) out.push_back(shared_prefix_ + partition_prefix_ + t + "/#");
  if (!presence_filter_.empty()) out.push_back(presence_filter_);
  return out;
}

std::optional<inbound> topic_map::classify(std::string_view topic) const {
  if (!partition_prefix_.empty()) {
    if (!topic.starts_with(partition_prefix_)) return std::nullopt;
    topic.remove_prefix(partition_prefix_.size());
  }
  const auto split = split_reply_to(topic);
  const auto it = by_topic_.find(std::string(split.destination));
  if (it == by_topic_.end()) return std::nullopt;
  return inbound{it->second, split.reply_to};
}

std::optional<std::string> topic_map::presence_agent(std::string_view topic) const {
  if (presence_filter_.empty()) return std::nullopt;
  std::string_view plus;
  if (!filter_matches(presence_filter_, topic, &plus)) return std::nullopt;
  // The plugin's usp/presence/{eid}: the eid is the '+' level (or the last one).
  if (plus.empty()) plus = topic.substr(topic.rfind('/') + 1);
  return std::string(plus);
}

agent_route topic_map::guess(std::string_view agent_eid) const {
  return agent_route{expand_eid(topic_template_, agent_eid), mqtt_version::v5, false};
}

outbound topic_map::to_agent(const agent_route& route, std::size_t controller) const {
  const auto& reply = controller_topics_.at(controller);
  if (route.version == mqtt_version::v3_1_1) return {append_reply_to(route.topic, reply), {}};
  return {route.topic, reply};
}

bool learn_route(agent_route& route, bool is_mqtt_connect, std::uint32_t connect_version,
                 std::string_view subscribed_topic, std::string_view response_topic,
                 const std::optional<std::string>& reply_to) {
  agent_route next = route;
  if (is_mqtt_connect && !subscribed_topic.empty()) {
    next.topic = std::string(subscribed_topic);
    next.version = connect_version == 1 ? mqtt_version::v5 : mqtt_version::v3_1_1;
  } else if (!response_topic.empty()) {
    next.topic = std::string(response_topic);
    next.version = mqtt_version::v5;
  } else if (reply_to && !reply_to->empty()) {
    next.topic = *reply_to;
    next.version = mqtt_version::v3_1_1;
  } else {
    return false;
  }
  next.learned = true;
  const bool changed = next.topic != route.topic || next.version != route.version || !route.learned;
  route = std::move(next);
  return changed;
}

}  // namespace usp::gateway

// The gateway's MQTT topics: what it subscribes to, which controller an
// inbound message is for, and where a controller's Record goes to reach an
// agent (TR-369 "MTP Proxy": the MQTT side knows the concrete topic behind
// every filter).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/gateway_config.hpp"
#include "usp/mqtt_version.hpp"

namespace usp::gateway {

// Where an agent listens, as learned (or guessed from the template).
struct agent_route {
  std::string topic;                       // its own topic: where its Records go
  mqtt_version version = mqtt_version::v5; // how it takes a reply-to
  bool learned = false;                    // false: topic from agents.topic_template
};

// An inbound message on a controller topic.
struct inbound {
  std::size_t controller = 0;              // index into gateway_config::controllers
  std::optional<std::string> reply_to;     // 3.1.1 "/reply-to=" suffix, unescaped (R-MQTT.25)
};

// A Record on its way to an agent.
struct outbound {
  std::string topic;
  std::string response_topic;              // MQTT 5 Response Topic (empty for 3.1.1 agents)
};

class topic_map {
 public:
  explicit topic_map(const gateway_config& cfg);

  // Every filter to subscribe to: per controller "<topic>/#" (which also
  // matches "<topic>" itself, and the 3.1.1 agents' "/reply-to=" form) under
  // the partition prefix and shared group when configured; the presence
  // filter.
  std::vector<std::string> filters() const;
  // The controller a message on `topic` is for; nullopt when none.
  std::optional<inbound> classify(std::string_view topic) const;
  // The agent whose presence `topic` reports; nullopt when not a presence topic.
  std::optional<std::string> presence_agent(std::string_view topic) const;

  // The fallback route from agents.topic_template.
  agent_route guess(std::string_view agent_eid) const;
  // How to publish to `route` so that its answer comes back on `controller`'s
  // topic: Response Topic for 5.0, the "/reply-to=" suffix for 3.1.1 (R-MQTT.23/24).
  outbound to_agent(const agent_route& route, std::size_t controller) const;

 private:
  std::vector<std::string> controller_topics_;
  std::unordered_map<std::string, std::size_t> by_topic_;
  std::string partition_prefix_;           // "usp/part/3/" when partitioned, else ""
  std::string shared_prefix_;              // "$share/<group>/" or ""
  std::string presence_filter_;
  std::string topic_template_;
};

// Learns an agent's route from one of its Records (an MQTTConnectRecord
// names its topic and version; otherwise the MQTT 5 Response Topic or the
// 3.1.1 reply-to says where it listens). Returns whether anything changed.
bool learn_route(agent_route& route, bool is_mqtt_connect, std::uint32_t connect_version,
                 std::string_view subscribed_topic, std::string_view response_topic,
                 const std::optional<std::string>& reply_to);

}  // namespace usp::gateway

// The gateway's routing of arbitrary MQTT messages and controller Records:
// each input is a sequence of events (split at "\xff\xffNEXT\xff\xff"), the
// first byte of each saying what it is, its fields split at '\x1f':
//
//   'M' topic 0x1f response_topic 0x1f payload   an MQTT message reaches the
//       gateway: presence topic -> parse_presence -> router::presence; else
//       topic_map::classify (3.1.1 reply-to) -> scan_envelope -> to_id check
//       -> router::from_agent, the steps of mqtt_side::on_message (which owns
//       an MQTT client, so they are repeated here);
//   'C' controller 0x1f agent 0x1f record       router::from_controller;
//   'L' version 0x1f subscribed 0x1f response 0x1f reply_to   learn_route.
//
// The router is fresh per input and runs on an io_context polled after each
// event. Both controllers are in listen mode: nothing dials out.
#include <boost/asio/io_context.hpp>

#include <string>
#include <vector>

#include "config/gateway_config.hpp"
#include "fuzz_input.hpp"
#include "router.hpp"
#include "routing/presence.hpp"
#include "routing/snapshot.hpp"
#include "routing/topics.hpp"
#include "usp/envelope.hpp"
#include "usp/partition.hpp"

namespace usp::gateway {
namespace {

constexpr const char* config = R"(
mqtt: {host: 127.0.0.1, client_id: gw-fuzz}
presence_topic: usp/presence/+
controllers:
  - endpoint_id: self::acme-controller
    mqtt_topic: usp/controller/acme
    websocket: {mode: listen}
  - endpoint_id: self::other
    mqtt_topic: usp/controller/other
    websocket: {mode: listen}
agents:
  topic_template: usp/agent/{eid}
  queue: {max_records: 4, ttl_s: 60}
  max_record_bytes: 4096
listen: {address: 127.0.0.1, port: 0, path_prefix: /usp/}
)";

const snapshot_ptr& snapshot() {
  static const snapshot_ptr snap = routing_snapshot::make(parse_gateway_config(config, "fuzz.yaml"));
  return snap;
}

void check_outbound(const outbound& o) {
  if (o.topic.empty()) usp::fuzz::broken("a Record routed to an empty topic");
}

void mqtt_message(router& r, std::string_view topic, std::string_view response_topic, std::string_view payload) {
  const auto& snap = snapshot();
  if (auto eid = snap->topics.presence_agent(topic)) {
    const auto e = parse_presence(payload);
    if (!e || e->eid != *eid) return;
    const auto& mc = snap->cfg.mqtt;
    if (partition_of(e->eid, mc.partitions) != mc.partition) return;
    r.presence(*e);
    return;
  }
  auto in = snap->topics.classify(topic);
  if (!in) return;
  if (in->controller >= snap->cfg.controllers.size()) usp::fuzz::broken("classify gave a controller out of range");
  if (payload.size() > snap->cfg.agents.max_record_bytes) return;
  boost::system::error_code ec;
  const auto env = scan_envelope(payload, ec);
  if (!env || env->to_id != snap->cfg.controllers[in->controller].endpoint_id) return;
  agent_record rec;
  rec.controller = in->controller;
  rec.record.assign(payload);
  rec.from_id.assign(env->from_id);
  rec.is_mqtt_connect = env->type == record_type::mqtt_connect;
  rec.connect_version = env->mqtt_version;
  rec.subscribed_topic.assign(env->subscribed_topic);
  rec.response_topic.assign(response_topic);
  rec.reply_to = std::move(in->reply_to);
  r.from_agent(snap, std::move(rec));
}

void learn(std::string_view version, std::string_view subscribed, std::string_view response, std::string_view reply) {
  const auto& snap = snapshot();
  agent_route route = snap->topics.guess("os::000413-000413AABBCC");
  const bool connect = !version.empty();
  const std::uint32_t v = connect ? static_cast<std::uint8_t>(version.front()) % 3 : 0;
  std::optional<std::string> reply_to;
  if (!reply.empty()) reply_to = std::string(reply);
  learn_route(route, connect, v, subscribed, response, reply_to);
  for (std::size_t c = 0; c < snap->cfg.controllers.size(); ++c) check_outbound(snap->topics.to_agent(route, c));
}

std::string_view field(const std::vector<std::string_view>& f, std::size_t i) { return i < f.size() ? f[i] : ""; }

}  // namespace
}  // namespace usp::gateway

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace usp::gateway;
  usp::fuzz::quiet();
  boost::asio::io_context io;
  gateway_stats stats;
  std::size_t published = 0;
  router_ports ports;
  ports.publish = [&published](outbound where, std::string record) {
    check_outbound(where);
    if (record.empty()) usp::fuzz::broken("an empty Record published");
    ++published;
  };
  ports.directory = [](const std::string&, bool) {};
  {
    router r(io.get_executor(), snapshot(), stats, ports);
    for (const auto event : usp::fuzz::split(usp::fuzz::as_view(data, size), "\xff\xffNEXT\xff\xff")) {
      if (event.empty()) continue;
      const auto f = usp::fuzz::split(event.substr(1), "\x1f");
      switch (event.front()) {
        case 'M': mqtt_message(r, field(f, 0), field(f, 1), field(f, 2)); break;
        case 'C': r.from_controller(std::string(field(f, 0)), std::string(field(f, 1)), field(f, 2)); break;
        case 'L': learn(field(f, 0), field(f, 1), field(f, 2), field(f, 3)); break;
        default: break;
      }
      io.poll();
    }
    bool drained = false;
    r.drain([&drained] { drained = true; });
    io.poll();
  }
  io.poll();
  return 0;
}

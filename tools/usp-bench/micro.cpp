// usp-bench-micro: Google Benchmark micro-benchmarks of the per-Record work
// on the gateway's hot path (docs/PERFORMANCE.md, "Gateway"):
//  - codec: scan_envelope (what the gateway and the plugin read of a Record),
//    decode_record / decode_msg (a full parse), make_no_session_record;
//  - routing: topic_map::classify, learn_route, to_agent;
//  - reply-to: split_reply_to / append_reply_to (MQTT 3.1.1).
#include <benchmark/benchmark.h>

#include "config/gateway_config.hpp"
#include "routing/topics.hpp"
#include "usp/envelope.hpp"
#include "usp/record.hpp"
#include "usp/reply_to.hpp"

namespace {

constexpr const char* agent_eid = "os::000413-000413B00001";
constexpr const char* controller_eid = "self::acme-controller";

usp::Msg get_resp() {
  usp::Msg m;
  m.mutable_header()->set_msg_id("b12345");
  m.mutable_header()->set_msg_type(usp::Header::GET_RESP);
  auto* r = m.mutable_body()->mutable_response()->mutable_get_resp()->add_req_path_results();
  r->set_requested_path("Device.DeviceInfo.");
  auto* res = r->add_resolved_path_results();
  res->set_resolved_path("Device.DeviceInfo.");
  for (const char* k : {"Manufacturer", "ManufacturerOUI", "ModelName", "SerialNumber", "SoftwareVersion",
                        "HardwareVersion", "ProductClass", "UpTime"}) {
    (*res->mutable_result_params())[k] = std::string("value-of-") + k;
  }
  return m;
}

usp::Msg get_req() {
  usp::Msg m;
  m.mutable_header()->set_msg_id("b12345");
  m.mutable_header()->set_msg_type(usp::Header::GET);
  m.mutable_body()->mutable_request()->mutable_get()->add_param_paths("Device.DeviceInfo.");
  return m;
}

void BM_scan_envelope(benchmark::State& s) {
  const auto wire = usp::make_no_session_record(agent_eid, controller_eid, get_resp());
  boost::system::error_code ec;
  for (auto _ : s) benchmark::DoNotOptimize(usp::scan_envelope(wire, ec));
  s.SetBytesProcessed(static_cast<std::int64_t>(s.iterations() * wire.size()));
}
BENCHMARK(BM_scan_envelope);

void BM_decode_record(benchmark::State& s) {
  const auto wire = usp::make_no_session_record(agent_eid, controller_eid, get_resp());
  boost::system::error_code ec;
  for (auto _ : s) benchmark::DoNotOptimize(usp::decode_record(wire, ec));
}
BENCHMARK(BM_decode_record);

void BM_decode_record_and_msg(benchmark::State& s) {
  const auto wire = usp::make_no_session_record(agent_eid, controller_eid, get_resp());
  boost::system::error_code ec;
  for (auto _ : s) {
    auto r = usp::decode_record(wire, ec);
    benchmark::DoNotOptimize(usp::decode_msg(r->no_session_context().payload(), ec));
  }
}
BENCHMARK(BM_decode_record_and_msg);

void BM_make_no_session_record(benchmark::State& s) {
  const auto msg = get_req();
  for (auto _ : s) benchmark::DoNotOptimize(usp::make_no_session_record(controller_eid, agent_eid, msg));
}
BENCHMARK(BM_make_no_session_record);

usp::gateway::gateway_config config(bool partitioned) {
  std::string y =
      "mqtt: {host: 127.0.0.1, port: 1883, username: usp-gateway" + std::string(partitioned ? ", partition: 3/8" : "") +
      "}\npresence_topic: usp/presence/+\ncontrollers:\n";
  for (int i = 0; i < 8; ++i) {
    y += "  - endpoint_id: self::controller-" + std::to_string(i) + "\n    mqtt_topic: usp/controller/c" +
         std::to_string(i) + "\n    websocket: {mode: dial, url: 'ws://127.0.0.1:1/usp'}\n";
  }
  return usp::gateway::parse_gateway_config(y, "bench.yaml");
}

void BM_classify_v5(benchmark::State& s) {
  const usp::gateway::topic_map map(config(false));
  for (auto _ : s) benchmark::DoNotOptimize(map.classify("usp/controller/c5"));
}
BENCHMARK(BM_classify_v5);

void BM_classify_v311_reply_to(benchmark::State& s) {
  const usp::gateway::topic_map map(config(true));
  const auto topic = usp::append_reply_to("usp/part/3/usp/controller/c5", std::string("usp/agent/") + agent_eid);
  for (auto _ : s) benchmark::DoNotOptimize(map.classify(topic));
}
BENCHMARK(BM_classify_v311_reply_to);

void BM_classify_miss(benchmark::State& s) {
  const usp::gateway::topic_map map(config(false));
  for (auto _ : s) benchmark::DoNotOptimize(map.classify("usp/presence/os::000413-000413B00001"));
}
BENCHMARK(BM_classify_miss);

void BM_learn_route_unchanged(benchmark::State& s) {
  usp::gateway::agent_route route;
  const std::string topic = std::string("usp/agent/") + agent_eid;
  usp::gateway::learn_route(route, false, 0, {}, topic, std::nullopt);
  for (auto _ : s) benchmark::DoNotOptimize(usp::gateway::learn_route(route, false, 0, {}, topic, std::nullopt));
}
BENCHMARK(BM_learn_route_unchanged);

void BM_learn_route_connect(benchmark::State& s) {
  const std::string topic = std::string("usp/agent/") + agent_eid;
  for (auto _ : s) {
    usp::gateway::agent_route route;
    benchmark::DoNotOptimize(usp::gateway::learn_route(route, true, 1, topic, {}, std::nullopt));
  }
}
BENCHMARK(BM_learn_route_connect);

void BM_to_agent_v5(benchmark::State& s) {
  const usp::gateway::topic_map map(config(false));
  const auto route = map.guess(agent_eid);
  for (auto _ : s) benchmark::DoNotOptimize(map.to_agent(route, 5));
}
BENCHMARK(BM_to_agent_v5);

void BM_to_agent_v311(benchmark::State& s) {
  const usp::gateway::topic_map map(config(false));
  auto route = map.guess(agent_eid);
  route.version = usp::mqtt_version::v3_1_1;
  for (auto _ : s) benchmark::DoNotOptimize(map.to_agent(route, 5));
}
BENCHMARK(BM_to_agent_v311);

void BM_split_reply_to(benchmark::State& s) {
  const auto topic = usp::append_reply_to("usp/controller/acme", std::string("usp/agent/") + agent_eid);
  for (auto _ : s) benchmark::DoNotOptimize(usp::split_reply_to(topic));
}
BENCHMARK(BM_split_reply_to);

void BM_split_reply_to_none(benchmark::State& s) {
  for (auto _ : s) benchmark::DoNotOptimize(usp::split_reply_to("usp/controller/acme"));
}
BENCHMARK(BM_split_reply_to_none);

void BM_append_reply_to(benchmark::State& s) {
  const std::string own = std::string("usp/agent/") + agent_eid;
  for (auto _ : s) benchmark::DoNotOptimize(usp::append_reply_to("usp/controller/acme", own));
}
BENCHMARK(BM_append_reply_to);

}  // namespace

BENCHMARK_MAIN();

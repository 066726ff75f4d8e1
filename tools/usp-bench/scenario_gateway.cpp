// gateway / mqtt-baseline: Get round trips to N phones, from a controller on
// MQTT straight to the phones (the baseline, no gateway) and from a
// controller on WebSocket through usp-gateway, same phones, same run.
//
// One mosquitto with mosquitto_usp.so (as deployed), one `usp-agent --fleet
// N` (MQTT 5, client id = endpoint id), one usp-gateway (dial: it opens a
// WebSocket per phone to our controller; listen: our controller dials the
// gateway per phone). Our process holds both controllers, with the same
// endpoint id:
//  - WebSocket: the gateway's controller; every phone's Boot! reaches it.
//  - MQTT: a privileged client on its own controller topic, so the phones'
//    answers to it (published to its reply-to) never pass the gateway.
// For each in-flight level the baseline runs, then the gateway, each for
// --seconds: requests go to the phones in turn, a new one as each answer
// arrives (closed loop), or paced at --rate round trips per second with the
// level as a cap (open loop, for latency at a given rate).
//
// Per row: round trips/s (= Records/s each way), latency percentiles, and
// per process the CPU time per round trip and the peak RSS. A round trip is
// two Records forwarded by the gateway and two messages relayed by the
// broker, so gateway CPU / broker CPU per round trip is also the ratio per
// Record.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <set>

#include "proc_stats.hpp"
#include "rig.hpp"
#include "scenarios.hpp"
#include "usp_test/wait.hpp"

namespace usp::bench {

namespace {

bool is_boot(const ctl::received_record& r) {
  return r.msg && r.msg->body().request().notify().event().event_name() == "Boot!";
}

}  // namespace

std::vector<result> run_gateway(const options& o) {
  const bool with_gateway = o.scenario == "gateway";
  const bool baseline = o.scenario == "mqtt-baseline" || (with_gateway && o.baseline);
  rig g(o, o.phones, with_gateway);
  const unsigned n = g.n;
  std::set<std::string> booted;
  // A Get from a controller: `send` puts it on the wire.
  auto get_via = [](auto send) {
    return [send](const std::string& eid, const std::string& id, steady::time_point) {
      usp::Msg m;
      m.mutable_header()->set_msg_id(id);
      m.mutable_header()->set_msg_type(usp::Header::GET);
      m.mutable_body()->mutable_request()->mutable_get()->add_param_paths("Device.DeviceInfo.");
      return send(eid, m);
    };
  };

  // The WebSocket controller (the gateway's peer).
  std::optional<driver> ws_driver;
  if (with_gateway) {
    ws_driver.emplace(g.io, g.eids, get_via([&](const std::string& e, const usp::Msg& m) { return g.ws->send(e, m); }));
    g.ws->on_record = [&](const ctl::received_record& r) {
      if (is_boot(r)) booted.insert(r.record.from_id());
      ws_driver->on_record(r);
    };
  }

  // The MQTT controller (the baseline): alone, on the phones' controller topic.
  std::optional<driver> mq_driver;
  if (baseline) {
    mq_driver.emplace(g.io, g.eids, get_via([&](const std::string& e, const usp::Msg& m) { return g.mq->send(e, m); }));
    g.start_mqtt(with_gateway ? direct_topic : gw_topic, [&](const ctl::received_record& r) {
      if (!with_gateway && is_boot(r)) booted.insert(r.record.from_id());
      mq_driver->on_record(r);
    });
  }

  // The phones.
  {
    std::ofstream f(g.dir.file("settings.txt"));
    f << "tr369_enable2!: on\ntr369_mqtt_hostport2!: 127.0.0.1:" << g.broker.port()
      << "\ntr369_mqtt_version2!: 5.0\ntr369_mqtt_clientid2!: {eid}\ntr369_mqtt_topic2!: " << gw_topic
      << "\ntr369_controller_endpointid2!: " << controller_eid << "\n";
  }
  std::vector<std::string> argv = {o.agent_bin, "--fleet", std::to_string(n), "--mac-base", mac_of(0),
                                   "--settings", g.dir.file("settings.txt"), "--state-dir", g.dir.file("state"),
                                   "--factory", o.config_dir + "/factory.txt", "--param-map",
                                   o.config_dir + "/param_map", "--log-level", "warn"};
  if (o.threads) argv.insert(argv.end(), {"--threads", std::to_string(o.threads)});
  if (o.connect_rate) argv.insert(argv.end(), {"--connect-rate", std::to_string(o.connect_rate)});
  const auto t0 = steady::now();
  test::child_process agent(argv, g.dir.file("agent.log"));
  const auto limit = std::chrono::seconds(60) + std::chrono::milliseconds(20ull * n);
  if (!g.wait_for([&] { return booted.size() == n || !agent.running(); }, limit)) {
    std::fprintf(stderr, "gateway: only %zu of %u phones booted; agent log:\n%s\n", booted.size(), n,
                 agent.output().substr(0, 4000).c_str());
  }
  const double boot_s = std::chrono::duration<double>(steady::now() - t0).count();
  if (booted.size() < n) throw std::runtime_error("not every phone booted");
  test::run_until(g.io, [] { return false; }, std::chrono::seconds(1));  // NotifyResps settle

  g.watch("usp-agent", agent.pid());
  g.watch("usp-bench", getpid());
  g.print_up("booted", boot_s);

  std::vector<result> rows;
  auto measure = [&](const char* label, driver& d, unsigned inflight) {
    rows.push_back(g.measure(label, inflight, std::string(label) != "mqtt-baseline", [&](const auto& start, const auto& end) {
      return d.run(inflight, o.rate, std::chrono::milliseconds(500),
                   std::chrono::duration_cast<std::chrono::milliseconds>(o.duration), start, end);
    }));
    print_row(rows.back());
  };
  const std::string gw_label = "gateway-" + o.ws_mode;
  for (const unsigned inflight : o.inflight_levels) {
    if (baseline) measure("mqtt-baseline", *mq_driver, inflight);
    if (with_gateway) measure(gw_label.c_str(), *ws_driver, inflight);
    if (baseline && with_gateway) rig::print_ratio("in flight " + std::to_string(inflight), rows[rows.size() - 2], rows.back());
  }
  g.finish([&] { agent.stop(std::chrono::seconds(10)); });
  return rows;
}

}  // namespace usp::bench

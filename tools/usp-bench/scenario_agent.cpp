#include <unistd.h>

#include <fstream>
#include <map>

#include "mqtt_controller.hpp"
#include "proc_stats.hpp"
#include "scenarios.hpp"
#include "usp_test/mosquitto_broker.hpp"
#include "usp_test/process.hpp"
#include "usp_test/temp_dir.hpp"
#include "usp_test/wait.hpp"

namespace usp::bench {

namespace {
constexpr const char* agent_eid = "os::000413-000413BE0001";
constexpr const char* controller_eid = "self::bench-controller";
constexpr const char* controller_topic = "usp/controller/bench";

usp::Msg get_request(const std::string& id) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(id);
  m.mutable_header()->set_msg_type(usp::Header::GET);
  m.mutable_body()->mutable_request()->mutable_get()->add_param_paths("Device.DeviceInfo.");
  return m;
}
}  // namespace

result run_agent_get(const options& o) {
  test::mosquitto_broker broker;
  test::temp_dir dir;
  {
    std::ofstream f(dir.file("settings.txt"));
    f << "tr369_enable2!: on\ntr369_mqtt_hostport2!: 127.0.0.1:" << broker.port()
      << "\ntr369_mqtt_version2!: 5.0\ntr369_mqtt_topic2!: " << controller_topic
      << "\ntr369_controller_endpointid2!: " << controller_eid << "\n";
  }
  test::child_process agent({o.agent_bin, "--mac", "000413BE0001", "--settings", dir.file("settings.txt"),
                             "--state-dir", dir.file("state"), "--factory", o.config_dir + "/factory.txt",
                             "--param-map", o.config_dir + "/param_map", "--log-level", "warn"},
                            dir.file("agent.log"));

  boost::asio::io_context io;
  ctl::mqtt_controller_options co;
  co.mqtt.port = broker.port();
  co.mqtt.client_id = "bench-controller";
  co.mqtt.max_inflight = 100000;
  co.endpoint_id = controller_eid;
  co.topic = controller_topic;
  ctl::mqtt_controller ctl(io.get_executor(), co);
  bool booted = false;
  std::map<std::string, std::chrono::steady_clock::time_point> pending;
  result r;
  r.scenario = o.scenario;
  r.inflight = o.inflight;
  bool measuring = false;
  bool sending = true;
  std::uint64_t next = 0;
  auto send_one = [&] {
    const auto id = "b" + std::to_string(++next);
    pending[id] = std::chrono::steady_clock::now();
    if (!ctl.send(agent_eid, get_request(id))) {
      pending.erase(id);
      ++r.drops;
    }
  };
  ctl.on_record = [&](const ctl::received_record& rec) {
    if (!rec.msg) return;
    if (rec.msg->body().request().has_notify()) {
      booted = true;
      return;
    }
    const auto it = pending.find(rec.msg->header().msg_id());
    if (it == pending.end()) return;
    if (measuring) {
      r.latencies.push_back(std::chrono::steady_clock::now() - it->second);
      ++r.records;
    }
    pending.erase(it);
    if (sending) send_one();
  };
  ctl.start();
  if (!test::run_until(io, [&] { return booted; }, std::chrono::seconds(20))) {
    throw std::runtime_error("the agent did not boot:\n" + agent.output());
  }
  for (unsigned i = 0; i < o.inflight; ++i) send_one();
  // Warm up, then measure.
  test::run_until(io, [] { return false; }, std::chrono::milliseconds(500));
  const auto agent_before = sample(agent.pid());
  const auto broker_before = sample(broker.pid());
  const auto self_before = sample(getpid());
  const auto t0 = std::chrono::steady_clock::now();
  measuring = true;
  test::run_until(io, [] { return false; }, o.duration);
  measuring = false;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto agent_after = sample(agent.pid());
  const auto broker_after = sample(broker.pid());
  const auto self_after = sample(getpid());
  sending = false;
  test::run_until(io, [&] { return pending.empty(); }, std::chrono::seconds(5));
  const double n = std::max<double>(1, static_cast<double>(r.records));
  r.processes.push_back({"usp-agent", (agent_after.cpu_seconds - agent_before.cpu_seconds) * 1e6 / n, agent_after.peak_kib});
  r.processes.push_back({"mosquitto", (broker_after.cpu_seconds - broker_before.cpu_seconds) * 1e6 / n,
                         broker_after.peak_kib});
  r.processes.push_back({"controller", (self_after.cpu_seconds - self_before.cpu_seconds) * 1e6 / n, self_after.peak_kib});
  ctl.stop();
  agent.stop();
  return r;
}

}  // namespace usp::bench

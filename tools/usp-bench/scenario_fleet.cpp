// fleet: how fast `usp-agent --fleet N` brings N phones up, and what an
// idle phone costs in memory.
//
// A private mosquitto, one usp-agent process with N phones (default
// threads and connect rate unless given), and a controller on the
// controller topic that answers every Boot! (send_resp) as a real one would.
// Figures: time from starting the process until the N-th Connect Record and
// the N-th Boot!, phones per second, then, once the boot traffic has settled,
// the agent's VmRSS and VmRSS per phone. The memory a phone adds is best read
// from two runs: (RSS(N2) - RSS(N1)) / (N2 - N1).
#include <cstdio>
#include <fstream>
#include <set>

#include "mqtt_controller.hpp"
#include "proc_stats.hpp"
#include "scenarios.hpp"
#include "usp/fd_limit.hpp"
#include "usp_test/mosquitto_broker.hpp"
#include "usp_test/process.hpp"
#include "usp_test/temp_dir.hpp"
#include "usp_test/wait.hpp"

namespace usp::bench {

namespace {

constexpr const char* controller_eid = "self::bench-controller";
constexpr const char* controller_topic = "usp/controller/bench";

using steady = std::chrono::steady_clock;

double since(steady::time_point t0, steady::time_point t) { return std::chrono::duration<double>(t - t0).count(); }

bool is_boot(const ctl::received_record& r) {
  return r.msg && r.msg->body().request().notify().event().event_name() == "Boot!";
}

}  // namespace

result run_fleet(const options& o) {
  const unsigned n = std::max(1u, o.phones);
  // The broker and the fleet inherit it: each needs a descriptor per phone.
  const auto fd_limit = usp::raise_fd_limit();
  test::broker_options bo;
  bo.config_lines = {"max_connections -1", "connection_messages false"};
  test::mosquitto_broker broker(std::move(bo));
  test::temp_dir dir;
  {
    std::ofstream f(dir.file("settings.txt"));
    f << "tr369_enable2!: on\ntr369_mqtt_hostport2!: 127.0.0.1:" << broker.port()
      << "\ntr369_mqtt_version2!: 5.0\ntr369_mqtt_clientid2!: fleet-{mac}\ntr369_mqtt_topic2!: " << controller_topic
      << "\ntr369_controller_endpointid2!: " << controller_eid << "\n";
  }

  boost::asio::io_context io;
  ctl::mqtt_controller_options co;
  co.mqtt.port = broker.port();
  co.mqtt.client_id = "bench-controller";
  co.mqtt.max_inflight = 1u << 20;  // a NotifyResp for every Boot!
  co.endpoint_id = controller_eid;
  co.topic = controller_topic;
  ctl::mqtt_controller ctl(io.get_executor(), co);
  std::set<std::string> connected, booted;
  steady::time_point last_connect, last_boot, last_record;
  ctl.on_record = [&](const ctl::received_record& r) {
    last_record = steady::now();
    if (r.record.has_mqtt_connect() && connected.insert(r.record.from_id()).second) last_connect = last_record;
    if (is_boot(r) && booted.insert(r.record.from_id()).second) last_boot = last_record;
  };
  ctl.start();
  if (!test::run_until(io, [&] { return ctl.ready(); })) throw std::runtime_error("controller did not connect");

  std::vector<std::string> argv = {o.agent_bin, "--fleet", std::to_string(n), "--mac-base", "000413B00000",
                                   "--settings", dir.file("settings.txt"), "--state-dir", dir.file("state"),
                                   "--factory", o.config_dir + "/factory.txt", "--param-map",
                                   o.config_dir + "/param_map", "--log-level", "warn"};
  if (o.threads) argv.insert(argv.end(), {"--threads", std::to_string(o.threads)});
  if (o.connect_rate) argv.insert(argv.end(), {"--connect-rate", std::to_string(o.connect_rate)});
  const auto t0 = steady::now();
  test::child_process agent(argv, dir.file("agent.log"));
  const auto limit = std::chrono::seconds(60) + std::chrono::milliseconds(20ull * n);
  if (!test::run_until(io, [&] { return booted.size() == n || !agent.running(); }, limit)) {
    std::fprintf(stderr, "fleet: only %zu of %u phones booted; agent log:\n%s\n", booted.size(), n,
                 agent.output().substr(0, 4000).c_str());
  }
  const auto boot_cpu = sample(agent.pid()).cpu_seconds;
  // Settled: no Record for a second (NotifyResps answered, nothing retried).
  // run_until wakes on events only, so it waits in short slices.
  for (const auto end = steady::now() + std::chrono::seconds(30);
       steady::now() - last_record < std::chrono::seconds(1) && steady::now() < end;) {
    test::run_until(io, [] { return false; }, std::chrono::milliseconds(100));
  }
  test::run_until(io, [] { return false; }, o.duration);
  const auto agent_now = sample(agent.pid());
  const auto broker_now = sample(broker.pid());

  const auto t_stop = steady::now();
  const int status = agent.stop(std::chrono::seconds(10));
  const double stop_s = since(t_stop, steady::now());
  ctl.stop();

  const double boot_s = since(t0, last_boot);
  std::printf("fleet: %u phones (open files limit %llu)\n", n, static_cast<unsigned long long>(fd_limit));
  std::printf("  %zu Connect Records, the last %.2f s after start; %zu Boot!, the last %.2f s after start\n",
              connected.size(), since(t0, last_connect), booted.size(), boot_s);
  std::printf("  %.0f phones/s up to Boot!; agent CPU %.2f s for the boot (%.0f us per phone)\n",
              boot_s > 0 ? static_cast<double>(booted.size()) / boot_s : 0, boot_cpu,
              boot_cpu * 1e6 / static_cast<double>(n));
  std::printf("  idle: agent VmRSS %.1f MiB, %.1f KiB per phone (peak %.1f MiB); mosquitto VmRSS %.1f MiB\n",
              static_cast<double>(agent_now.rss_kib) / 1024.0,
              static_cast<double>(agent_now.rss_kib) / static_cast<double>(n),
              static_cast<double>(agent_now.peak_kib) / 1024.0, static_cast<double>(broker_now.rss_kib) / 1024.0);
  std::printf("  SIGTERM: exit status %d after %.2f s\n", status, stop_s);

  result r;
  r.scenario = o.scenario;
  r.phones = n;
  r.seconds = boot_s;
  r.records = booted.size();
  r.drops = n - booted.size();
  r.processes.push_back({"usp-agent", boot_cpu * 1e6 / static_cast<double>(n), agent_now.peak_kib});
  r.processes.push_back({"mosquitto", 0, broker_now.peak_kib});
  return r;
}

}  // namespace usp::bench

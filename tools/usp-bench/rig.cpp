#include "rig.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <boost/asio/steady_timer.hpp>

#include "proc_stats.hpp"
#include "usp/http_fetch.hpp"
#include "usp/fd_limit.hpp"
#include "usp_test/wait.hpp"

namespace usp::bench {

namespace {

test::broker_options broker_config(const options& o) {
  test::broker_options bo;
  bo.config_lines = {"max_connections -1",
                     "connection_messages false",
                     "plugin " + o.plugin_path,
                     "plugin_opt_agent_topic usp/agent/{eid}",
                     std::string("plugin_opt_controller_topics ") + gw_topic + " " + direct_topic,
                     "plugin_opt_privileged_usernames usp-gateway",
                     "plugin_opt_presence_topic usp/presence/{eid}"};
  return bo;
}

double mib(std::uint64_t kib) { return static_cast<double>(kib) / 1024.0; }

}  // namespace

std::string mac_of(unsigned i) {
  char mac[16];
  std::snprintf(mac, sizeof mac, "000413%06X", 0xB00000u + i);
  return mac;
}

rig::rig(const options& o, unsigned phones, bool gateway)
    : opts(o), n(std::max(1u, phones)), with_gateway(gateway),
      fd_limit(usp::raise_fd_limit()),  // mosquitto, gateway, phones and we inherit it
      broker(broker_config(o)) {
  for (unsigned i = 0; i < n; ++i) eids.push_back("os::000413-" + mac_of(i));
  if (with_gateway) start_gateway();
  if (with_gateway) watch("usp-gateway", gw->pid());
  watch("mosquitto", broker.pid());
}

rig::~rig() = default;

void rig::start_gateway() {
  ws = std::make_unique<ctl::ws_controller>(io.get_executor(), ctl::ws_controller_options{controller_eid, true, {}});
  const bool dial = opts.ws_mode == "dial";
  if (dial) ws->listen("127.0.0.1", 0);
  std::ostringstream y;
  y << "mqtt:\n  host: 127.0.0.1\n  port: " << broker.port() << "\n  client_id: usp-gateway-bench\n  username: usp-gateway\n"
    << "presence_topic: usp/presence/+\ncontrollers:\n  - endpoint_id: " << controller_eid << "\n    mqtt_topic: "
    << gw_topic << "\n    websocket:\n";
  if (dial) {
    y << "      mode: dial\n      url: ws://127.0.0.1:" << ws->port()
      << "/usp\n      keepalive_s: 0\n      retry_min_wait_s: 1\n      retry_max_wait_s: 2\n";
  } else {
    gw_listen_port_ = test::pick_free_port();
    y << "      mode: listen\n      keepalive_s: 0\nlisten: {address: 127.0.0.1, port: " << gw_listen_port_
      << ", path_prefix: /usp/}\n";
    ws->on_session_close = [this](const std::string& e, const mtp::ws_close_info&) { dialling_.erase(e); };
  }
  const auto http_port = test::pick_free_port();
  y << "agents:\n  queue: {max_records: 16, ttl_s: 600}\nhttp: {address: 127.0.0.1, port: " << http_port << "}\nthreads: "
    << std::max(1u, opts.gw_threads) << "\n";
  std::ofstream(dir.file("gateway.yaml")) << y.str();
  // At warn the gateway logs nothing per session or Record. Nothing to wait
  // for here: in dial mode it dials us as phones appear, in listen mode we
  // retry until it accepts.
  gw = std::make_unique<test::child_process>(
      std::vector<std::string>{opts.gateway_bin, "--config", dir.file("gateway.yaml"), "--log-level", "warn"},
      dir.file("gateway.log"));
  wait_ready(http_port);
}

// Ready means subscribed (/readyz): a phone's Record published before that
// finds no subscriber and is lost, and light phones send their Connect
// Record once. Asked every 20 ms.
void rig::wait_ready(std::uint16_t http_port) {
  bool ready = false, asking = false;
  boost::asio::steady_timer tick(io);
  std::function<void()> ask = [&] {
    if (ready) return;
    if (!asking) {
      asking = true;
      http::fetch_options f;
      f.url = "http://127.0.0.1:" + std::to_string(http_port) + "/readyz";
      f.timeout = std::chrono::seconds(2);
      http::fetch(io.get_executor(), f, [&](http::fetch_result r) {
        asking = false;
        ready = r.status == 200 && r.body == "ready\n";
      });
    }
    tick.expires_after(std::chrono::milliseconds(20));
    tick.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) ask();
    });
  };
  ask();
  test::run_until(io, [&] { return ready || !gw->running(); }, std::chrono::seconds(20));
  tick.cancel();
  test::run_until(io, [&] { return !asking; }, std::chrono::seconds(3));  // the last answer (2 s timeout)
  io.restart();
  io.poll();  // the cancelled wait, while `tick` lives
  if (!ready) throw std::runtime_error("usp-gateway did not become ready:\n" + gw->output().substr(0, 4000));
}

void rig::start_mqtt(const std::string& topic, std::function<void(const ctl::received_record&)> on_record) {
  ctl::mqtt_controller_options co;
  co.mqtt.port = broker.port();
  co.mqtt.client_id = "bench-controller";
  co.mqtt.username = "usp-gateway";  // privileged: may publish to every phone's topic
  co.mqtt.max_inflight = 1u << 20;
  co.endpoint_id = controller_eid;
  co.topic = topic;
  mq = std::make_unique<ctl::mqtt_controller>(io.get_executor(), co);
  mq->on_record = std::move(on_record);
  mq->start();
  if (!test::run_until(io, [&] { return mq->ready(); })) throw std::runtime_error("MQTT controller did not connect");
}

void rig::dial_missing(const std::function<bool()>& done) {
  if (done()) return;
  const auto base = "ws://127.0.0.1:" + std::to_string(gw_listen_port_) + "/usp/";
  for (const auto& e : eids) {
    if (dialling_.insert(e).second) ws->connect(base + e, e);
  }
}

bool rig::wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  if (!with_gateway || opts.ws_mode == "dial") return test::run_until(io, done, limit);
  boost::asio::steady_timer redial(io);
  std::function<void()> again = [&] {
    dial_missing(done);
    redial.expires_after(std::chrono::milliseconds(500));
    redial.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) again();
    });
  };
  again();
  const bool ok = test::run_until(io, done, limit);
  redial.cancel();
  io.restart();
  io.poll();  // the cancelled wait, while `redial` lives
  return ok;
}

void rig::watch(std::string name, pid_t pid, pid_t tid) { procs_.push_back({std::move(name), pid, tid}); }

void rig::print_up(const char* what, double seconds) const {
  std::printf("%s: %u phones %s in %.1f s (open files limit %llu)", opts.scenario.c_str(), n, what, seconds,
              static_cast<unsigned long long>(fd_limit));
  if (gw) {
    const auto s = sample(gw->pid());
    std::printf("; idle: usp-gateway VmRSS %.1f MiB (%.1f KiB per session), mosquitto %.1f MiB", mib(s.rss_kib),
                static_cast<double>(s.rss_kib) / n, mib(sample(broker.pid()).rss_kib));
  }
  std::printf("\n");
  std::fflush(stdout);
}

result rig::measure(const std::string& label, unsigned inflight, bool via_gateway, const window_fn& run) {
  std::vector<proc_sample> before, after;
  auto w = run(
      [&] {
        window_start = steady::now();
        for (const auto& p : procs_) before.push_back(sample(p.pid, p.tid));
      },
      [&] {
        window_end = steady::now();
        for (const auto& p : procs_) after.push_back(sample(p.pid, p.tid));
      });
  result r;
  r.scenario = label;
  r.phones = n;
  r.inflight = inflight;
  r.seconds = std::chrono::duration<double>(window_end - window_start).count();
  r.records = w.answered;
  r.drops = w.failed;
  r.latencies = std::move(w.latencies);
  const double rt = std::max<double>(1, static_cast<double>(r.records));
  // Every row has the same columns (CSV): the gateway's are 0 without it.
  if (!with_gateway) r.processes.push_back({"usp-gateway", 0, 0});
  for (std::size_t i = 0; i < procs_.size(); ++i) {
    const bool idle_gw = procs_[i].name == "usp-gateway" && !via_gateway;
    r.processes.push_back({procs_[i].name, (after[i].cpu_seconds - before[i].cpu_seconds) * 1e6 / rt,
                           idle_gw ? 0 : after[i].peak_kib});
  }
  return r;
}

void rig::print_ratio(const std::string& what, const result& base, const result& g) {
  const double rb = static_cast<double>(base.records) / base.seconds, rg = static_cast<double>(g.records) / g.seconds;
  const double broker_cpu = g.processes[1].cpu_us_per_record;
  std::printf("  %s: gateway/baseline throughput %.2f; gateway/broker CPU per Record %.2f\n", what.c_str(),
              rb > 0 ? rg / rb : 0, broker_cpu > 0 ? g.processes[0].cpu_us_per_record / broker_cpu : 0);
  std::fflush(stdout);
}

void rig::finish(const std::function<void()>& stop_phones) {
  if (gw) {
    const auto s = sample(gw->pid());
    const auto log = gw->output();
    std::printf("  usp-gateway: peak RSS %.1f MiB, %.1f KiB per session; %zu log lines\n", mib(s.peak_kib),
                static_cast<double>(s.peak_kib) / n, static_cast<std::size_t>(std::count(log.begin(), log.end(), '\n')));
  }
  if (mq) mq->stop();
  stop_phones();
  if (gw) gw->stop(std::chrono::seconds(10));
  if (ws) ws->stop();
  test::run_until(io, [] { return false; }, std::chrono::milliseconds(50));
}

}  // namespace usp::bench

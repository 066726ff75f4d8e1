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
#include <sstream>
#include <unordered_map>

#include <boost/asio/steady_timer.hpp>

#include "mqtt_controller.hpp"
#include "proc_stats.hpp"
#include "scenarios.hpp"
#include "usp/fd_limit.hpp"
#include "usp_test/mosquitto_broker.hpp"
#include "usp_test/process.hpp"
#include "usp_test/temp_dir.hpp"
#include "usp_test/wait.hpp"
#include "ws_controller.hpp"

namespace usp::bench {

namespace {

using steady = std::chrono::steady_clock;
constexpr const char* controller_eid = "self::bench-controller";
constexpr const char* gw_topic = "usp/controller/bench";       // the gateway's controller topic
constexpr const char* direct_topic = "usp/controller/direct";  // the MQTT controller's

std::string mac_of(unsigned i) {
  char mac[16];
  std::snprintf(mac, sizeof mac, "000413%06X", 0xB00000u + i);
  return mac;
}

bool is_boot(const ctl::received_record& r) {
  return r.msg && r.msg->body().request().notify().event().event_name() == "Boot!";
}

// What one measured window produced.
struct window {
  std::uint64_t sent = 0, answered = 0, failed = 0;
  std::vector<std::chrono::nanoseconds> latencies;
};

// Keeps requests in flight through one controller (either kind).
class driver {
 public:
  using send_fn = std::function<bool(const std::string& eid, const usp::Msg&)>;
  driver(boost::asio::io_context& io, const std::vector<std::string>& eids, send_fn send)
      : io_(io), eids_(eids), send_(std::move(send)), tick_(io) {}

  // A Record from a phone: an answer to one of ours?
  void on_record(const ctl::received_record& r) {
    if (!r.msg || !r.msg->body().has_response()) return;
    const auto it = pending_.find(r.msg->header().msg_id());
    if (it == pending_.end()) return;
    if (measuring_) {
      win_.latencies.push_back(steady::now() - it->second);
      ++win_.answered;
    }
    pending_.erase(it);
    if (!paced_) fill();
  }

  // Runs `inflight` (at `rate` round trips/s when > 0) for warm-up + d.
  window run(unsigned inflight, double rate, std::chrono::milliseconds warmup, std::chrono::milliseconds d,
             const std::function<void()>& at_start, const std::function<void()>& at_end) {
    cap_ = inflight;
    paced_ = rate > 0;
    rate_ = rate;
    win_ = {};
    sending_ = true;
    paced_start_ = steady::now();
    paced_sent_ = 0;
    if (paced_) arm(); else fill();
    test::run_until(io_, [] { return false; }, warmup);
    win_ = {};
    at_start();
    measuring_ = true;
    test::run_until(io_, [] { return false; }, d);
    measuring_ = false;
    at_end();
    sending_ = false;
    tick_.cancel();
    // Drain: whatever is still unanswered after 10 s is a drop.
    test::run_until(io_, [&] { return pending_.empty(); }, std::chrono::seconds(10));
    window out = std::move(win_);
    out.failed += pending_.size();
    pending_.clear();
    return out;
  }

 private:
  void send_one() {
    const auto id = "b" + std::to_string(++seq_);
    const auto& eid = eids_[next_++ % eids_.size()];
    usp::Msg m;
    m.mutable_header()->set_msg_id(id);
    m.mutable_header()->set_msg_type(usp::Header::GET);
    m.mutable_body()->mutable_request()->mutable_get()->add_param_paths("Device.DeviceInfo.");
    pending_.emplace(id, steady::now());
    if (!send_(eid, m)) {
      pending_.erase(id);
      ++win_.failed;
      return;
    }
    if (measuring_) ++win_.sent;
  }
  void fill() {
    while (sending_ && pending_.size() < cap_) send_one();
  }
  // Open loop: every 0.5 ms, send what the rate owes (within the cap).
  void arm() {
    tick_.expires_after(std::chrono::microseconds(500));
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !sending_) return;
      const double owed = rate_ * std::chrono::duration<double>(steady::now() - paced_start_).count();
      while (static_cast<double>(paced_sent_) < owed && pending_.size() < cap_) {
        send_one();
        ++paced_sent_;
      }
      // Owed requests that the cap held back are skipped, not bunched later.
      if (static_cast<double>(paced_sent_) < owed - static_cast<double>(cap_)) paced_sent_ = static_cast<std::uint64_t>(owed);
      arm();
    });
  }

  boost::asio::io_context& io_;
  const std::vector<std::string>& eids_;
  send_fn send_;
  boost::asio::steady_timer tick_;
  std::unordered_map<std::string, steady::time_point> pending_;
  window win_;
  std::uint64_t seq_ = 0, next_ = 0, paced_sent_ = 0;
  unsigned cap_ = 1;
  double rate_ = 0;
  bool paced_ = false, sending_ = false, measuring_ = false;
  steady::time_point paced_start_;
};

struct watched {
  std::string name;
  pid_t pid;
};

}  // namespace

std::vector<result> run_gateway(const options& o) {
  const unsigned n = std::max(1u, o.phones);
  const bool with_gateway = o.scenario == "gateway";
  const bool baseline = o.scenario == "mqtt-baseline" || (with_gateway && o.baseline);
  const auto fd_limit = usp::raise_fd_limit();  // mosquitto, gateway, fleet and we inherit it
  test::broker_options bo;
  bo.config_lines = {"max_connections -1",
                     "connection_messages false",
                     "plugin " + o.plugin_path,
                     "plugin_opt_agent_topic usp/agent/{eid}",
                     std::string("plugin_opt_controller_topics ") + gw_topic + " " + direct_topic,
                     "plugin_opt_privileged_usernames usp-gateway",
                     "plugin_opt_presence_topic usp/presence/{eid}"};
  test::mosquitto_broker broker(std::move(bo));
  test::temp_dir dir;
  boost::asio::io_context io;

  std::vector<std::string> eids;
  for (unsigned i = 0; i < n; ++i) eids.push_back("os::000413-" + mac_of(i));
  std::set<std::string> booted;

  // The WebSocket controller (the gateway's peer).
  std::unique_ptr<ctl::ws_controller> ws;
  std::optional<driver> ws_driver;
  std::unique_ptr<test::child_process> gw;
  std::uint16_t gw_listen_port = 0;
  if (with_gateway) {
    ws = std::make_unique<ctl::ws_controller>(io.get_executor(), ctl::ws_controller_options{controller_eid, true, {}});
    ws_driver.emplace(io, eids, [&](const std::string& e, const usp::Msg& m) { return ws->send(e, m); });
    ws->on_record = [&](const ctl::received_record& r) {
      if (is_boot(r)) booted.insert(r.record.from_id());
      ws_driver->on_record(r);
    };
    const bool dial = o.ws_mode == "dial";
    if (dial) ws->listen("127.0.0.1", 0);
    std::ostringstream y;
    y << "mqtt:\n  host: 127.0.0.1\n  port: " << broker.port()
      << "\n  client_id: usp-gateway-bench\n  username: usp-gateway\n"
      << "presence_topic: usp/presence/+\ncontrollers:\n  - endpoint_id: " << controller_eid
      << "\n    mqtt_topic: " << gw_topic << "\n    websocket:\n";
    if (dial) {
      y << "      mode: dial\n      url: ws://127.0.0.1:" << ws->port()
        << "/usp\n      keepalive_s: 0\n      retry_min_wait_s: 1\n      retry_max_wait_s: 2\n";
    } else {
      gw_listen_port = test::pick_free_port();
      y << "      mode: listen\n      keepalive_s: 0\nlisten: {address: 127.0.0.1, port: " << gw_listen_port
        << ", path_prefix: /usp/}\n";
    }
    y << "agents:\n  queue: {max_records: 16, ttl_s: 600}\nhttp: {address: 127.0.0.1, port: 0}\nthreads: "
      << std::max(1u, o.gw_threads) << "\n";
    std::ofstream(dir.file("gateway.yaml")) << y.str();
    // At warn the gateway logs nothing per session or Record. Nothing to wait
    // for here: in dial mode it dials us as phones appear, in listen mode we
    // retry until it accepts.
    gw = std::make_unique<test::child_process>(
        std::vector<std::string>{o.gateway_bin, "--config", dir.file("gateway.yaml"), "--log-level", "warn"},
        dir.file("gateway.log"));
  }

  // The MQTT controller (the baseline).
  std::unique_ptr<ctl::mqtt_controller> mq;
  std::optional<driver> mq_driver;
  if (baseline) {
    ctl::mqtt_controller_options co;
    co.mqtt.port = broker.port();
    co.mqtt.client_id = "bench-controller";
    co.mqtt.username = "usp-gateway";  // privileged: may publish to every phone's topic
    co.mqtt.max_inflight = 1u << 20;
    co.endpoint_id = controller_eid;
    co.topic = with_gateway ? direct_topic : gw_topic;
    mq = std::make_unique<ctl::mqtt_controller>(io.get_executor(), co);
    mq_driver.emplace(io, eids, [&](const std::string& e, const usp::Msg& m) { return mq->send(e, m); });
    mq->on_record = [&](const ctl::received_record& r) {
      if (!with_gateway && is_boot(r)) booted.insert(r.record.from_id());
      mq_driver->on_record(r);
    };
    mq->start();
    if (!test::run_until(io, [&] { return mq->ready(); })) throw std::runtime_error("MQTT controller did not connect");
  }

  // The phones.
  {
    std::ofstream f(dir.file("settings.txt"));
    f << "tr369_enable2!: on\ntr369_mqtt_hostport2!: 127.0.0.1:" << broker.port()
      << "\ntr369_mqtt_version2!: 5.0\ntr369_mqtt_clientid2!: {eid}\ntr369_mqtt_topic2!: " << gw_topic
      << "\ntr369_controller_endpointid2!: " << controller_eid << "\n";
  }
  std::vector<std::string> argv = {o.agent_bin, "--fleet", std::to_string(n), "--mac-base", mac_of(0),
                                   "--settings", dir.file("settings.txt"), "--state-dir", dir.file("state"),
                                   "--factory", o.config_dir + "/factory.txt", "--param-map",
                                   o.config_dir + "/param_map", "--log-level", "warn"};
  if (o.threads) argv.insert(argv.end(), {"--threads", std::to_string(o.threads)});
  if (o.connect_rate) argv.insert(argv.end(), {"--connect-rate", std::to_string(o.connect_rate)});
  const auto t0 = steady::now();
  test::child_process agent(argv, dir.file("agent.log"));

  // Listen mode: dial the gateway for each phone; it refuses (404) phones it
  // has not heard of yet, so retry those every 200 ms.
  std::set<std::string> dialling;  // connecting or open
  boost::asio::steady_timer redial(io);
  std::function<void()> dial_all;
  if (with_gateway && o.ws_mode != "dial") {
    ws->on_session_close = [&](const std::string& e, const mtp::ws_close_info&) { dialling.erase(e); };
    dial_all = [&] {
      const auto base = "ws://127.0.0.1:" + std::to_string(gw_listen_port) + "/usp/";
      for (const auto& e : eids) {
        if (dialling.insert(e).second) ws->connect(base + e, e);
      }
      redial.expires_after(std::chrono::milliseconds(500));
      redial.async_wait([&](const boost::system::error_code& ec) {
        if (!ec && booted.size() < n) dial_all();
      });
    };
    dial_all();
  }
  const auto limit = std::chrono::seconds(60) + std::chrono::milliseconds(20ull * n);
  if (!test::run_until(io, [&] { return booted.size() == n || !agent.running(); }, limit)) {
    std::fprintf(stderr, "gateway: only %zu of %u phones booted; agent log:\n%s\n", booted.size(), n,
                 agent.output().substr(0, 4000).c_str());
  }
  redial.cancel();
  const double boot_s = std::chrono::duration<double>(steady::now() - t0).count();
  if (booted.size() < n) throw std::runtime_error("not every phone booted");
  test::run_until(io, [] { return false; }, std::chrono::seconds(1));  // NotifyResps settle

  std::vector<watched> procs;
  if (with_gateway) procs.push_back({"usp-gateway", gw->pid()});
  procs.push_back({"mosquitto", broker.pid()});
  procs.push_back({"usp-agent", agent.pid()});
  procs.push_back({"usp-bench", getpid()});
  std::printf("%s: %u phones booted in %.1f s (open files limit %llu)", o.scenario.c_str(), n, boot_s,
              static_cast<unsigned long long>(fd_limit));
  if (with_gateway) {
    const auto s = sample(gw->pid());
    std::printf("; idle: usp-gateway VmRSS %.1f MiB (%.1f KiB per session), mosquitto %.1f MiB",
                static_cast<double>(s.rss_kib) / 1024.0, static_cast<double>(s.rss_kib) / n,
                static_cast<double>(sample(broker.pid()).rss_kib) / 1024.0);
  }
  std::printf("\n");
  std::fflush(stdout);

  std::vector<result> rows;
  auto measure = [&](const char* label, driver& d, unsigned inflight) {
    std::vector<proc_sample> before, after;
    steady::time_point a, b;
    auto w = d.run(
        inflight, o.rate, std::chrono::milliseconds(500), std::chrono::duration_cast<std::chrono::milliseconds>(o.duration),
        [&] {
          a = steady::now();
          for (const auto& p : procs) before.push_back(sample(p.pid));
        },
        [&] {
          b = steady::now();
          for (const auto& p : procs) after.push_back(sample(p.pid));
        });
    result r;
    r.scenario = label;
    r.phones = n;
    r.inflight = inflight;
    r.seconds = std::chrono::duration<double>(b - a).count();
    r.records = w.answered;
    r.drops = w.failed;
    r.latencies = std::move(w.latencies);
    const double rt = std::max<double>(1, static_cast<double>(r.records));
    // Every row has the same columns (CSV): the gateway's are 0 without it.
    if (!with_gateway) r.processes.push_back({"usp-gateway", 0, 0});
    for (std::size_t i = 0; i < procs.size(); ++i) {
      const bool idle_gw = procs[i].name == "usp-gateway" && std::string(label) == "mqtt-baseline";
      r.processes.push_back({procs[i].name, (after[i].cpu_seconds - before[i].cpu_seconds) * 1e6 / rt,
                             idle_gw ? 0 : after[i].peak_kib});
    }
    print_row(r);
    rows.push_back(std::move(r));
  };
  const std::string gw_label = "gateway-" + o.ws_mode;
  for (const unsigned inflight : o.inflight_levels) {
    if (baseline) measure("mqtt-baseline", *mq_driver, inflight);
    if (with_gateway) measure(gw_label.c_str(), *ws_driver, inflight);
    if (baseline && with_gateway) {
      const auto& b = rows[rows.size() - 2];
      const auto& g = rows.back();
      const double rb = static_cast<double>(b.records) / b.seconds, rg = static_cast<double>(g.records) / g.seconds;
      const double ratio = rb > 0 ? rg / rb : 0;
      std::printf("  in flight %u: gateway/baseline throughput %.2f; gateway/broker CPU per Record %.2f\n", inflight,
                  ratio, g.processes[1].cpu_us_per_record > 0
                             ? g.processes[0].cpu_us_per_record / g.processes[1].cpu_us_per_record
                             : 0);
      std::fflush(stdout);
    }
  }
  if (gw) {
    const auto s = sample(gw->pid());
    const auto log = gw->output();
    std::printf("  usp-gateway: peak RSS %.1f MiB, %.1f KiB per session; %zu log lines\n",
                static_cast<double>(s.peak_kib) / 1024.0, static_cast<double>(s.peak_kib) / n,
                static_cast<std::size_t>(std::count(log.begin(), log.end(), '\n')));
  }
  if (mq) mq->stop();
  agent.stop(std::chrono::seconds(10));
  if (gw) gw->stop(std::chrono::seconds(10));
  if (ws) ws->stop();
  test::run_until(io, [] { return false; }, std::chrono::milliseconds(50));
  return rows;
}

}  // namespace usp::bench

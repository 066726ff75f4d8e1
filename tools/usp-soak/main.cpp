// usp-soak: the product under a steady load for a set time, with faults on a
// schedule, watching memory and counters (docs/RELIABILITY.md, "Soak").
//
// mosquitto with mosquitto_usp.so, usp-gateway dialling a WebSocket
// controller (this program) for each phone, `usp-agent --fleet N` and two
// single-phone agents that flap. The controller sends USP Gets round robin
// to every phone with an open session. Faults, one every --fault-every-s,
// in turn: a flapping phone is killed (SIGKILL) and restarted; the
// controller drops a tenth of its sessions; the gateway gets SIGHUP; the
// broker restarts (SIGTERM, then started again on the same port).
//
// Every --interval-s: one line (and one CSV row) with VmRSS of the gateway,
// mosquitto and the fleet, Gets sent / answered / lost, and the gateway's
// counters from /metrics. Exit 0 when every process is still running and
// phones still answer at the end; 1 otherwise.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "requests.hpp"
#include "usp/fd_limit.hpp"
#include "usp/http_fetch.hpp"
#include "usp/log.hpp"
#include "usp_test/mosquitto_broker.hpp"
#include "usp_test/process.hpp"
#include "usp_test/temp_dir.hpp"
#include "usp_test/wait.hpp"
#include "ws_controller.hpp"

namespace {

using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace net = boost::asio;

constexpr const char* controller_eid = "self::soak-controller";
constexpr const char* controller_topic = "usp/controller/soak";
constexpr auto answer_deadline = 10s;  // a Get unanswered this long is lost

struct options {
  unsigned seconds = 600;
  unsigned phones = 50;
  unsigned flappers = 2;
  unsigned interval_s = 30;
  unsigned fault_every_s = 15;
  unsigned requests_per_s = 20;
  std::string csv;
  std::string gateway_bin = USP_GATEWAY_BIN;
  std::string agent_bin = USP_AGENT_BIN;
  std::string plugin = USP_PLUGIN_PATH;
  std::string config_dir = USP_AGENT_CONFIG_DIR;
};

std::uint64_t rss_kib(pid_t pid) {
  if (pid <= 0) return 0;
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

// The sum of every sample of `name` (any labels) in Prometheus text.
double metric_sum(const std::string& text, const std::string& name) {
  double sum = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) != 0 || line.size() <= name.size()) continue;
    if (line[name.size()] != ' ' && line[name.size()] != '{') continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

class soak {
 public:
  explicit soak(options o) : o_(std::move(o)), broker_(make_broker_options()) {}

  int run();

 private:
  usp::test::broker_options make_broker_options() const {
    usp::test::broker_options b;
    b.config_lines = {"max_connections -1",
                      "connection_messages false",
                      "plugin " + o_.plugin,
                      "plugin_opt_identity client_id",
                      "plugin_opt_agent_topic usp/agent/{eid}",
                      std::string("plugin_opt_controller_topics ") + controller_topic,
                      "plugin_opt_privileged_usernames usp-gateway",
                      "plugin_opt_presence_topic usp/presence/{eid}"};
    return b;
  }
  void write_gateway_config() const;
  void start_gateway();
  std::string settings_file() const;
  usp::test::child_process start_agent(const std::vector<std::string>& extra, const std::string& log) const;
  void start_flapper(unsigned i);
  void send_requests();
  void fault();
  void sample();
  std::string metrics();
  bool all_running();

  options o_;
  usp::test::mosquitto_broker broker_;
  usp::test::temp_dir dir_;
  net::io_context io_;
  std::unique_ptr<usp::ctl::ws_controller> ctl_;
  usp::test::child_process gateway_, fleet_;
  std::vector<usp::test::child_process> flappers_;
  std::uint16_t http_port_ = 0;
  std::set<std::string> sessions_;
  std::string next_agent_;  // round robin over sessions_
  std::map<std::string, steady::time_point> pending_;  // msg_id -> sent
  steady::time_point t0_;
  unsigned msg_seq_ = 0, faults_ = 0, flap_next_ = 0;
  std::uint64_t sent_ = 0, answered_ = 0, lost_ = 0, boots_ = 0, sessions_opened_ = 0;
  std::uint64_t interval_answered_ = 0;
  steady::time_point last_answer_{};
  double latency_ms_sum_ = 0;
  std::vector<std::string> fault_log_;
  std::FILE* csv_ = nullptr;
  struct mem {
    double t;
    std::uint64_t gateway, broker, fleet;
  };
  std::vector<mem> mem_;
};

void soak::write_gateway_config() const {
  std::ofstream(dir_.file("gateway.yaml"))
      << "mqtt:\n  host: 127.0.0.1\n  port: " << broker_.port()
      << "\n  client_id: usp-soak-gateway\n  username: usp-gateway\n"
      << "presence_topic: usp/presence/+\n"
      << "controllers:\n  - endpoint_id: " << controller_eid << "\n    mqtt_topic: " << controller_topic
      << "\n    websocket:\n      mode: dial\n      url: ws://127.0.0.1:" << ctl_->port()
      << "/usp\n      keepalive_s: 30\n      retry_min_wait_s: 1\n      retry_multiplier: 1500\n"
      << "      retry_max_wait_s: 4\n"
      << "agents:\n  offline_grace_s: 5\n  queue: {max_records: 16, ttl_s: 30}\n"
      << "http: {address: 127.0.0.1, port: 0}\n";
}

void soak::start_gateway() {
  write_gateway_config();
  const auto log = dir_.file("gateway.log");
  gateway_ = usp::test::child_process({o_.gateway_bin, "--config", dir_.file("gateway.yaml"), "--log-level", "info"},
                                      log);
  if (!usp::test::wait_for_text(log, "usp-gateway running", 15s, gateway_.pid())) {
    throw std::runtime_error("usp-gateway did not start:\n" + gateway_.output());
  }
  std::smatch m;
  const auto text = gateway_.output();
  if (!std::regex_search(text, m, std::regex("operations endpoint on http://127.0.0.1:([0-9]+)/"))) {
    throw std::runtime_error("usp-gateway: no operations endpoint:\n" + text);
  }
  http_port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
}

std::string soak::settings_file() const {
  const auto path = dir_.file("settings.txt");
  std::ofstream(path) << "tr369_enable2!: on\ntr369_mtp_protocol2!: mqtt\ntr369_mqtt_hostport2!: 127.0.0.1:"
                      << broker_.port() << "\ntr369_mqtt_version2!: 5.0\ntr369_mqtt_clientid2!: {eid}\n"
                      << "tr369_mqtt_topic2!: " << controller_topic << "\ntr369_controller_endpointid2!: "
                      << controller_eid << "\n";
  return path;
}

usp::test::child_process soak::start_agent(const std::vector<std::string>& extra, const std::string& log) const {
  std::vector<std::string> argv = {o_.agent_bin, "--settings", settings_file(), "--factory",
                                   o_.config_dir + "/factory.txt", "--param-map", o_.config_dir + "/param_map",
                                   "--retry-s", "2", "--log-level", "warn"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return usp::test::child_process(argv, dir_.file(log));
}

void soak::start_flapper(unsigned i) {
  char mac[16];
  std::snprintf(mac, sizeof mac, "000413F%05X", i);
  flappers_.at(i) = start_agent({"--mac", mac, "--state-dir", dir_.file(std::string("flap-") + mac)},
                                "flapper-" + std::to_string(i) + ".log");
}

void soak::send_requests() {
  const auto now = steady::now();
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now - it->second > answer_deadline) {
      ++lost_;
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  if (sessions_.empty()) return;
  auto it = sessions_.upper_bound(next_agent_);
  if (it == sessions_.end()) it = sessions_.begin();
  next_agent_ = *it;
  auto msg = usp::ctl::get_msg({"Device.DeviceInfo.SerialNumber"});
  const auto id = "soak-" + std::to_string(++msg_seq_);
  msg.mutable_header()->set_msg_id(id);
  if (ctl_->send(next_agent_, msg)) {
    ++sent_;
    pending_[id] = now;
  }
}

void soak::fault() {
  const auto t = std::chrono::duration<double>(steady::now() - t0_).count();
  std::string what;
  switch (faults_++ % 4) {
    case 0: {
      if (flappers_.empty()) break;
      const unsigned i = flap_next_++ % static_cast<unsigned>(flappers_.size());
      flappers_[i].kill9();
      start_flapper(i);
      what = "phone flap (flapper " + std::to_string(i) + " SIGKILL, restarted)";
      break;
    }
    case 1: {
      std::vector<std::string> victims;
      const std::size_t n = std::max<std::size_t>(1, sessions_.size() / 10);
      std::size_t k = 0;
      for (const auto& s : sessions_) {
        if (k++ % 10 == faults_ % 10 && victims.size() < n) victims.push_back(s);
      }
      if (victims.empty() && !sessions_.empty()) victims.push_back(*sessions_.begin());
      for (const auto& v : victims) ctl_->close(v, 1001);
      what = "controller dropped " + std::to_string(victims.size()) + " session(s)";
      break;
    }
    case 2:
      write_gateway_config();
      gateway_.signal(SIGHUP);
      what = "gateway SIGHUP";
      break;
    case 3:
      broker_.stop();
      broker_.start();
      what = "broker restart";
      break;
  }
  fault_log_.push_back(what);
  std::printf("  %6.1fs fault: %s\n", t, what.c_str());
  std::fflush(stdout);
}

std::string soak::metrics() {
  usp::http::fetch_options f;
  f.url = "http://127.0.0.1:" + std::to_string(http_port_) + "/metrics";
  f.timeout = 5s;
  std::optional<usp::http::fetch_result> r;
  usp::http::fetch(io_.get_executor(), f, [&](usp::http::fetch_result x) { r = std::move(x); });
  // Runs the loop (controller traffic included) until the answer is in.
  usp::test::run_until(io_, [&] { return r.has_value(); }, 6s);
  return r ? r->body : std::string();
}

bool soak::all_running() {
  bool ok = gateway_.running() && fleet_.running() && broker_.running();
  for (auto& f : flappers_) ok = ok && f.running();
  return ok;
}

void soak::sample() {
  const auto t = std::chrono::duration<double>(steady::now() - t0_).count();
  const auto text = metrics();
  const auto g = rss_kib(gateway_.pid()), b = rss_kib(broker_.pid()), fl = rss_kib(fleet_.pid());
  std::uint64_t flap = 0;
  for (auto& f : flappers_) flap += rss_kib(f.pid());
  mem_.push_back({t, g, b, fl});
  const double to_agent = metric_sum(text, "usp_gateway_records_total{direction=\"to_agent\"}");
  const double to_ctl = metric_sum(text, "usp_gateway_records_total{direction=\"to_controller\"}");
  const double dropped = metric_sum(text, "usp_gateway_dropped_total");
  const double open = metric_sum(text, "usp_gateway_sessions_open");
  const double queued = metric_sum(text, "usp_gateway_queued_records");
  const double online = metric_sum(text, "usp_gateway_agents_online");
  const double avg_ms = answered_ ? latency_ms_sum_ / static_cast<double>(answered_) : 0;
  std::printf("%6.0fs rss KiB: gateway %6llu mosquitto %6llu fleet %6llu | sessions %4.0f online %4.0f | gets %7llu "
              "answered %7llu (+%llu) lost %4llu avg %.1f ms | gw records to_agent %.0f to_ctl %.0f dropped %.0f "
              "queued %.0f | faults %u\n",
              t, static_cast<unsigned long long>(g), static_cast<unsigned long long>(b),
              static_cast<unsigned long long>(fl), open, online, static_cast<unsigned long long>(sent_),
              static_cast<unsigned long long>(answered_), static_cast<unsigned long long>(interval_answered_),
              static_cast<unsigned long long>(lost_), avg_ms, to_agent, to_ctl, dropped, queued, faults_);
  std::fflush(stdout);
  if (csv_) {
    std::fprintf(csv_, "%.1f,%llu,%llu,%llu,%llu,%.0f,%.0f,%llu,%llu,%llu,%.2f,%.0f,%.0f,%.0f,%.0f,%u,%llu\n", t,
                 static_cast<unsigned long long>(g), static_cast<unsigned long long>(b),
                 static_cast<unsigned long long>(fl), static_cast<unsigned long long>(flap), open, online,
                 static_cast<unsigned long long>(sent_), static_cast<unsigned long long>(answered_),
                 static_cast<unsigned long long>(lost_), avg_ms, to_agent, to_ctl, dropped, queued, faults_,
                 static_cast<unsigned long long>(boots_));
    std::fflush(csv_);
  }
  interval_answered_ = 0;
}

int soak::run() {
  usp::raise_fd_limit();
  usp::ctl::ws_controller_options co;
  co.endpoint_id = controller_eid;
  ctl_ = std::make_unique<usp::ctl::ws_controller>(io_.get_executor(), co);
  ctl_->on_session_open = [this](const std::string& eid) {
    sessions_.insert(eid);
    ++sessions_opened_;
  };
  ctl_->on_session_close = [this](const std::string& eid, const usp::mtp::ws_close_info&) { sessions_.erase(eid); };
  ctl_->on_record = [this](const usp::ctl::received_record& r) {
    if (!r.msg) return;
    if (r.msg->body().request().notify().event().event_name() == "Boot!") ++boots_;
    const auto it = pending_.find(r.msg->header().msg_id());
    if (it == pending_.end()) return;
    latency_ms_sum_ += std::chrono::duration<double, std::milli>(steady::now() - it->second).count();
    ++answered_;
    ++interval_answered_;
    last_answer_ = steady::now();
    pending_.erase(it);
  };
  ctl_->listen("127.0.0.1", 0);
  start_gateway();
  fleet_ = start_agent({"--fleet", std::to_string(o_.phones), "--mac-base", "000413E00000", "--state-dir",
                        dir_.file("fleet"), "--threads", "1"},
                       "fleet.log");
  flappers_.resize(o_.flappers);
  for (unsigned i = 0; i < o_.flappers; ++i) start_flapper(i);

  if (!o_.csv.empty()) {
    csv_ = std::fopen(o_.csv.c_str(), "w");
    if (!csv_) throw std::runtime_error("cannot write " + o_.csv);
    std::fprintf(csv_, "t_s,gateway_rss_kib,mosquitto_rss_kib,fleet_rss_kib,flappers_rss_kib,sessions_open,"
                       "agents_online,gets_sent,gets_answered,gets_lost,avg_latency_ms,gw_records_to_agent,"
                       "gw_records_to_controller,gw_dropped,gw_queued,faults,boots\n");
  }
  std::printf("usp-soak: %u s, %u fleet phones + %u flapping, a fault every %u s, %u Gets/s, a line every %u s\n",
              o_.seconds, o_.phones, o_.flappers, o_.fault_every_s, o_.requests_per_s, o_.interval_s);
  std::printf("  work dir %s (logs)\n", dir_.path().c_str());
  std::fflush(stdout);

  t0_ = steady::now();
  const auto end = t0_ + std::chrono::seconds(o_.seconds);
  auto next_sample = t0_ + std::chrono::seconds(o_.interval_s);
  auto next_fault = t0_ + std::chrono::seconds(o_.fault_every_s);
  // No faults in the last stretch: the end shows whether everything came back.
  const auto faults_until = end - std::min<steady::duration>(15s, std::chrono::seconds(o_.seconds) / 3);
  const auto request_gap = std::chrono::microseconds(1'000'000 / std::max(1u, o_.requests_per_s));
  net::steady_timer tick(io_);
  std::function<void()> arm = [&] {
    tick.expires_after(request_gap);
    tick.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      send_requests();
      arm();
    });
  };
  arm();
  bool alive = true;
  while (steady::now() < end && alive) {
    io_.run_for(std::min<steady::duration>(100ms, end - steady::now()));
    io_.restart();
    if (steady::now() >= next_fault && steady::now() < faults_until) {
      fault();
      next_fault += std::chrono::seconds(o_.fault_every_s);
    }
    if (steady::now() >= next_sample) {
      sample();
      next_sample += std::chrono::seconds(o_.interval_s);
    }
    alive = all_running();
  }
  tick.cancel();
  // Phones still answer at the end, after the last fault.
  const bool answering = answered_ > 0 && steady::now() - last_answer_ < 5s;
  if (mem_.empty() || std::chrono::duration<double>(steady::now() - t0_).count() - mem_.back().t > 1) sample();
  const bool still_running = all_running();
  if (!still_running) {
    std::printf("FAIL: a process died: gateway %s, fleet %s, mosquitto %s\n", gateway_.running() ? "up" : "DOWN",
                fleet_.running() ? "up" : "DOWN", broker_.running() ? "up" : "DOWN");
    std::printf("---- gateway log (tail) ----\n%s\n", gateway_.output().c_str());
  }
  if (mem_.size() >= 3) {
    // Growth between the first sample after warm-up (the second) and the last.
    const auto& a = mem_[1];
    const auto& z = mem_.back();
    auto growth = [&](std::uint64_t x, std::uint64_t y) {
      return static_cast<long long>(y) - static_cast<long long>(x);
    };
    std::printf("memory from %.0fs to %.0fs: gateway %+lld KiB (%llu -> %llu), fleet %+lld KiB (%llu -> %llu), "
                "mosquitto %+lld KiB (restarted with each broker fault)\n",
                a.t, z.t, growth(a.gateway, z.gateway), static_cast<unsigned long long>(a.gateway),
                static_cast<unsigned long long>(z.gateway), growth(a.fleet, z.fleet),
                static_cast<unsigned long long>(a.fleet), static_cast<unsigned long long>(z.fleet),
                growth(a.broker, z.broker));
  }
  std::printf("totals: %llu Gets, %llu answered, %llu lost (in faults), %llu sessions opened, %llu Boot!, %u faults\n",
              static_cast<unsigned long long>(sent_), static_cast<unsigned long long>(answered_),
              static_cast<unsigned long long>(lost_), static_cast<unsigned long long>(sessions_opened_),
              static_cast<unsigned long long>(boots_), faults_);
  if (csv_) std::fclose(csv_);
  const bool ok = still_running && answering && answered_ > 0;
  std::printf("%s\n", ok ? "usp-soak: OK" : "usp-soak: FAILED (see above)");
  ctl_->stop();
  gateway_.stop();
  fleet_.stop();
  for (auto& f : flappers_) f.stop();
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"usp-soak: the gateway, the broker and a fleet of phones under load and faults for a set time"};
  app.add_option("--seconds", o.seconds, "how long (default 600)");
  app.add_option("--phones", o.phones, "phones in the fleet process (default 50)");
  app.add_option("--flappers", o.flappers, "single-phone agents killed in turn (default 2)");
  app.add_option("--interval-s", o.interval_s, "seconds between report lines (default 30)");
  app.add_option("--fault-every-s", o.fault_every_s, "seconds between faults (default 15)");
  app.add_option("--requests-per-s", o.requests_per_s, "controller Gets per second (default 20)");
  app.add_option("--csv", o.csv, "write one row per interval here");
  app.add_option("--gateway-bin", o.gateway_bin, "usp-gateway binary");
  app.add_option("--agent-bin", o.agent_bin, "usp-agent binary");
  app.add_option("--plugin", o.plugin, "mosquitto_usp.so");
  app.add_option("--config-dir", o.config_dir, "folder with factory.txt and param_map");
  CLI11_PARSE(app, argc, argv);
  if (o.interval_s == 0 || o.fault_every_s == 0) {
    std::cerr << "usp-soak: --interval-s and --fault-every-s must be at least 1\n";
    return 2;
  }
  usp::log::set_level(usp::log::level::warn);
  try {
    soak s(std::move(o));
    return s.run();
  } catch (const std::exception& e) {
    std::cerr << "usp-soak: " << e.what() << "\n";
    return 1;
  }
}

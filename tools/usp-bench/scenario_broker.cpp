// broker-plugin: mosquitto's message rate with mosquitto_usp.so loaded versus
// without it, same traffic, same run.
//
// Two brokers run side by side, one plain and one with the plugin (presence
// and counters on, as deployed). N agents (MQTT 5, client id = endpoint id)
// publish valid Records from their own endpoint id to a controller topic,
// each keeping `inflight` QoS 1 publishes unacknowledged; one privileged
// subscriber (the gateway's place) receives them at QoS 1. Rounds alternate
// between the brokers so that drift of the machine hits both alike; only one
// broker carries traffic at a time.
//
// Two figures per broker: records/s delivered to the subscriber, and broker
// CPU time per record (its capacity: with one broker thread, 1e6 / CPU us is
// the rate it could reach were the load generator not the limit).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include "policy/engine.hpp"
#include "proc_stats.hpp"
#include "scenarios.hpp"
#include "usp/mtp/mqtt_client.hpp"
#include "usp/record.hpp"
#include "usp_test/mosquitto_broker.hpp"
#include "usp_test/wait.hpp"

namespace usp::bench {
namespace {

namespace net = boost::asio;
constexpr const char* topic = "usp/controller/bench";
constexpr int rounds = 6;

mtp::mqtt_options client_options(const test::mosquitto_broker& b, const std::string& id, const std::string& user) {
  mtp::mqtt_options o;
  o.port = b.port();
  o.client_id = id;
  o.username = user;
  o.max_inflight = 1u << 20;
  return o;
}

// One broker with its publishers and subscriber, and what they counted.
class side {
 public:
  side(net::io_context& io, const options& o, std::vector<std::string> plugin_lines) : io_(io) {
    test::broker_options bo;
    bo.config_lines = std::move(plugin_lines);
    broker_ = std::make_unique<test::mosquitto_broker>(std::move(bo));
    mtp::mqtt_client::handlers h;
    h.on_connected = [this](const mtp::connack_info&) {
      boost::system::error_code ec;
      sub_->subscribe({topic}, 1, ec);
    };
    h.on_subscribed = [this](int, const std::vector<int>&) { ++connected_; };
    h.on_message = [this](const mtp::mqtt_message&) { ++received; };
    sub_ = std::make_unique<mtp::mqtt_client>(io.get_executor(), client_options(*broker_, "gw-1", "usp-gateway"), h);
    sub_->start();
    for (unsigned i = 0; i < std::max(1u, o.phones); ++i) add_publisher(i, std::max(1u, o.inflight));
  }

  // Every publisher connected and the subscriber subscribed.
  bool ready() {
    return test::run_until(io_, [&] { return connected_ == publishers_.size() + 1; }, std::chrono::seconds(20));
  }

  // Sends for `d`; returns records delivered, and broker CPU seconds, in it.
  std::pair<std::uint64_t, double> round(std::chrono::milliseconds d) {
    sending_ = true;
    for (auto& p : publishers_) fill(*p);
    test::run_until(io_, [] { return false; }, std::chrono::milliseconds(300));  // settle
    const auto before = received;
    const auto cpu = sample(broker_->pid()).cpu_seconds;
    test::run_until(io_, [] { return false; }, d);
    const auto out = std::make_pair(received - before, sample(broker_->pid()).cpu_seconds - cpu);
    sending_ = false;
    test::run_until(io_, [&] { return idle(); }, std::chrono::seconds(10));
    return out;
  }

  test::mosquitto_broker& broker() { return *broker_; }
  std::uint64_t received = 0;
  std::uint64_t refused = 0;

 private:
  struct publisher {
    std::unique_ptr<mtp::mqtt_client> client;
    std::string payload;
    std::string reply_to;
    unsigned window = 1;
    unsigned inflight = 0;
  };

  void add_publisher(unsigned i, unsigned window) {
    auto p = std::make_unique<publisher>();
    char eid[40];
    std::snprintf(eid, sizeof eid, "os::000413-BENCH%05u", i);
    p->payload = usp::make_no_session_record(eid, "self::bench-controller", std::string(160, 'x'));
    p->reply_to = std::string("usp/agent/") + eid;
    p->window = window;
    mtp::mqtt_client::handlers h;
    auto* raw = p.get();
    h.on_connected = [this](const mtp::connack_info&) { ++connected_; };
    h.on_published = [this, raw](int) {
      --raw->inflight;
      fill(*raw);
    };
    p->client = std::make_unique<mtp::mqtt_client>(io_.get_executor(), client_options(*broker_, eid, ""), h);
    p->client->start();
    publishers_.push_back(std::move(p));
  }

  void fill(publisher& p) {
    while (sending_ && p.inflight < p.window) {
      boost::system::error_code ec;
      if (!p.client->publish({topic, p.payload, 1, false, p.reply_to, "usp.msg"}, ec)) {
        ++refused;
        return;
      }
      ++p.inflight;
    }
  }

  bool idle() const {
    for (const auto& p : publishers_) {
      if (p->inflight) return false;
    }
    return true;
  }

  net::io_context& io_;
  std::unique_ptr<test::mosquitto_broker> broker_;
  std::unique_ptr<mtp::mqtt_client> sub_;
  std::vector<std::unique_ptr<publisher>> publishers_;
  std::size_t connected_ = 0;
  bool sending_ = false;
};

// The plugin's own work per record, without broker or sockets: the WRITE
// check, the message event and one subscriber's READ check, as mosquitto
// calls them for every record in this scenario.
class null_port final : public plugin::broker_port {
 public:
  void publish(const std::string&, std::string_view, int, bool) override {}
  void log(plugin::log_level, const std::string&) override {}
  std::chrono::steady_clock::time_point steady_now() override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wall_now() override { return std::chrono::system_clock::now(); }
};

class bench_client final : public plugin::client_view {
 public:
  bench_client(std::string id, std::string user) : id_(std::move(id)), user_(std::move(user)) {}
  const void* key() const noexcept override { return this; }
  std::string_view client_id() const noexcept override { return id_; }
  std::string_view username() const noexcept override { return user_; }
  int protocol_version() const noexcept override { return 5; }
  std::optional<plugin::cert_names> certificate() const override { return std::nullopt; }

 private:
  std::string id_, user_;
};

double engine_us_per_record(const std::vector<std::string>& plugin_lines) {
  std::vector<plugin::option_line> lines;
  for (const auto& l : plugin_lines) {
    if (l.rfind("plugin_opt_", 0) != 0) continue;
    const auto sp = l.find(' ');
    lines.push_back({std::string_view(l).substr(11, sp - 11), std::string_view(l).substr(sp + 1)});
  }
  std::string error;
  auto opts = plugin::parse_options(lines, error);
  if (!opts) throw std::runtime_error(error);
  null_port port;
  plugin::engine eng(*opts, port);
  const bench_client agent("os::000413-BENCH00000", ""), gw("gw-1", "usp-gateway");
  const auto payload = usp::make_no_session_record(agent.client_id(), "self::bench-controller", std::string(160, 'x'));
  constexpr int n = 200000;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    eng.on_acl_check(agent, plugin::access::write, topic, payload);
    eng.on_message(agent, {topic, payload, "usp.msg", "usp/agent/os::000413-BENCH00000"});
    eng.on_acl_check(gw, plugin::access::read, topic, payload);
  }
  const auto dt = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  if (eng.stats().accepted != static_cast<std::uint64_t>(n)) throw std::runtime_error("engine refused bench records");
  return dt / n;
}

struct totals {
  std::uint64_t records = 0;
  double cpu_s = 0;
  double rate(double seconds) const { return seconds > 0 ? static_cast<double>(records) / seconds : 0; }
  double cpu_us() const { return records ? cpu_s * 1e6 / static_cast<double>(records) : 0; }
};

}  // namespace

result run_broker_plugin(const options& o) {
  const std::vector<std::string> plugin_lines = {
      "plugin " + o.plugin_path, "plugin_opt_controller_topics " + std::string(topic),
      "plugin_opt_privileged_usernames usp-gateway", "plugin_opt_presence_topic usp/presence/{eid}",
      "plugin_opt_stats_interval_s 1"};
  const double engine_us = engine_us_per_record(plugin_lines);
  net::io_context io;
  side plain(io, o, {});
  side with(io, o, plugin_lines);
  if (!plain.ready() || !with.ready()) throw std::runtime_error("clients did not connect:\n" + with.broker().log());
  const auto per_round = std::max(std::chrono::milliseconds(1000),
                                  std::chrono::duration_cast<std::chrono::milliseconds>(o.duration) / rounds);
  totals t_plain, t_with;
  std::vector<double> pair_ratios;  // with/without, per pair of rounds
  for (int r = 0; r < rounds; ++r) {
    auto [n1, c1] = plain.round(per_round);
    auto [n2, c2] = with.round(per_round);
    t_plain.records += n1;
    t_plain.cpu_s += c1;
    t_with.records += n2;
    t_with.cpu_s += c2;
    if (n1) pair_ratios.push_back(static_cast<double>(n2) / static_cast<double>(n1));
  }
  std::sort(pair_ratios.begin(), pair_ratios.end());
  const double median = pair_ratios.empty() ? 0 : pair_ratios[pair_ratios.size() / 2];
  const double secs = std::chrono::duration<double>(per_round).count() * rounds;
  std::printf("broker-plugin: %u agents x %u QoS 1 in flight, %d rounds of %.1f s per broker, alternating\n",
              std::max(1u, o.phones), std::max(1u, o.inflight), rounds, secs / rounds);
  std::printf("  without plugin: %10.0f records/s delivered, %6.2f us broker CPU per record\n", t_plain.rate(secs),
              t_plain.cpu_us());
  std::printf("  with plugin:    %10.0f records/s delivered, %6.2f us broker CPU per record\n", t_with.rate(secs),
              t_with.cpu_us());
  std::printf("  ratio with/without: delivered rate %.3f (median of round pairs %.3f), broker capacity (1/CPU per "
              "record) %.3f\n",
              t_plain.rate(secs) > 0 ? t_with.rate(secs) / t_plain.rate(secs) : 0, median,
              t_with.cpu_us() > 0 ? t_plain.cpu_us() / t_with.cpu_us() : 0);
  std::printf("  the plugin's policy alone: %.2f us per record (write check, message event, one read check)\n",
              engine_us);
  result res;
  res.scenario = o.scenario;
  res.phones = std::max(1u, o.phones);
  res.inflight = std::max(1u, o.inflight);
  res.seconds = secs;
  res.records = t_with.records;
  res.drops = with.refused + plain.refused;
  res.processes.push_back({"mosquitto+plugin", t_with.cpu_us(), sample(with.broker().pid()).peak_kib});
  res.processes.push_back({"mosquitto", t_plain.cpu_us(), sample(plain.broker().pid()).peak_kib});
  return res;
}

}  // namespace usp::bench

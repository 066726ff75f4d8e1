// notify: Notify Records from N phones to a controller, each answered with a
// NotifyResp (send_resp=true, R-NOT.10), with the controller on MQTT (the
// baseline: the phones publish to its topic, the gateway never sees them)
// and on WebSocket through usp-gateway (dial or listen), same phones, broker
// and processes, alternating per rate and cap.
//
// The phones are light MQTT 5 clients in our process (light_phones.hpp), on
// their own thread; the controllers (rig.hpp) on the main thread, so the two
// sides' CPU is read per thread. usp-agent is not used: its Notifies follow
// data model changes and cannot be paced, nor switched between controllers.
// Notifies are paced at --rate per second in all, the phones in turn, with
// at most --inflight unanswered (the cap; owed Notifies beyond it are
// skipped). Each carries its send time (steady clock, same host) as the
// ValueChange value; the controller subtracts it from its receipt time.
//
// Two rows per window: notify-<path> (Notifies received by the controller
// in the window, one-way latency, drops = sent but never received) and
// nresp-<path> (NotifyResps received by the phones, Notify -> NotifyResp
// latency, drops = never answered within a 10 s drain). CPU per process is
// per round trip: one Notify and one NotifyResp Record.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <optional>
#include <set>
#include <memory>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "light_phones.hpp"
#include "rig.hpp"
#include "scenarios.hpp"
#include "usp_test/wait.hpp"

namespace usp::bench {

namespace {

namespace net = boost::asio;

// A thread that runs jobs (each of which runs the phones' loop) while the
// main thread keeps the controllers' loop turning.
class phone_thread {
 public:
  explicit phone_thread(net::io_context& main) : main_(main), guard_(jobs_.get_executor()) {
    thread_ = std::thread([this] {
      tid_ = gettid();
      jobs_.run();
    });
    while (!tid_.load()) std::this_thread::yield();
  }
  ~phone_thread() {
    guard_.reset();
    thread_.join();
  }
  pid_t tid() const noexcept { return tid_.load(); }

  // Starts `job` there; the flag says when it is done.
  std::shared_ptr<std::atomic<bool>> start(std::function<void()> job) {
    auto done = std::make_shared<std::atomic<bool>>(false);
    net::post(jobs_, [this, done, job = std::move(job)] {
      job();
      *done = true;
      net::post(main_, [] {});  // wakes the main loop
    });
    return done;
  }
  // Turns the main loop until `done`.
  void turn_main_until(const std::atomic<bool>& done) {
    while (!done) test::run_until(main_, [&] { return done.load(); }, std::chrono::seconds(1));
  }
  // Runs `job` there, turning the main loop meanwhile.
  void run(std::function<void()> job) { turn_main_until(*start(std::move(job))); }

 private:
  net::io_context& main_;
  net::io_context jobs_;
  net::executor_work_guard<net::io_context::executor_type> guard_;
  std::atomic<pid_t> tid_{0};
  std::thread thread_;
};

// What the controllers saw of the current run's Notifies (main thread only).
struct notify_log {
  std::string prefix;  // the run's msg_id prefix
  std::vector<std::pair<steady::time_point, std::chrono::nanoseconds>> seen;  // receipt, one-way latency

  void on_record(const ctl::received_record& r) {
    if (!r.msg) return;
    const auto& vc = r.msg->body().request().notify().value_change();
    if (vc.param_path() != stamp_param || !r.msg->header().msg_id().starts_with(prefix)) return;
    const auto now = steady::now();
    seen.emplace_back(now, now - steady::time_point(std::chrono::nanoseconds(std::stoll(vc.param_value()))));
  }
};

}  // namespace

std::vector<result> run_notify(const options& o) {
  rig g(o, o.phones, true);
  const unsigned n = g.n;
  notify_log log;
  std::set<std::string> at_gateway;  // phones whose session (WebSocketConnect) reached us
  g.ws->on_record = [&](const ctl::received_record& r) {
    if (r.record.has_websocket_connect()) at_gateway.insert(r.record.from_id());
    log.on_record(r);
  };
  if (o.baseline) g.start_mqtt(direct_topic, [&](const ctl::received_record& r) { log.on_record(r); });

  net::io_context pio;
  phone_thread worker(g.io);
  const auto t0 = steady::now();
  light_phones phones(pio, g.broker.port(), g.eids, controller_eid, gw_topic);
  driver d(pio, g.eids, [&](const std::string& eid, const std::string& id, steady::time_point at) {
    return phones.notify(eid, id, at);
  });
  phones.on_notify_resp = [&](const std::string& id) { d.on_answer(id); };
  // Paced like the fleet: mosquitto queues at most 1000 messages for the
  // gateway (max_queued_messages), and a storm of presence and Connect
  // Records beyond that is lost, phones the gateway then never dials.
  phones.start(o.connect_rate ? o.connect_rate : 1000);

  // Up: every phone subscribed and its gateway session open.
  std::atomic<bool> up{false};
  const auto all_up = [&] { return phones.up() == n && at_gateway.size() == n; };
  const auto connecting = worker.start([&] { test::run_until(pio, [&] { return up.load(); }, std::chrono::hours(1)); });
  const auto deadline = t0 + std::chrono::seconds(60) + std::chrono::milliseconds(20ull * n);
  while (!all_up() && steady::now() < deadline) g.wait_for(all_up, std::chrono::milliseconds(200));
  up = true;
  net::post(pio, [] {});
  worker.turn_main_until(*connecting);
  if (!all_up()) {
    // mosquitto says when it drops messages for a client whose queue is full.
    const auto blog = g.broker.log();
    std::string dropped;
    for (std::size_t a = 0, b; (b = blog.find('\n', a)) != std::string::npos; a = b + 1) {
      if (const auto line = blog.substr(a, b - a); line.find("dropped") != std::string::npos) dropped += line + "\n";
    }
    std::fprintf(stderr, "notify: %zu of %u phones up, %zu WebSocket sessions, %zu Connect Records; gateway log:\n%s\n"
                 "mosquitto on dropped messages:\n%s\n", phones.up(), n, g.ws->sessions(), at_gateway.size(),
                 g.gw->output().substr(0, 4000).c_str(), dropped.substr(0, 2000).c_str());
    throw std::runtime_error("not every phone came up");
  }
  g.print_up("up", std::chrono::duration<double>(steady::now() - t0).count());
  g.watch("bench-phones", getpid(), worker.tid());
  g.watch("bench-ctl", getpid(), getpid());

  std::vector<result> rows;
  unsigned run_no = 0;
  auto measure = [&](const std::string& path, const char* topic, unsigned cap, double rate) {
    const auto prefix = "r" + std::to_string(++run_no) + ".";
    d.set_id_prefix(prefix);
    log.prefix = prefix;
    log.seen.clear();
    std::uint64_t attempted = 0;
    auto resp = g.measure("nresp-" + path, cap, path != "mqtt", [&](const auto& start, const auto& end) {
      window w;
      worker.run([&] {
        phones.set_target(topic);
        w = d.run(cap, rate, std::chrono::milliseconds(500),
                  std::chrono::duration_cast<std::chrono::milliseconds>(o.duration), start, end);
      });
      attempted = w.attempted;
      return w;
    });
    result in;
    in.scenario = "notify-" + path;
    in.phones = n;
    in.inflight = cap;
    in.seconds = resp.seconds;
    in.rate_asked = resp.rate_asked = rate;
    in.processes = resp.processes;
    for (const auto& [at, latency] : log.seen) {
      if (at < g.window_start || at >= g.window_end) continue;
      ++in.records;
      in.latencies.push_back(latency);
    }
    in.drops = attempted > log.seen.size() ? attempted - log.seen.size() : 0;
    print_row(in);
    print_row(resp);
    rows.push_back(std::move(in));
    rows.push_back(std::move(resp));
  };
  const std::string gw_path = "gw-" + o.ws_mode;
  for (const double rate : o.rates) {
    for (const unsigned cap : o.inflight_levels) {
      std::printf("-- %.0f Notify/s asked (0: as fast as answers come), at most %u unanswered\n", rate, cap);
      if (o.baseline) measure("mqtt", direct_topic, cap, rate);
      measure(gw_path, gw_topic, cap, rate);
      if (o.baseline) rig::print_ratio("Notify round trips", rows[rows.size() - 3], rows.back());
    }
  }
  g.finish([&] {
    worker.run([&] {
      phones.stop();
      test::run_until(pio, [] { return false; }, std::chrono::milliseconds(200));
    });
  });
  return rows;
}

}  // namespace usp::bench

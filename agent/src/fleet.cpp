#include "fleet.hpp"

#include <signal.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "phone.hpp"
#include "usp/fd_limit.hpp"
#include "usp/log.hpp"
#include "usp/yaml_reader.hpp"

namespace usp::agent {

namespace {

using steady = std::chrono::steady_clock;
namespace net = boost::asio;

constexpr std::uint64_t mac_max = 0xFFFFFFFFFFFFull;
// Phones one pacing step may build before it lets the loop run again: a
// fleet behind schedule must not starve the connects already under way.
constexpr unsigned max_batch = 32;
// Like main.cpp: goodbyes get a bounded time.
constexpr auto shutdown_deadline = std::chrono::seconds(3);

std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("fleet");
  return lg;
}

// What every shard reads; fixed before the threads start.
struct fleet_plan {
  explicit fleet_plan(const agent_args& a) : args(a) {}

  const agent_args& args;
  std::shared_ptr<const phone_template> tmpl;
  std::uint64_t mac_base = 0;
  unsigned phones = 0;
  unsigned shards = 1;
  unsigned rate = 1000;  // phones started per second, fleet-wide
  steady::time_point t0;
  std::atomic<unsigned> pacing{0};  // shards still starting phones
  std::atomic<unsigned> failed{0};  // phones that could not be built

  // Phone i starts at t0 + i / rate, whichever shard holds it.
  steady::time_point due(unsigned i) const {
    return t0 + std::chrono::nanoseconds(static_cast<std::int64_t>(i) * 1'000'000'000 / rate);
  }

  std::unique_ptr<phone> make_phone(net::any_io_executor ex, unsigned i) const {
    const auto mac = fleet_mac(mac_base, i);
    return std::make_unique<phone>(std::move(ex), phone_options_for(args, mac, args.state_dir + "/" + mac), tmpl);
  }
};

// One io_context, its thread, and the phones dealt to it (i % shards ==
// index). Apart from io_, everything here is touched on that thread only.
class shard {
 public:
  shard(fleet_plan& plan, unsigned index)
      : plan_(plan), index_(index), count_((plan.phones - index + plan.shards - 1) / plan.shards) {
    phones_.reserve(count_);
  }

  net::io_context& io() noexcept { return io_; }

  // The shard's first phone, built ahead to report bad settings at start-up.
  void adopt(std::unique_ptr<phone> p) { ready_ = std::move(p); }

  void begin() {
    net::post(io_, [this] { pace(); });
  }

  void stop() {
    net::post(io_, [this] {
      stopping_ = true;
      pacer_.cancel();
      for (auto& p : phones_) p->stop();
      phones_.clear();  // posted DISCONNECTs still run; then io.run() returns
      ready_.reset();
      work_.reset();
    });
  }

  void reload_settings() {
    net::post(io_, [this] {
      for (auto& p : phones_) p->reload_settings();
    });
  }

 private:
  unsigned global(std::size_t k) const { return index_ + static_cast<unsigned>(k) * plan_.shards; }

  // One timer chain per shard: start what is due, sleep until the next.
  void pace() {
    if (stopping_) return;
    const auto now = steady::now();
    for (unsigned n = 0; started_ < count_ && plan_.due(global(started_)) <= now && n < max_batch; ++n) {
      start_one(started_++);
    }
    if (started_ == count_) {
      if (plan_.pacing.fetch_sub(1) == 1) {
        const auto took = std::chrono::duration<double>(steady::now() - plan_.t0).count();
        log()->info("{} phones started in {:.1f} s ({} could not start)", plan_.phones, took,
                    plan_.failed.load());
      }
      return;
    }
    pacer_.expires_at(std::max(now, plan_.due(global(started_))));
    pacer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) pace();
    });
  }

  // A phone that cannot be built (say, a bad state file in its folder) is
  // left out; the others go on.
  void start_one(std::size_t k) {
    const auto i = global(k);
    try {
      auto p = ready_ ? std::move(ready_) : plan_.make_phone(io_.get_executor(), i);
      p->start();
      phones_.push_back(std::move(p));
    } catch (const usp::config_error& e) {
      ++plan_.failed;
      for (const auto& p : e.problems()) log()->error("{} cannot start: {}", fleet_mac(plan_.mac_base, i), p);
    } catch (const std::exception& e) {
      ++plan_.failed;
      log()->error("{} cannot start: {}", fleet_mac(plan_.mac_base, i), e.what());
    }
  }

  net::io_context io_{1};
  fleet_plan& plan_;
  unsigned index_;
  std::size_t count_;    // phones dealt to this shard
  std::size_t started_ = 0;
  bool stopping_ = false;
  std::unique_ptr<phone> ready_;
  std::vector<std::unique_ptr<phone>> phones_;  // started
  net::steady_timer pacer_{io_};
  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io_);
};

void print_problems(const std::vector<std::string>& problems) {
  for (const auto& p : problems) std::cerr << p << "\n";
}

// Runs every shard on its thread until SIGTERM/SIGINT, then stops them.
int run_shards(fleet_plan& plan, std::vector<std::unique_ptr<shard>>& shards) {
  net::io_context io;
  net::signal_set stop_signals(io, SIGTERM, SIGINT);
  net::signal_set hup(io, SIGHUP);
  stop_signals.async_wait([&](const boost::system::error_code&, int) { hup.cancel(); });
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      log()->info("SIGHUP: every phone re-reads its settings");
      for (auto& s : shards) s->reload_settings();
      wait_hup();
    });
  };
  wait_hup();

  std::mutex m;
  std::condition_variable cv;
  std::size_t finished = 0;
  std::vector<std::thread> threads;
  plan.t0 = steady::now();
  plan.pacing = static_cast<unsigned>(shards.size());
  for (auto& s : shards) {
    s->begin();
    threads.emplace_back([&, sp = s.get()] {
      sp->io().run();
      std::lock_guard lock(m);
      ++finished;
      cv.notify_all();
    });
  }
  io.run();  // until a stop signal

  log()->info("stopping {} phones", plan.phones);
  for (auto& s : shards) s->stop();
  std::unique_lock lock(m);
  if (!cv.wait_for(lock, shutdown_deadline, [&] { return finished == shards.size(); })) {
    log()->warn("shutdown: peers did not finish closing within {} s", shutdown_deadline.count());
    for (auto& s : shards) s->io().stop();
  }
  lock.unlock();
  for (auto& t : threads) t.join();
  return 0;
}

}  // namespace

std::optional<std::uint64_t> fleet_mac_base(std::string_view base, unsigned count, std::vector<std::string>& problems) {
  const auto mac = normalize_mac(base);
  std::uint64_t v = 0;
  if (mac.empty() || std::from_chars(mac.data(), mac.data() + mac.size(), v, 16).ec != std::errc()) {
    problems.push_back("--mac-base: '" + std::string(base) + "' is not a MAC address (12 hex digits)");
    return std::nullopt;
  }
  if (count > 0 && v > mac_max - (count - 1)) {
    problems.push_back("--mac-base: " + std::to_string(count) + " phones from " + mac + " run past FFFFFFFFFFFF");
    return std::nullopt;
  }
  return v;
}

std::string fleet_mac(std::uint64_t base, unsigned i) {
  char text[13];
  std::snprintf(text, sizeof text, "%012llX", static_cast<unsigned long long>((base + i) & mac_max));
  return text;
}

std::vector<std::string> fleet_problems(const agent_args& a) {
  std::vector<std::string> problems;
  auto per_phone = [&](const std::string& value, const char* option) {
    if (value.empty()) return;
    problems.push_back(std::string(option) + ": names one phone; a fleet counts MACs from --mac-base");
  };
  per_phone(a.mac, "--mac");
  per_phone(a.identity_file, "--identity");
  per_phone(a.endpoint_id, "--endpoint-id");
  per_phone(a.serial, "--serial");
  if (!a.ws_listen.empty()) {
    const auto colon = a.ws_listen.rfind(':');
    const auto port = colon == std::string::npos ? a.ws_listen : a.ws_listen.substr(colon + 1);
    if (port != "0") {
      problems.push_back("--ws-listen: '" + a.ws_listen +
                         "': one port cannot serve every phone of a fleet; use ADDR:0 (a free port per phone)");
    }
  }
  if (a.mac_base.empty()) {
    problems.push_back("--mac-base: required with --fleet");
  } else {
    fleet_mac_base(a.mac_base, a.fleet, problems);
  }
  if (a.connect_rate == 0) problems.push_back("--connect-rate: must be at least 1 phone per second");
  return problems;
}

int run_fleet(const agent_args& a) {
  if (auto problems = fleet_problems(a); !problems.empty()) {
    print_problems(problems);
    return 2;
  }
  // 10,000 phones would say everything 10,000 times.
  usp::log::limit_lines(50, std::chrono::seconds(1), "fleet");
  refuse_socketpairs();
  const auto fd_limit = usp::raise_fd_limit();
  // One socket per phone and MTP, plus files opened while saving state.
  if (fd_limit < std::uint64_t{a.fleet} + 256) {
    log()->warn("{} phones need more than {} open files; raise the hard limit (ulimit -Hn, systemd "
                "LimitNOFILE=, docker --ulimit nofile=)",
                a.fleet, fd_limit);
  }
  std::vector<std::string> problems;
  fleet_plan plan(a);
  plan.mac_base = *fleet_mac_base(a.mac_base, a.fleet, problems);
  plan.phones = a.fleet;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  plan.shards = std::min(a.fleet, a.threads > 0 ? a.threads : cores);
  plan.rate = a.connect_rate;

  std::vector<std::unique_ptr<shard>> shards;
  try {
    plan.tmpl = phone_template::load(a.param_map.empty() ? default_config_file("param_map") : a.param_map);
    for (unsigned s = 0; s < plan.shards; ++s) shards.push_back(std::make_unique<shard>(plan, s));
    // The first phone now: bad settings are a start-up error, as for one phone.
    shards[0]->adopt(plan.make_phone(shards[0]->io().get_executor(), 0));
  } catch (const usp::config_error& e) {
    print_problems(e.problems());
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "usp-agent: " << e.what() << "\n";
    return 2;
  }
  log()->info("{} phones from {} on {} threads, {} connects per second, open files limit {}", plan.phones,
              fleet_mac(plan.mac_base, 0), plan.shards, plan.rate, fd_limit);
  return run_shards(plan, shards);
}

}  // namespace usp::agent

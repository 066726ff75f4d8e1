// usp-agent: a software Snom desk phone (docs/INTERFACES.md).
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "app/cli.hpp"
#include "fleet.hpp"
#include "usp/log.hpp"
#include "usp/yaml_reader.hpp"

int main(int argc, char** argv) {
  using namespace usp::agent;
  agent_args args;
  if (const int rc = parse_command_line(argc, argv, args); rc >= 0) return rc;
  const auto level = usp::log::parse_level(args.log_level);
  if (!level) {
    std::cerr << "usp-agent: --log-level: '" << args.log_level << "' is not a level\n";
    return 2;
  }
  usp::log::set_level(*level);
  warn_about_exposed_secrets(args);
  refuse_socketpairs();  // libmosquitto's wake-up pair: never read, a write() per packet
  if (args.fleet > 0) return run_fleet(args);

  boost::asio::io_context io;
  std::unique_ptr<phone> ph;
  try {
    const auto map = args.param_map.empty() ? default_config_file("param_map") : args.param_map;
    auto tmpl = phone_template::load(map);
    ph = std::make_unique<phone>(io.get_executor(), phone_options_for(args, args.mac, args.state_dir), tmpl);
  } catch (const usp::config_error& e) {
    for (const auto& p : e.problems()) std::cerr << p << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "usp-agent: " << e.what() << "\n";
    return 2;
  }

  boost::asio::signal_set stop_signals(io, SIGTERM, SIGINT);
  boost::asio::signal_set hup(io, SIGHUP);
  // Goodbyes (MQTT DISCONNECT, WebSocket close) get a bounded time: a peer
  // that never answers a close handshake must not hold the shutdown.
  // A watchdog thread rather than a timer, so a quick shutdown is not held.
  std::jthread watchdog;
  stop_signals.async_wait([&](const boost::system::error_code&, int) {
    ph->stop();
    hup.cancel();
    ph.reset();  // posted DISCONNECTs still run; then io.run() returns
    watchdog = std::jthread([&io](std::stop_token done) {
      std::mutex m;
      std::condition_variable_any cv;
      std::unique_lock lock(m);
      if (cv.wait_for(lock, done, std::chrono::seconds(3), [] { return false; })) return;
      if (done.stop_requested()) return;
      usp::log::get("agent")->warn("shutdown: peers did not finish closing within 3 s");
      io.stop();
    });
  });
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec || !ph) return;
      ph->reload_settings();
      wait_hup();
    });
  };
  wait_hup();
  ph->start();
  io.run();
  if (watchdog.joinable()) watchdog.request_stop();
  return 0;
}

#include "usp_test/mosquitto_broker.hpp"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "usp_test/wait.hpp"

namespace usp::test {

std::uint16_t pick_free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

mosquitto_broker::mosquitto_broker(broker_options opts) : opts_(std::move(opts)) { start(); }

mosquitto_broker::~mosquitto_broker() { stop(); }

void mosquitto_broker::write_config() {
  std::ofstream f(dir_.file("mosquitto.conf"));
  if (geteuid() == 0) f << "user root\n";  // stay root so the broker reads our temp files
  f << "per_listener_settings false\n"
    << "persistence false\n"
    << "log_dest stderr\n"
    << "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
    << "connection_messages true\n"
    << "allow_anonymous true\n"
    // Without it the broker's replies wait for Nagle and delayed ACKs (~40 ms).
    << "set_tcp_nodelay true\n"
    << "listener " << port_ << " 127.0.0.1\n";
  if (opts_.tls) {
    f << "cafile " << opts_.tls->ca_file << "\n"
      << "certfile " << opts_.tls->cert_file << "\n"
      << "keyfile " << opts_.tls->key_file << "\n"
      << "require_certificate " << (opts_.tls->require_certificate ? "true" : "false") << "\n"
      << "use_identity_as_username " << (opts_.tls->use_identity_as_username ? "true" : "false") << "\n";
  }
  for (const auto& l : opts_.config_lines) f << l << "\n";
}

bool mosquitto_broker::try_start() {
  write_config();
  std::vector<std::string> argv = opts_.command_prefix;
  argv.insert(argv.end(), {"mosquitto", "-c", dir_.file("mosquitto.conf")});
  const auto log_path = dir_.file("mosquitto-" + std::to_string(++starts_) + ".log");
  proc_ = child_process(argv, log_path);
  const auto timeout = opts_.command_prefix.empty() ? std::chrono::seconds(10) : std::chrono::seconds(60);
  // "running" is the last line mosquitto prints once its listeners are open.
  if (wait_for_text(log_path, " running", timeout, proc_.pid()) && proc_.running()) return true;
  proc_.stop(std::chrono::seconds(2));
  return false;
}

void mosquitto_broker::start() {
  if (proc_.running()) return;
  if (port_ != 0) {
    // Restart on the same port: clients reconnect to where they were.
    for (int i = 0; i < 5 && !try_start(); ++i) {
    }
    if (!proc_.running()) throw std::runtime_error("mosquitto did not restart:\n" + log());
    return;
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = pick_free_port();
    if (try_start()) return;
  }
  throw std::runtime_error("mosquitto did not start:\n" + log());
}

int mosquitto_broker::stop() { return proc_.stop(std::chrono::seconds(30)); }

void mosquitto_broker::kill9() { proc_.kill9(); }

bool mosquitto_broker::running() { return proc_.running(); }

std::string mosquitto_broker::log() const { return proc_.output(); }

}  // namespace usp::test

// A real mosquitto on an ephemeral loopback port, for integration tests.
// Safe under `ctest -j`: every broker has its own port, config and folder.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "usp_test/process.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp::test {

struct broker_tls {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool require_certificate = false;
  bool use_identity_as_username = false;
};

struct broker_options {
  std::vector<std::string> config_lines;  // appended to the listener's config
  std::unique_ptr<broker_tls> tls;        // the listener speaks TLS
  std::vector<std::string> command_prefix;  // e.g. {"valgrind", "--error-exitcode=9"}
};

class mosquitto_broker {
 public:
  explicit mosquitto_broker(broker_options opts = {});
  ~mosquitto_broker();

  // Starts (or restarts, on the same port) and waits until it listens.
  void start();
  // SIGTERM and wait; returns the exit status.
  int stop();
  void kill9();
  bool running();

  std::uint16_t port() const noexcept { return port_; }
  std::string host() const { return "127.0.0.1"; }
  std::string log() const;
  const std::string& dir() const noexcept { return dir_.path(); }
  pid_t pid() const noexcept { return proc_.pid(); }

 private:
  bool try_start();
  void write_config();

  broker_options opts_;
  temp_dir dir_;
  std::uint16_t port_ = 0;
  child_process proc_;
  int starts_ = 0;
};

// A TCP port that was free a moment ago (bound to 0, read back, released).
std::uint16_t pick_free_port();

}  // namespace usp::test

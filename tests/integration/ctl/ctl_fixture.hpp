// usp-ctl as a user runs it: the binary as a subprocess against a real
// usp-agent, over a real mosquitto (ephemeral port) or WebSocket. Outputs
// and exit codes are what the tests look at.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "usp/mqtt_version.hpp"
#include "usp_test/mosquitto_broker.hpp"
#include "usp_test/process.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp::test {

inline constexpr const char* ctl_agent_mac = "000413C7C7C7";
inline constexpr const char* ctl_agent_eid = "os::000413-000413C7C7C7";
inline constexpr const char* ctl_eid = "self::ctl-test";
inline constexpr const char* ctl_topic = "usp/controller/ctl-test";

// What a finished usp-ctl left behind.
struct ctl_result {
  int code = -1000;  // exit code; -1000: still running at the deadline (killed)
  std::string out;
  std::string err;
};

// One usp-ctl process with stdout and stderr in files of their own.
class ctl_process {
 public:
  ctl_process(const std::vector<std::string>& args, const std::string& dir, const std::string& name);
  ~ctl_process();
  ctl_process(const ctl_process&) = delete;
  ctl_process& operator=(const ctl_process&) = delete;

  // Waits for the exit (pidfd), killing it at the deadline.
  ctl_result finish(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Blocks until stderr shows `text` (inotify) or the process ends.
  bool stderr_shows(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  std::string err() const;
  pid_t pid() const noexcept { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string out_path_;
  std::string err_path_;
};

class ctl_fixture {
 public:
  explicit ctl_fixture(mqtt_version v = mqtt_version::v5);
  ~ctl_fixture();

  // Writes the phone's settings: controller 2 is us on our broker (plus `extra`).
  void write_settings(const std::string& extra = {});
  // Starts usp-agent with `extra_args`; with `wait_mqtt`, until its MQTT MTP is ready.
  void start_agent(const std::vector<std::string>& extra_args = {}, bool wait_mqtt = true);

  // usp-ctl --mqtt <broker> --topic <ours> --eid <ours> --to <agent> `args`.
  std::vector<std::string> mqtt_args(const std::vector<std::string>& args) const;
  ctl_result run(const std::vector<std::string>& args, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ctl_result run_mqtt(const std::vector<std::string>& args) { return run(mqtt_args(args)); }
  // The port after "<marker>ADDR:" in `text`; 0 when absent.
  static std::uint16_t port_after(const std::string& text, const std::string& marker);

  mqtt_version version;
  mosquitto_broker broker;
  temp_dir dir;
  child_process agent;
  int runs = 0;
};

}  // namespace usp::test

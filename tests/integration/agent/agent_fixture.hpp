// A real usp-agent process, a real mosquitto and a scripted controller on
// MQTT, for the agent's integration tests.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "mqtt_controller.hpp"
#include "requests.hpp"
#include "usp_test/mosquitto_broker.hpp"
#include "usp_test/process.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp::test {

inline constexpr const char* agent_mac = "000413A1B2C3";
inline constexpr const char* agent_eid = "os::000413-000413A1B2C3";
inline constexpr const char* controller_eid = "self::test-controller";
inline constexpr const char* controller_topic = "usp/controller/test";

class agent_fixture {
 public:
  explicit agent_fixture(mqtt_version version);
  ~agent_fixture();

  // Settings lines for controller 2 pointing at our broker, plus `extra`.
  void write_settings(const std::string& extra = {});
  void start_agent(const std::vector<std::string>& extra_args = {});
  // Starts usp-agent with the common arguments (settings, state folder,
  // factory file, param_map, timings, log level) and `args`, which name the
  // phones: --mac, or --fleet and --mac-base.
  void launch(const std::vector<std::string>& args);
  int stop_agent();  // SIGTERM; the exit status
  // Writes the settings, starts the agent and takes its Connect Record and Boot!.
  void boot(const std::string& extra_settings = {}, const std::vector<std::string>& extra_args = {});
  // Adds an enabled subscription for `type` on `refs` (NotifRetry off);
  // only a persistent one outlives a reboot.
  void subscribe(const std::string& id, const std::string& type, const std::string& refs, bool persistent = false);

  // Waits for a Record from the agent matching `pred` (in arrival order,
  // skipping and keeping earlier ones). Fails the test on timeout.
  std::optional<ctl::received_record> wait_for(const std::function<bool(const ctl::received_record&)>& pred,
                                               std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Sends `req` and waits for the response or Error with its msg_id.
  std::optional<usp::Msg> request(usp::Msg req, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The same, to the agent `to` (a phone of a fleet).
  std::optional<usp::Msg> request_to(const std::string& to, usp::Msg req,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::optional<ctl::received_record> wait_boot(std::chrono::milliseconds timeout = std::chrono::seconds(15));

  static bool is_boot(const ctl::received_record& r);
  std::string agent_log() const;

  unsigned agent_retry_s = 1;  // the agent's fixed MQTT reconnect wait
  mqtt_version version;
  mosquitto_broker broker;
  temp_dir dir;
  boost::asio::io_context io;
  std::unique_ptr<ctl::mqtt_controller> ctl;
  std::vector<ctl::received_record> inbox;
  std::size_t consumed = 0;  // inbox entries wait_for has already returned
  child_process agent;
};

// Request builders (usp-ctl's).
using ctl::add_msg;
using ctl::delete_msg;
using ctl::get_msg;
using ctl::operate_msg;
using ctl::set_msg;
using ctl::value_in;

}  // namespace usp::test

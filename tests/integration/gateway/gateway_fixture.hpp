// The whole product on loopback: mosquitto with mosquitto_usp.so, a
// usp-gateway process, usp-agent processes on MQTT, and a scripted USP
// controller on WebSocket (a server the gateway dials, or a client that
// dials the gateway's listen mode).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "requests.hpp"
#include "usp/mqtt_version.hpp"
#include "usp_test/mosquitto_broker.hpp"
#include "usp_test/process.hpp"
#include "usp_test/temp_dir.hpp"
#include "ws_controller.hpp"

namespace usp::test {

inline constexpr const char* gw_controller_eid = "self::acme-controller";
inline constexpr const char* gw_controller_topic = "usp/controller/acme";

// "os::000413-<MAC>" for a 12-digit MAC.
std::string eid_of(const std::string& mac);

class gateway_fixture {
 public:
  // `plugin_extra`: further plugin_opt_ lines for the broker.
  explicit gateway_fixture(const std::vector<std::string>& plugin_extra = {});
  ~gateway_fixture();

  // The scripted controller listens (dial mode); call before start_gateway.
  void controller_listens();
  // Writes gateway.yaml (`controller_yaml` is the controllers: list item's
  // websocket block; `extra` further top-level YAML) and starts usp-gateway;
  // waits until it runs. Returns false when it did not come up.
  bool start_gateway(const std::string& websocket_yaml, const std::string& extra = {},
                     const std::string& name = "gw", const std::string& mqtt_extra = {});
  int stop_gateway(const std::string& name = "gw");
  // kill -9: no goodbyes, no MQTT DISCONNECT, no WebSocket Close.
  void kill_gateway(const std::string& name = "gw");
  // Starts `name` again with the configuration it had (same client id, so
  // the same persistent MQTT session); waits until it runs.
  bool restart_gateway(const std::string& name = "gw");
  // The gateway's resident set (VmRSS), in KiB; 0 when unreadable.
  std::size_t gateway_rss_kb(const std::string& name = "gw");
  // Rewrites the controller's websocket block and sends SIGHUP; waits until
  // the gateway says it reloaded.
  bool reload_gateway(const std::string& websocket_yaml, const std::string& name = "gw");
  // Starts a phone with `mac` on MQTT `v` whose controller 2 is the
  // gateway's controller topic.
  // `extra`: further usp-agent arguments (e.g. {"--ws-listen", "127.0.0.1:0"}).
  void start_agent(const std::string& mac, mqtt_version v, const std::vector<std::string>& extra = {});
  int stop_agent(const std::string& mac);
  void kill_agent(const std::string& mac);

  // Waits for a Record from `agent` (any, when empty) matching `pred`, in
  // arrival order; fails the test on timeout.
  std::optional<ctl::received_record> wait_for(const std::string& agent,
                                               const std::function<bool(const ctl::received_record&)>& pred,
                                               std::chrono::milliseconds timeout = std::chrono::seconds(15));
  std::optional<ctl::received_record> wait_boot(const std::string& agent);
  // Sends `req` to `agent` through the gateway and waits for the answer.
  std::optional<usp::Msg> request(const std::string& agent, usp::Msg req,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The gateway's /metrics value for `sample` ("usp_gateway_dropped_total{reason=\"malformed\"}").
  double metric(const std::string& sample, const std::string& name = "gw");
  std::string http_get(const std::string& path, const std::string& name = "gw");
  std::string logs() const;
  // run_until for conditions read over HTTP (metrics, /sessions): nothing
  // in our loop wakes when the gateway's state changes, so the condition is
  // re-read every 20 ms until it holds or `timeout` passes.
  bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  mosquitto_broker broker;
  temp_dir dir;
  boost::asio::io_context io;
  std::unique_ptr<ctl::ws_controller> controller;
  std::vector<ctl::received_record> inbox;
  std::size_t consumed = 0;
  struct gateway_process {
    child_process proc;
    std::uint16_t http_port = 0;
    std::uint16_t listen_port = 0;
    std::string extra, mqtt_extra;  // the config's other parts, for reloads
  };
  void write_config(const std::string& name, const std::string& websocket_yaml);
  bool launch_gateway(const std::string& name, const std::string& log);
  // The agents: section of every gateway.yaml written from now on.
  std::string agents_yaml = "  offline_grace_s: 1\n  queue: {max_records: 16, ttl_s: 30}\n";
  int gateway_starts = 0;
  std::map<std::string, gateway_process> gateways;
  std::map<std::string, child_process> agents;
};

}  // namespace usp::test

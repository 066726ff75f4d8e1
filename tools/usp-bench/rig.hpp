// The set-up that the gateway and notify scenarios share: one mosquitto with
// mosquitto_usp.so as deployed (agent topic, two controller topics,
// privileged usp-gateway, presence), and in our process two controllers with
// the same endpoint id:
//  - WebSocket (`ws`): the controller of usp-gateway, which dials it once per
//    phone (mode dial) or which it dials once per phone (mode listen);
//  - MQTT (`mq`): a privileged client on its own controller topic, the
//    baseline, whose traffic never passes the gateway.
// Plus the rows: each window samples CPU and peak RSS of the watched
// processes (or threads) and gives CPU time per round trip.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "driver.hpp"
#include "mqtt_controller.hpp"
#include "scenarios.hpp"
#include "usp_test/mosquitto_broker.hpp"
#include "usp_test/process.hpp"
#include "usp_test/temp_dir.hpp"
#include "ws_controller.hpp"

namespace usp::bench {

inline constexpr const char* controller_eid = "self::bench-controller";
inline constexpr const char* gw_topic = "usp/controller/bench";       // the gateway's controller topic
inline constexpr const char* direct_topic = "usp/controller/direct";  // the MQTT controller's

// Phone i's MAC ("000413B00000" + i); its endpoint id is "os::000413-<mac>".
std::string mac_of(unsigned i);

class rig {
 public:
  // with_gateway: the WebSocket controller and usp-gateway (o.ws_mode).
  rig(const options& o, unsigned phones, bool with_gateway);
  ~rig();

  // Starts the MQTT controller (`mq`) on `topic`; throws unless it subscribes.
  void start_mqtt(const std::string& topic, std::function<void(const ctl::received_record&)> on_record);
  // Runs io until `done()` or `limit`. In listen mode it meanwhile dials the
  // gateway for every phone in `eids` not yet up, every 500 ms (the gateway
  // refuses phones it has not heard of yet).
  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit);
  // Adds a process (or, with tid, one of its threads) to every row.
  void watch(std::string name, pid_t pid, pid_t tid = 0);
  // "<scenario>: N phones <what> in S s", with the idle RSS of the gateway.
  void print_up(const char* what, double seconds) const;

  // One row: `run` gets the hooks that sample every watched process at the
  // start and the end of the window. CPU per process is per answered round
  // trip; without the gateway its columns are 0. Prints the row.
  using window_fn = std::function<window(const std::function<void()>&, const std::function<void()>&)>;
  result measure(const std::string& label, unsigned inflight, bool via_gateway, const window_fn& run);
  // The last measured window, for figures taken on another side.
  steady::time_point window_start, window_end;

  // Gateway over baseline: throughput, and gateway/broker CPU per Record.
  static void print_ratio(const std::string& what, const result& base, const result& gw);
  // Prints the gateway's peak RSS, stops the MQTT controller, then
  // `stop_phones`, then the gateway and the WebSocket controller.
  void finish(const std::function<void()>& stop_phones);

  const options& opts;
  const unsigned n;
  const bool with_gateway;
  const std::uint64_t fd_limit;
  test::mosquitto_broker broker;
  test::temp_dir dir;
  boost::asio::io_context io;
  std::vector<std::string> eids;
  std::unique_ptr<ctl::ws_controller> ws;
  std::unique_ptr<test::child_process> gw;
  std::unique_ptr<ctl::mqtt_controller> mq;

 private:
  struct watched {
    std::string name;
    pid_t pid, tid;
  };
  void start_gateway();
  void wait_ready(std::uint16_t http_port);
  void dial_missing(const std::function<bool()>& done);

  std::vector<watched> procs_;
  std::uint16_t gw_listen_port_ = 0;
  std::set<std::string> dialling_;  // listen mode: sessions connecting or open
};

}  // namespace usp::bench

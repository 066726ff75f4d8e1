// usp-bench scenarios: each sets up real processes (mosquitto, usp-agent,
// later usp-gateway), drives USP traffic and returns the figures.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "report.hpp"

namespace usp::bench {

struct options {
  std::string scenario;
  unsigned phones = 1;
  unsigned inflight = 1;
  std::chrono::seconds duration{5};
  std::string agent_bin;
  std::string config_dir;  // config/agent (factory.txt, param_map)
  std::string plugin_path;  // mosquitto_usp.so
  unsigned threads = 0;       // fleet: the agent's --threads (0: its default)
  unsigned connect_rate = 0;  // fleet: the agent's --connect-rate (0: its default)
  // gateway / mqtt-baseline
  std::vector<unsigned> inflight_levels{1};  // one row (pair) per level, same phones
  std::string gateway_bin;
  std::string ws_mode = "dial";  // the gateway's controller: dial | listen
  unsigned gw_threads = 1;       // the gateway's threads:
  bool baseline = true;          // gateway: also run the MQTT baseline, interleaved
  double rate = 0;               // round trips/s (open loop, inflight as cap); 0: closed loop
  std::vector<double> rates{1000};  // notify: Notifies/s, one set of rows per rate
};

// A controller on MQTT sends Gets to one usp-agent, keeping `inflight` in flight.
result run_agent_get(const options& o);

// N agents publish Records to a controller topic through mosquitto with and
// without mosquitto_usp.so; prints both rates and their ratio.
result run_broker_plugin(const options& o);

// `usp-agent --fleet N` against a private mosquitto: time until N phones sent
// Boot!, then the agent's memory per idle phone.
result run_fleet(const options& o);

// Get round trips to `usp-agent --fleet N` through mosquitto + plugin: from
// a controller on MQTT (mqtt-baseline) and, for "gateway", also from a
// controller on WebSocket through usp-gateway, alternating per level. One
// row per scenario and in-flight level.
std::vector<result> run_gateway(const options& o);

// Notify Records from N light MQTT phones, answered with NotifyResp, to a
// controller on MQTT (baseline) and on WebSocket through usp-gateway,
// alternating per rate and cap. Two rows per window: Notify in, NotifyResp out.
std::vector<result> run_notify(const options& o);

}  // namespace usp::bench

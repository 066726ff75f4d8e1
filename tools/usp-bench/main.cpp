// usp-bench: load generator and benchmark (docs/PERFORMANCE.md).
#include <iostream>

#include <CLI/CLI.hpp>

#include "scenarios.hpp"
#include "usp/log.hpp"

int main(int argc, char** argv) {
  usp::bench::options o;
  std::string csv;
  unsigned seconds = 5;
  o.agent_bin = USP_AGENT_BIN;
  o.config_dir = USP_AGENT_CONFIG_DIR;
  o.plugin_path = USP_PLUGIN_PATH;
  o.gateway_bin = USP_GATEWAY_BIN;
  CLI::App app{"usp-bench: USP load generator and benchmark"};
  app.add_option("--scenario", o.scenario, "agent-get, broker-plugin, fleet, gateway, mqtt-baseline, notify")->required();
  app.add_option("--phones", o.phones, "number of phones");
  app.add_option("--inflight", o.inflight_levels,
                 "requests in flight; gateway and mqtt-baseline take a list (1,10,100,1000), one row per level; "
                 "notify: the cap on unanswered Notifies, a list too (default 1000)")
      ->delimiter(',');
  app.add_option("--seconds", seconds, "measurement time");
  app.add_option("--csv", csv, "append the result to this CSV file");
  app.add_option("--threads", o.threads, "fleet: the agent's --threads");
  app.add_option("--connect-rate", o.connect_rate, "fleet, gateway: the agent's --connect-rate; notify: phones connected per second (default 1000)");
  app.add_option("--ws-mode", o.ws_mode, "gateway, notify: dial (it dials us) or listen (we dial it)")
      ->check(CLI::IsMember({"dial", "listen"}));
  app.add_option("--gateway-threads", o.gw_threads, "gateway, notify: the gateway's threads: setting");
  app.add_flag("!--no-baseline", o.baseline, "gateway, notify: leave out the MQTT baseline rows");
  std::vector<double> rates;
  app.add_option("--rate", rates,
                 "gateway, mqtt-baseline: round trips/s, paced (in flight is the cap); 0 = as fast as answers come. "
                 "notify: Notifies/s in all, a list (1000,2500,5000), one set of rows each (default 1000)")
      ->delimiter(',');
  app.add_option("--agent-bin", o.agent_bin, "usp-agent binary");
  app.add_option("--gateway-bin", o.gateway_bin, "usp-gateway binary");
  app.add_option("--config-dir", o.config_dir, "folder with factory.txt and param_map");
  CLI11_PARSE(app, argc, argv);
  if (o.scenario == "notify" && app.count("--inflight") == 0) o.inflight_levels = {1000};  // a cap, not a load
  if (o.inflight_levels.empty()) o.inflight_levels = {1};
  if (!rates.empty()) o.rates = rates;
  o.rate = o.rates.front();
  if (app.count("--rate") == 0) o.rate = 0;
  o.inflight = o.inflight_levels.front();
  o.duration = std::chrono::seconds(seconds);
  usp::log::set_level(usp::log::level::warn);
  try {
    if (o.scenario == "gateway" || o.scenario == "mqtt-baseline" || o.scenario == "notify") {
      usp::bench::print_header();
      // Each prints its rows as they are measured.
      auto rows = o.scenario == "notify" ? usp::bench::run_notify(o) : usp::bench::run_gateway(o);
      if (!csv.empty()) {
        for (auto& r : rows) usp::bench::append_csv(csv, r);
      }
      return rows.empty() ? 1 : 0;
    }
    usp::bench::result r;
    if (o.scenario == "agent-get") {
      r = usp::bench::run_agent_get(o);
    } else if (o.scenario == "broker-plugin") {
      r = usp::bench::run_broker_plugin(o);
    } else if (o.scenario == "fleet") {
      r = usp::bench::run_fleet(o);
    } else {
      std::cerr << "usp-bench: unknown scenario " << o.scenario << "\n";
      return 2;
    }
    usp::bench::print_header();
    usp::bench::print_row(r);
    if (!csv.empty()) usp::bench::append_csv(csv, r);
  } catch (const std::exception& e) {
    std::cerr << "usp-bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

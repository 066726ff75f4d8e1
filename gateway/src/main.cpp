// usp-gateway --config gateway.yaml [--check] [--log-level info]
// (docs/INTERFACES.md). Exit codes: 0 after a clean stop, 2 for a bad
// configuration (one line per problem), 1 when it cannot start.
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include "config/gateway_config.hpp"
#include "gateway.hpp"
#include "usp/fd_limit.hpp"
#include "usp/file_secrets.hpp"
#include "usp/log.hpp"
#include "usp/yaml_reader.hpp"

namespace {

// Secrets the configuration names (the broker password, TLS private keys)
// should be readable by the gateway's user only: say so, naming the file.
void warn_about_exposed_secrets(const usp::gateway::gateway_config& cfg) {
  auto lg = usp::log::get("gateway");
  usp::warn_if_exposed(*lg, cfg.mqtt.password_file, "mqtt.password_file");
  if (cfg.mqtt.tls) usp::warn_if_exposed(*lg, cfg.mqtt.tls->key_file, "mqtt.tls.key_file");
  for (std::size_t i = 0; i < cfg.controllers.size(); ++i) {
    const auto& t = cfg.controllers[i].websocket.tls;
    if (t) usp::warn_if_exposed(*lg, t->key_file, "controllers[" + std::to_string(i) + "].websocket.tls.key_file");
  }
  if (cfg.listen.tls) usp::warn_if_exposed(*lg, cfg.listen.tls->key_file, "listen.tls.key_file");
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  std::string log_level = "info";
  bool check = false;
  CLI::App app{"usp-gateway: routes USP Records between WebSocket controllers and MQTT agents"};
  app.add_option("--config", config_path, "the YAML configuration (see docs/gateway-config.md)")->required();
  app.add_flag("--check", check, "validate the configuration and exit (0 or 2)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off");
  std::optional<unsigned> threads;
  std::string partition;
  app.add_option("--threads", threads, "I/O threads, one io_context each (overrides the config's threads)")
      ->check(CLI::Range(1, 256));
  app.add_option("--partition", partition, "k/N: take the plugin's partition k of N (overrides mqtt.partition)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  const auto level = usp::log::parse_level(log_level);
  if (!level) {
    std::cerr << "usp-gateway: --log-level: '" << log_level << "' is not a level\n";
    return 2;
  }
  usp::log::set_level(*level);

  usp::gateway::gateway_config cfg;
  try {
    cfg = usp::gateway::load_gateway_config(config_path);
  } catch (const usp::config_error& e) {
    for (const auto& p : e.problems()) std::cerr << p << "\n";
    return 2;
  }
  if (threads) cfg.threads = *threads;
  if (!partition.empty()) {
    if (auto problem = usp::gateway::parse_partition(partition, cfg.mqtt)) {
      std::cerr << "usp-gateway: --partition: " << *problem << "\n";
      return 2;
    }
  }
  warn_about_exposed_secrets(cfg);
  if (check) {
    std::cout << config_path << ": OK (" << cfg.controllers.size() << " controller(s))\n";
    return 0;
  }
  usp::raise_fd_limit();  // one socket per agent session
  try {
    usp::gateway::gateway gw(std::move(cfg));
    return gw.run();
  } catch (const usp::config_error& e) {
    for (const auto& p : e.problems()) std::cerr << p << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "usp-gateway: " << e.what() << "\n";
    return 1;
  }
}

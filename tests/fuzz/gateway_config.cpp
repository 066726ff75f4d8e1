// The gateway's YAML configuration: parse_gateway_config on any text. Only
// usp::config_error may come out, and it names at least one problem.
#include "config/gateway_config.hpp"
#include "fuzz_input.hpp"
#include "usp/yaml_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  usp::fuzz::quiet();
  try {
    const auto cfg = usp::gateway::parse_gateway_config(std::string(usp::fuzz::as_view(data, size)), "gateway.yaml");
    if (cfg.controllers.empty()) usp::fuzz::broken("a configuration without controllers was accepted");
  } catch (const usp::config_error& e) {
    if (e.problems().empty()) usp::fuzz::broken("a config_error with no problem in it");
  }
  return 0;
}

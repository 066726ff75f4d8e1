// Helpers shared by the gateway configuration tests (gateway_config_test.cpp:
// whole files, mqtt, presence; gateway_config_sections_test.cpp: controllers,
// websocket, agents, listen, http, threads).
#pragma once

#include <string>
#include <vector>

#include "config/gateway_config.hpp"
#include "usp/yaml_reader.hpp"

namespace usp::gateway::testing_config {

// The smallest valid file: one controller. Lines 1-4.
inline const std::string controllers =
    "controllers:\n"
    "  - endpoint_id: self::ctrl\n"
    "    mqtt_topic: usp/controller/a\n"
    "    websocket: {url: ws://ctrl.example/usp}\n";

inline std::vector<std::string> problems_of(const std::string& text) {
  try {
    parse_gateway_config(text, "gateway.yaml");
  } catch (const config_error& e) {
    return e.problems();
  }
  return {};
}

// `section` first (its problems keep their line numbers), then a valid controller.
inline std::vector<std::string> problems_with(const std::string& section) { return problems_of(section + controllers); }

// One controller whose websocket map is `ws` (lines 5 on), after `before`.
inline std::string controller_with(const std::string& ws, const std::string& before = "") {
  return before +
         "controllers:\n"
         "  - endpoint_id: self::ctrl\n"
         "    mqtt_topic: usp/controller/a\n"
         "    websocket:\n" +
         ws;
}

}  // namespace usp::gateway::testing_config

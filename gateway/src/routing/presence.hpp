// The broker plugin's presence events (docs/broker-plugin.md):
// {"eid":"...","state":"online"|"offline","mqtt":"3.1.1"|"5.0",
//  "client_id":"...","time":"...","reason":"clean"|"abrupt"}
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "usp/mqtt_version.hpp"

namespace usp::gateway {

struct presence_event {
  std::string eid;
  bool online = false;
  std::optional<mqtt_version> version;
};

// nullopt for anything that is not such an object (a flat JSON object of
// strings; unknown members are ignored).
std::optional<presence_event> parse_presence(std::string_view json);

}  // namespace usp::gateway

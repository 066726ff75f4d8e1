// Reading and writing the derived values of the param_map (TR369_*).
#pragma once

#include <string>
#include <string_view>

#include "config/param_map.hpp"
#include "config/settings.hpp"

namespace usp::agent {

struct derived_context {
  std::string response_topic;  // the phone's own topic, {eid} already expanded
};

// The derived value for controller `index`, in the USP form of its type
// (booleans "true"/"false", ports as decimal).
std::string derived_get(derived_id id, unsigned index, const settings_store& s, const derived_context& ctx);

// A controller sets a derived parameter. Writes through to the underlying
// setting(s) where that is well defined:
//   WEBSOCKETHOST/PORT/PATH/SECURED rewrite the matching part of
//     tr369_websocket_uri (SECURED switches ws:// and wss://);
//   MQTTADDRESS/PORT rewrite tr369_mqtt_hostport;
//   MQTTENABLE true sets tr369_enable on and tr369_mtp_protocol mqtt; false is
//     accepted when already false, and refused otherwise (7012: it could mean
//     disabling the controller or moving it to WebSocket; set those instead);
//   MQTTTOPIC_CTRL sets tr369_mqtt_topic;
//   MQTTTOPIC_RESP comes from the command line: refused (7013);
//   MTPPROTOCOL MQTT / WebSocket sets tr369_mtp_protocol mqtt / websocket.
// The value arrives already checked against the parameter's type. Errors of
// the underlying settings (read-only: 7013, invalid: 7012) pass through.
settings_store::set_result derived_set(derived_id id, unsigned index, std::string_view value, settings_store& s);

}  // namespace usp::agent

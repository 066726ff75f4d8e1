// The vendor's param_map: which Device:2 parameter shows which setting
// (docs/agent-files.md).
//
//   # comment
//   type:Path=literal                 a fixed value
//   type:Path={setting|index}         setting `setting` (index 1) or `setting<index>`
//   type:Path!={DERIVED|index}        a value derived from settings (upper-case name)
//
// type is one of string, boolean, int, unsignedInt, long, unsignedLong,
// dateTime, base64. Path is a parameter path with instance numbers only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace usp::agent {

enum class param_type : std::uint8_t { string, boolean, int_, unsigned_int, long_, unsigned_long, date_time, base64 };

std::optional<param_type> param_type_from_name(std::string_view name) noexcept;
std::string_view to_string(param_type t) noexcept;

// Values derived from settings (the upper-case names of the vendor format).
enum class derived_id : std::uint8_t {
  websocket_host,     // TR369_WEBSOCKETHOST     host of tr369_websocket_uri
  websocket_port,     // TR369_WEBSOCKETPORT     port of it (80 / 443 when absent)
  websocket_path,     // TR369_WEBSOCKETPATH     path of it ("/" when absent)
  websocket_secured,  // TR369_WEBSOCKETSECURED  true for wss://
  mqtt_address,       // TR369_MQTTADDRESS       host of tr369_mqtt_hostport
  mqtt_port,          // TR369_MQTTPORT          its port (1883, or 8883 with TLS)
  mqtt_enable,        // TR369_MQTTENABLE        tr369_enable on and tr369_mtp_protocol mqtt
  mqtt_topic_ctrl,    // TR369_MQTTTOPIC_CTRL    tr369_mqtt_topic (the controller's topic)
  mqtt_topic_resp,    // TR369_MQTTTOPIC_RESP    the phone's own topic (--response-topic)
  mtp_protocol,       // TR369_MTPPROTOCOL       tr369_mtp_protocol as TR-181 spells it (MQTT,
                      //                         WebSocket); our addition to the vendor's names
};

std::optional<derived_id> derived_from_name(std::string_view upper_name) noexcept;
std::string_view to_string(derived_id d) noexcept;

struct param_binding {
  enum class kind : std::uint8_t { literal, setting, derived };
  param_type type = param_type::string;
  std::string path;      // e.g. "Device.LocalAgent.Controller.2.Enable"
  kind source = kind::literal;
  std::string literal;   // kind::literal
  std::string name;      // kind::setting: the setting's base name
  derived_id derived{};  // kind::derived
  unsigned index = 1;    // {name|index}
  int line = 0;

  // The setting this binding reads: name for index 1, else name + index.
  std::string setting_name() const;
};

// Parses a whole param_map. Problems ("param_map:12: <what>") are appended;
// a file with any problem must not be used (nothing half-loads). Duplicate
// paths are a problem.
std::vector<param_binding> parse_param_map(std::string_view text, const std::string& file,
                                           std::vector<std::string>& problems);

// Settings name for (base, index): "tr369_enable", 2 -> "tr369_enable2".
std::string indexed_setting(std::string_view base, unsigned index);

}  // namespace usp::agent

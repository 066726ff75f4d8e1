// Broker functions the plugin uses when the broker exports them, looked up at
// start (dlsym), never linked: the plugin links no libmosquitto.
//
// mosquitto 2.0's documented plugin surface (src/linker.syms) can add MQTT 5
// properties but not read or copy them, and its DISCONNECT event always says
// reason -1. Debian's and CMake-built brokers export every symbol, so:
// - mosquitto_property_read_string: Content Type and Response Topic checks;
// - mosquitto_property_copy_all: partition copies keep the original
//   properties (Response Topic is the MQTT 5 reply-to, R-MQTT.23);
// - mosquitto__get_state: a clean DISCONNECT leaves the connection in state
//   "disconnecting" (2) or "disconnect_with_will" (18); values that have not
//   changed through 2.0.x (lib/mosquitto_internal.h).
// Whatever is missing is logged once at start and its feature degrades:
// properties unchecked and not copied, every offline reported as "abrupt".
#pragma once

#include <mosquitto.h>

namespace usp::plugin {

struct broker_extras {
  using read_string_fn = const mosquitto_property* (*)(const mosquitto_property*, int, char**, bool);
  using copy_all_fn = int (*)(mosquitto_property**, const mosquitto_property*);
  using get_state_fn = int (*)(const struct mosquitto*);

  read_string_fn read_string = nullptr;
  copy_all_fn copy_all = nullptr;
  get_state_fn get_state = nullptr;

  static broker_extras resolve() noexcept;

  // mosq_cs_disconnecting and mosq_cs_disconnect_with_will in 2.0.x.
  static constexpr int state_disconnecting = 2;
  static constexpr int state_disconnect_with_will = 18;
};

}  // namespace usp::plugin

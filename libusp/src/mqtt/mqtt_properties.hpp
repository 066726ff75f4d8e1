// MQTT 5 properties in and out of libmosquitto (internal to usp_mtp_mqtt).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <mosquitto.h>

#include "usp/mtp/mqtt_client.hpp"

namespace usp::mtp {

struct property_deleter {
  void operator()(mosquitto_property* p) const noexcept { mosquitto_property_free_all(&p); }
};
using property_list = std::unique_ptr<mosquitto_property, property_deleter>;

// CONNECT: usp-endpoint-id (R-MQTT.13), Request Response Information
// (R-MQTT.12), Session Expiry Interval, Maximum Packet Size.
property_list make_connect_properties(const mqtt_options& opts);

// libmosquitto 2.0 has no asynchronous connect that takes properties; its
// synchronous one stores them before validating the address. Calling it with
// an invalid port stores them without touching the network; the asynchronous
// connect that follows sends them. Checked by the CONNECT-capturing test.
int store_connect_properties(mosquitto* mosq, const mosquitto_property* props, int keepalive);

// PUBLISH: Response Topic (R-MQTT.23) and Content Type (R-MQTT.27).
property_list make_publish_properties(const publish_request& req);

struct publish_properties {
  std::string response_topic;
  std::string content_type;
};
publish_properties read_publish_properties(const mosquitto_property* props);

connack_info read_connack_properties(const mosquitto_property* props);

}  // namespace usp::mtp

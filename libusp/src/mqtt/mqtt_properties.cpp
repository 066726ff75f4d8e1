#include "mqtt_properties.hpp"

#include <cstdlib>

#include <mqtt_protocol.h>

namespace usp::mtp {

property_list make_connect_properties(const mqtt_options& opts) {
  mosquitto_property* p = nullptr;
  if (!opts.endpoint_id.empty()) {
    mosquitto_property_add_string_pair(&p, MQTT_PROP_USER_PROPERTY, "usp-endpoint-id", opts.endpoint_id.c_str());
  }
  if (opts.request_response_info) mosquitto_property_add_byte(&p, MQTT_PROP_REQUEST_RESPONSE_INFORMATION, 1);
  if (opts.session_expiry_s > 0) {
    mosquitto_property_add_int32(&p, MQTT_PROP_SESSION_EXPIRY_INTERVAL, opts.session_expiry_s);
  }
  if (opts.maximum_packet_size > 0) {
    mosquitto_property_add_int32(&p, MQTT_PROP_MAXIMUM_PACKET_SIZE, opts.maximum_packet_size);
  }
  if (opts.receive_maximum > 0) mosquitto_property_add_int16(&p, MQTT_PROP_RECEIVE_MAXIMUM, opts.receive_maximum);
  return property_list(p);
}

int store_connect_properties(mosquitto* mosq, const mosquitto_property* props, int keepalive) {
  const int rc = mosquitto_connect_bind_v5(mosq, "", -1, keepalive, nullptr, props);
  // MOSQ_ERR_INVAL from the port check is the expected outcome; a property
  // error is reported before it (as MOSQ_ERR_PROTOCOL or MOSQ_ERR_NOT_SUPPORTED).
  return rc == MOSQ_ERR_INVAL ? MOSQ_ERR_SUCCESS : rc;
}

property_list make_publish_properties(const publish_request& req) {
  mosquitto_property* p = nullptr;
  if (!req.response_topic.empty()) {
    const std::string t(req.response_topic);
    mosquitto_property_add_string(&p, MQTT_PROP_RESPONSE_TOPIC, t.c_str());
  }
  if (!req.content_type.empty()) {
    const std::string c(req.content_type);
    mosquitto_property_add_string(&p, MQTT_PROP_CONTENT_TYPE, c.c_str());
  }
  return property_list(p);
}

namespace {

// libmosquitto's readers return malloc'd copies.
std::string take(char* s) {
  std::string out = s ? s : "";
  std::free(s);
  return out;
}

}  // namespace

publish_properties read_publish_properties(const mosquitto_property* props) {
  publish_properties v;
  for (const mosquitto_property* p = props; p; p = mosquitto_property_next(p)) {
    const int id = mosquitto_property_identifier(p);
    if (id != MQTT_PROP_RESPONSE_TOPIC && id != MQTT_PROP_CONTENT_TYPE) continue;
    char* value = nullptr;
    if (mosquitto_property_read_string(p, id, &value, false)) {
      (id == MQTT_PROP_RESPONSE_TOPIC ? v.response_topic : v.content_type) = take(value);
    }
  }
  return v;
}

connack_info read_connack_properties(const mosquitto_property* props) {
  connack_info c;
  for (const mosquitto_property* p = props; p; p = mosquitto_property_next(p)) {
    char* s = nullptr;
    char* name = nullptr;
    std::uint8_t b = 0;
    std::uint16_t i16 = 0;
    std::uint32_t i32 = 0;
    switch (mosquitto_property_identifier(p)) {
      case MQTT_PROP_ASSIGNED_CLIENT_IDENTIFIER:
        if (mosquitto_property_read_string(p, MQTT_PROP_ASSIGNED_CLIENT_IDENTIFIER, &s, false)) {
          c.assigned_client_id = take(s);
        }
        break;
      case MQTT_PROP_RESPONSE_INFORMATION:
        if (mosquitto_property_read_string(p, MQTT_PROP_RESPONSE_INFORMATION, &s, false)) {
          c.response_information = take(s);
        }
        break;
      case MQTT_PROP_USER_PROPERTY:
        if (mosquitto_property_read_string_pair(p, MQTT_PROP_USER_PROPERTY, &name, &s, false)) {
          const std::string key = take(name);
          std::string value = take(s);
          if (key == "subscribe-topic") c.subscribe_topics.push_back(std::move(value));  // R-MQTT.15
        }
        break;
      case MQTT_PROP_SERVER_KEEP_ALIVE:
        if (mosquitto_property_read_int16(p, MQTT_PROP_SERVER_KEEP_ALIVE, &i16, false)) c.server_keep_alive = i16;
        break;
      case MQTT_PROP_MAXIMUM_QOS:
        if (mosquitto_property_read_byte(p, MQTT_PROP_MAXIMUM_QOS, &b, false)) c.maximum_qos = b;
        break;
      case MQTT_PROP_RETAIN_AVAILABLE:
        if (mosquitto_property_read_byte(p, MQTT_PROP_RETAIN_AVAILABLE, &b, false)) c.retain_available = b != 0;
        break;
      case MQTT_PROP_MAXIMUM_PACKET_SIZE:
        if (mosquitto_property_read_int32(p, MQTT_PROP_MAXIMUM_PACKET_SIZE, &i32, false)) {
          c.maximum_packet_size = i32;
        }
        break;
      default: break;
    }
  }
  return c;
}

}  // namespace usp::mtp

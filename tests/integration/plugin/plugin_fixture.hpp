// A real mosquitto loading the built mosquitto_usp.so, and real MQTT clients
// (usp::mtp::mqtt_client) driven on one io_context.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "usp/mtp/mqtt_client.hpp"
#include "usp_test/mosquitto_broker.hpp"

namespace usp::test {

inline constexpr const char* agent_a = "os::000413-A1B2C3";
inline constexpr const char* agent_b = "os::000413-B1B2C3";
inline constexpr const char* controller_eid = "self::acme-controller";
inline constexpr const char* controller_topic = "usp/controller/acme";

// The plugin and its options as mosquitto.conf lines; `extra` are further
// "plugin_opt_..." lines.
std::vector<std::string> plugin_config(const std::vector<std::string>& extra = {});
// Broker options that load the plugin (with sanitizer libraries preloaded
// when the build is sanitized).
broker_options plugin_broker(const std::vector<std::string>& extra = {});

std::string agent_topic(const std::string& eid);

// One MQTT client and everything it has seen.
class peer {
 public:
  struct message {
    std::string topic, payload, response_topic, content_type;
    bool retain = false;
  };

  peer(boost::asio::io_context& io, mtp::mqtt_options o);
  ~peer();

  // Connects and waits for CONNACK.
  void connect();
  // SUBSCRIBE and wait for SUBACK; the granted QoS per filter (>= 0x80: refused).
  std::vector<int> subscribe(const std::vector<std::string>& filters, int qos = 1);
  // PUBLISH at QoS 1 and wait for the PUBACK (sent whether accepted or not).
  void publish(const std::string& topic, std::string_view payload, const std::string& response_topic = {},
               const std::string& content_type = "usp.msg");
  // Waits until a message on `topic` arrives whose payload equals `payload`.
  bool wait_for(const std::string& topic, const std::string& payload);
  // Waits until `n` messages have arrived.
  bool wait_for_count(std::size_t n);
  void stop();  // DISCONNECT

  std::vector<message> received;
  mtp::mqtt_client& client() { return *client_; }

 private:
  boost::asio::io_context& io_;
  std::unique_ptr<mtp::mqtt_client> client_;
  bool connected_ = false;
  int last_suback_mid_ = -1;
  std::vector<int> granted_;
  std::vector<int> published_;
};

// Test names for tests run on both MQTT versions.
inline std::string version_name(const ::testing::TestParamInfo<mqtt_version>& info) {
  return info.param == mqtt_version::v5 ? "v5" : "v311";
}

mtp::mqtt_options client_options(const mosquitto_broker& b, const std::string& client_id, mqtt_version v,
                                 const std::string& username = {});

}  // namespace usp::test

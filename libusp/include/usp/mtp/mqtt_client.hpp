// An asynchronous MQTT 3.1.1 / 5 client: libmosquitto for the protocol,
// driven by an Asio executor through mosquitto_socket() and readiness waits.
//
// No thread of its own (no mosquitto_loop_start), no blocking connect, no DNS
// lookup on the event loop (Asio resolves, libmosquitto gets an address).
// Reconnects follow R-MQTT.10 (ConnectRetry* windows, capped). Every call and
// every handler runs on the executor given at creation; call from there only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include "usp/backoff.hpp"
#include "usp/mqtt_version.hpp"
#include "usp/tls.hpp"

namespace usp::mtp {

struct mqtt_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  mqtt_version version = mqtt_version::v5;
  std::string client_id;              // empty: v5 lets the broker assign one (R-MQTT.8)
  std::string username;               // R-MQTT.7
  std::string password;               // sent only together with a username
  std::string endpoint_id;            // v5 CONNECT user property usp-endpoint-id (R-MQTT.13)
  std::uint16_t keepalive_s = 60;     // R-MQTT.14; 0 = off, otherwise >= 5
  bool clean_start = true;
  std::uint32_t session_expiry_s = 0;     // v5
  bool request_response_info = true;      // v5 Request Response Information (R-MQTT.12)
  std::uint32_t maximum_packet_size = 0;  // v5, what we accept; 0 = no limit
  // v5 Receive Maximum (MQTT 5 3.1.2.11.3): QoS 1/2 messages the broker may
  // have in flight to us at once; 0 = not sent (mosquitto then allows its
  // max_inflight_messages, 20, and queues the rest up to max_queued_messages).
  std::uint16_t receive_maximum = 0;
  std::optional<tls_options> tls;
  retry_policy retry{std::chrono::seconds(5), 2000, std::chrono::seconds(30720)};
  std::chrono::seconds connect_timeout{30};  // TCP + TLS + CONNACK
  std::size_t max_inflight = 1024;           // QoS 1 publishes not yet acknowledged
};

// What the broker said in CONNACK (v5 properties; defaults on 3.1.1).
struct connack_info {
  bool session_present = false;
  std::string assigned_client_id;             // R-MQTT.9
  std::string response_information;           // R-MQTT.21
  std::vector<std::string> subscribe_topics;  // user properties "subscribe-topic" (R-MQTT.15)
  std::uint16_t server_keep_alive = 0;
  std::uint8_t maximum_qos = 2;
  bool retain_available = true;
  std::uint32_t maximum_packet_size = 0;
};

// A received PUBLISH. The views are valid during the handler call only.
struct mqtt_message {
  std::string_view topic;
  std::string_view payload;
  std::string_view response_topic;  // v5 Response Topic, empty if absent
  std::string_view content_type;    // v5 Content Type, empty if absent
  int qos = 0;
  bool retain = false;
};

struct publish_request {
  std::string_view topic;
  std::string_view payload;
  int qos = 1;
  bool retain = false;
  std::string_view response_topic;  // v5 only (R-MQTT.23)
  std::string_view content_type;    // v5 only (R-MQTT.27: "usp.msg")
};

enum class mqtt_state : std::uint8_t { idle, resolving, connecting, connected, waiting_retry, stopped };
std::string_view to_string(mqtt_state s) noexcept;

struct mqtt_stats {
  std::uint64_t connects = 0;
  std::uint64_t connect_failures = 0;
  std::uint64_t disconnects = 0;
  std::uint64_t published = 0;
  std::uint64_t publish_refused = 0;
  std::uint64_t received = 0;
};

// Errors of our own (libmosquitto's MOSQ_ERR_* values use mosquitto_category).
enum class mqtt_errc { not_connected = 1, inflight_full, bad_argument };
const boost::system::error_category& mqtt_category() noexcept;
const boost::system::error_category& mosquitto_category() noexcept;
inline boost::system::error_code make_error_code(mqtt_errc e) noexcept {
  return {static_cast<int>(e), mqtt_category()};
}

class mqtt_client {
 public:
  struct handlers {
    std::function<void(const connack_info&)> on_connected;
    // Called when a connection attempt fails or an established one ends.
    std::function<void(const boost::system::error_code&)> on_disconnected;
    std::function<void(const mqtt_message&)> on_message;
    // One entry per filter: the granted QoS, or >= 0x80 for a refusal.
    std::function<void(int mid, const std::vector<int>& granted)> on_subscribed;
    std::function<void(int mid)> on_published;
  };

  // Throws std::runtime_error for bad options (TLS files, client id rules).
  mqtt_client(boost::asio::any_io_executor ex, mqtt_options opts, handlers h);
  ~mqtt_client();  // stops; no handler runs afterwards
  mqtt_client(const mqtt_client&) = delete;
  mqtt_client& operator=(const mqtt_client&) = delete;

  void start();            // connect now, retrying until stop()
  // DISCONNECT (R-MQTT.35) and stay down; `closed` runs (on the executor)
  // once the connection is gone, so a successor may take over its client id
  // without the broker cutting off what this one still had to send.
  void stop(std::function<void()> closed = {});
  void force_reconnect();  // Device.MQTT.Client.{i}.ForceReconnect()

  // Sends one SUBSCRIBE with every filter at `qos`; returns the message id.
  std::optional<int> subscribe(const std::vector<std::string>& filters, int qos,
                               boost::system::error_code& ec);
  std::optional<int> unsubscribe(const std::vector<std::string>& filters, boost::system::error_code& ec);
  // Refused (false, ec set) when not connected, when too many QoS 1 publishes
  // await PUBACK, or when libmosquitto refuses (e.g. packet too large).
  bool publish(const publish_request& req, boost::system::error_code& ec);

  mqtt_state state() const noexcept;
  // The client id in use: configured, or assigned by the broker (R-MQTT.9/11).
  const std::string& client_id() const noexcept;
  const connack_info& connack() const noexcept;
  std::uint32_t retry_count() const noexcept;
  std::size_t inflight() const noexcept;
  const mqtt_stats& stats() const noexcept;
  const mqtt_options& options() const noexcept;

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace usp::mtp

template <>
struct boost::system::is_error_code_enum<usp::mtp::mqtt_errc> : std::true_type {};

// The phone's MQTT MTP towards one controller (TR-369 "MQTT Binding"): its
// own MQTT client (each controller gets one), the R-MQTT.15 subscribe set,
// the mqtt_connect Record before anything else (R-MTP.6), and the reply-to
// on every PUBLISH (Response Topic on 5.0, the /reply-to= suffix on 3.1.1).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "usp/mtp/mqtt_client.hpp"

namespace usp::agent {

struct mqtt_link_config {
  mtp::mqtt_options mqtt;        // broker, version, TLS, credentials, client id, endpoint id
  std::string agent_eid;         // ours, the from_id of our Records
  std::string controller_eid;    // the controller's, the to_id
  std::string controller_topic;  // Controller.{i}.MTP.{i}.MQTT.Topic: Notify and Connect Records go here
  std::string own_topic;         // LocalAgent.MTP.{i}.MQTT.ResponseTopicConfigured
  int publish_qos = 1;           // LocalAgent.MTP.{i}.MQTT.PublishQoS
};

class mqtt_link {
 public:
  struct callbacks {
    // A Record arrived; `reply_to` is where to answer (empty: none given).
    std::function<void(std::string_view record, const std::string& reply_to)> on_record;
    // Subscribed and the Connect Record went out: Records may flow.
    std::function<void()> on_ready;
    // Connection lost (records must wait until on_ready again).
    std::function<void()> on_down;
    // The broker assigned a client id (R-MQTT.9): keep it.
    std::function<void(const std::string&)> on_client_id;
  };

  mqtt_link(boost::asio::any_io_executor ex, mqtt_link_config cfg, callbacks cb);
  ~mqtt_link();
  mqtt_link(const mqtt_link&) = delete;
  mqtt_link& operator=(const mqtt_link&) = delete;

  void start();
  // Sends a DisconnectRecord (R-MTP.7) and disconnects (R-MQTT.35);
  // `closed` runs once the connection is gone.
  void stop(std::function<void()> closed = {});
  void force_reconnect();

  // Publishes a Record to `topic` (empty: the controller's topic). False when
  // the link is not ready or the client refuses (backlog full).
  bool send(std::string_view record, std::string_view topic = {});
  bool ready() const noexcept { return ready_; }

  // TR-181 MQTT.Client.{i}.Status and LocalAgent.MTP.{i}.Status.
  std::string client_status() const;
  std::string mtp_status() const;
  std::string client_id() const;
  // Where we are reachable: CONNACK Response Information, else own_topic (R-MQTT.21).
  std::string reply_to() const;
  std::string response_information() const;
  const mqtt_link_config& config() const noexcept { return cfg_; }
  std::uint64_t dropped() const noexcept { return dropped_; }

 private:
  void on_connected(const mtp::connack_info& c);
  void on_subscribed(const std::vector<int>& granted);
  void on_message(const mtp::mqtt_message& m);
  bool publish(std::string_view record, std::string_view topic);

  boost::asio::any_io_executor ex_;
  mqtt_link_config cfg_;
  callbacks cb_;
  std::unique_ptr<mtp::mqtt_client> client_;
  std::optional<int> pending_subscribe_;
  bool ready_ = false;
  bool misconfigured_ = false;
  std::uint64_t dropped_ = 0;
};

}  // namespace usp::agent

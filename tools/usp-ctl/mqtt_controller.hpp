// A USP controller on MQTT: usp-ctl's --mqtt mode, and the scripted
// controller of the integration tests.
//
// It listens on its own topic (with /# on 3.1.1, where agents append
// /reply-to=), learns each agent's topic and MQTT version from mqtt_connect
// Records and reply-to information (TR-369 §MQTT "discovery" a and b), and
// sends Records to an agent's topic with its own reply-to.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "e2e_peers.hpp"
#include "usp/e2e_driver.hpp"
#include "usp/mtp/mqtt_client.hpp"
#include "usp/record.hpp"

namespace usp::ctl {

struct mqtt_controller_options {
  mtp::mqtt_options mqtt;            // broker, version, credentials, TLS
  std::string endpoint_id;           // the controller's EID
  std::string topic;                 // where the controller listens (agents publish here)
  std::string agent_topic_template = "usp/agent/{eid}";  // fallback for agents not yet heard from
  bool answer_notify = true;         // send NotifyResp to Notify with send_resp (R-NOT.10)
  // E2E session contexts with every agent (local_eid / peer_eid / agent are
  // filled in per agent); none: NoSessionContext Records only.
  std::optional<e2e::config> e2e;
};

// A Record received from an agent, decoded.
struct received_record {
  usp_record::Record record;
  std::optional<usp::Msg> msg;  // for no_session_context Records
  std::string topic;            // where it arrived
  std::string reply_to;         // Response Topic or /reply-to= (empty: none)
  std::string content_type;
};

class mqtt_controller {
 public:
  mqtt_controller(boost::asio::any_io_executor ex, mqtt_controller_options opts);
  ~mqtt_controller();

  void start();
  void stop();
  bool ready() const noexcept { return ready_; }

  // Called for every Record from an agent, and with sessions once more for
  // every Msg reassembled from them (after NotifyResp went out).
  std::function<void(const received_record&)> on_record;

  // Sends `msg` to `agent`: in its session context when options().e2e is
  // set, else in a no-session Record; false when not connected.
  bool send(const std::string& agent, const usp::Msg& msg);
  // Sends raw bytes to an agent's topic (tests: malformed input).
  bool send_raw(const std::string& agent, std::string_view bytes, bool with_reply_to = true);

  // What was learned of an agent.
  struct agent_info {
    std::string topic;  // where to reach it
    mqtt_version version = mqtt_version::v5;
    bool connected = false;  // an mqtt_connect Record arrived
  };
  std::optional<agent_info> agent(const std::string& eid) const;
  const mqtt_controller_options& options() const noexcept { return opts_; }
  // Starts a session context with `agent` now (options().e2e required).
  void start_session(const std::string& agent);
  // The session with `agent`, when options().e2e made one.
  const e2e::session* session(const std::string& agent) const;
  mtp::mqtt_client& client() noexcept { return *client_; }

 private:
  void on_message(const mtp::mqtt_message& m);
  // NotifyResp when asked, then on_record.
  void deliver(const received_record& r);
  std::string topic_for(const std::string& agent) const;

  mqtt_controller_options opts_;
  std::unique_ptr<mtp::mqtt_client> client_;
  std::map<std::string, agent_info> agents_;
  std::unique_ptr<e2e_peers> e2e_;  // when opts_.e2e; goes before the client
  boost::asio::any_io_executor ex_;
  std::optional<int> subscribe_mid_;
  bool ready_ = false;
};

// msg_id generator for requests: "<prefix>-<n>".
std::string next_msg_id(const std::string& prefix = "usp-ctl");

}  // namespace usp::ctl

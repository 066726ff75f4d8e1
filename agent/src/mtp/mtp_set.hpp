// Every MTP of one phone: per controller an MQTT link or a WebSocket client
// link (tr369_mtp_protocol picks, and may change at run time), plus the
// phone's own WebSocket server. Routes Records in with a way to answer on
// the same MTP and session (§Supporting Multiple MTPs), and Notify out on
// whichever channel reaches the controller.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "mtp/mqtt_link.hpp"
#include "mtp/ws_link.hpp"
#include "mtp/ws_listener.hpp"

namespace usp::agent {

// Answers a Record on the MTP and session it came on.
using reply_fn = std::function<bool(std::string record)>;

// What one controller should have: at most one of the two.
struct controller_mtp {
  unsigned index = 0;
  std::string eid;
  std::optional<mqtt_link_config> mqtt;
  std::optional<ws_link_config> ws;
};

class mtp_set {
 public:
  struct callbacks {
    std::function<void(std::string_view record, reply_fn reply)> on_record;
    std::function<void(const std::string& eid)> on_reachable;    // a channel to it came up
    std::function<void(const std::string& eid)> on_unreachable;  // the last one went down
    std::function<void(unsigned index, const std::string& client_id)> on_client_id;
    std::function<bool(const std::string& eid)> is_enabled_controller;
  };

  mtp_set(boost::asio::any_io_executor ex, callbacks cb);
  ~mtp_set();

  // Brings controller `want.index`'s links to what `want` says; links whose
  // configuration did not change are left alone.
  void apply(const controller_mtp& want);
  // Starts the phone's WebSocket server; throws when it cannot listen.
  void listen(ws_listener_config cfg);
  // Everything down, with Disconnect Records where a session is up.
  void stop();

  // Notify and other agent-initiated Records: the controller's configured
  // MTP when up, else a session the controller opened to our server.
  bool send(const std::string& eid, std::string_view record);
  bool reachable(const std::string& eid) const;
  // The Connect Record for the channel send() uses now (empty when none):
  // R-MTP.8 wants it again after a DisconnectRecord on an MTP that stays up.
  std::string connect_record(const std::string& eid) const;

  std::string mqtt_status(unsigned index) const;
  std::string mqtt_client_id(unsigned index) const;
  std::string mqtt_response_information(unsigned index) const;
  std::string mtp_status(unsigned index) const;
  std::uint32_t ws_retry_count(unsigned index) const;
  std::optional<std::uint16_t> listener_port() const;
  void force_mqtt_reconnect(unsigned index);

 private:
  struct links {
    std::string eid;
    std::unique_ptr<mqtt_link> mqtt;
    std::unique_ptr<ws_link> ws;
    std::optional<mqtt_link_config> mqtt_cfg;
    std::optional<ws_link_config> ws_cfg;
    std::optional<mqtt_link_config> want_mqtt;
    std::optional<ws_link_config> want_ws;
    int retiring = 0;  // old links still closing; their successors wait
  };
  void start_wanted(unsigned index, links& l);
  void start_mqtt(unsigned index, links& l, const mqtt_link_config& cfg);
  void start_ws(unsigned index, links& l, const ws_link_config& cfg);
  void retire_mqtt(unsigned index, links& l);
  void retire_ws(unsigned index, links& l);
  void update_reachability(const std::string& eid);

  boost::asio::any_io_executor ex_;
  callbacks cb_;
  std::map<unsigned, links> links_;
  // Replaced links finishing their goodbye: a successor with the same MQTT
  // client id would otherwise make the broker cut the old session off before
  // it delivered its last answers, and R-WS.4 allows one session per pair.
  std::vector<std::unique_ptr<mqtt_link>> retired_mqtt_;
  std::vector<std::unique_ptr<ws_link>> retired_ws_;
  bool stopped_ = false;
  std::unique_ptr<ws_listener> listener_;
  std::map<std::string, bool> reachable_;
};

}  // namespace usp::agent

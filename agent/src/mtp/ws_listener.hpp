// The phone's own WebSocket server (R-WS.6, LocalAgent.MTP.{i}.WebSocket):
// controllers dial the phone. Takes the controller's eid from the query (or
// the legacy extension, R-WS.10a), echoes v1.usp and answers the extension
// with the phone's eid (R-WS.11/11a), refuses controllers that are unknown or
// disabled, and keeps at most one session per controller (R-WS.4).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "usp/mtp/ws.hpp"

namespace usp::agent {

struct ws_listener_config {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8443;
  std::string path = "/usp";
  std::optional<tls_options> tls;
  std::chrono::seconds keepalive{60};
  std::string agent_eid;
};

class ws_listener {
 public:
  struct callbacks {
    // Whether `eid` is an enabled controller.
    std::function<bool(const std::string& eid)> is_enabled_controller;
    // Whether another session with that controller is open (its client link).
    std::function<bool(const std::string& eid)> has_other_session;
    std::function<void(const std::string& eid, std::string_view record, const mtp::ws_session_ptr& s)> on_record;
    std::function<void(const std::string& eid)> on_open;
    std::function<void(const std::string& eid)> on_close;
  };

  // Throws std::runtime_error when it cannot listen.
  ws_listener(boost::asio::any_io_executor ex, ws_listener_config cfg, callbacks cb);
  ~ws_listener();

  std::uint16_t port() const noexcept;
  bool has_session(const std::string& eid) const;
  bool send(const std::string& eid, std::string_view record);
  void stop();  // closes every session (DisconnectRecord first)
  const ws_listener_config& config() const noexcept { return cfg_; }

 private:
  ws_listener_config cfg_;
  callbacks cb_;
  std::map<std::string, mtp::ws_session_ptr> sessions_;
  std::unique_ptr<mtp::ws_server> server_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace usp::agent

// A USP controller on WebSocket: usp-ctl's --ws-listen and --ws-connect
// modes, and the scripted controller of the integration tests.
//
// Listening, it is the controller's WebSocket server that agents (or the
// gateway acting for them) dial: it learns each agent's eid from ?eid= or the
// legacy extension and answers the extension with its own (R-WS.11a).
// Connecting, it dials an agent's server (or the gateway's listen mode) with
// its own eid in the query (R-WS.10b). Either way one session per agent.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "e2e_peers.hpp"
#include "mqtt_controller.hpp"
#include "usp/mtp/ws.hpp"

namespace usp::ctl {

struct ws_controller_options {
  std::string endpoint_id;
  bool answer_notify = true;  // NotifyResp to Notify with send_resp (R-NOT.10)
  mtp::ws_limits limits;
};

class ws_controller {
 public:
  ws_controller(boost::asio::any_io_executor ex, ws_controller_options opts);
  ~ws_controller();

  // Accepts agents on address:port (0 = ephemeral); TLS when `tls` is set.
  void listen(const std::string& address, std::uint16_t port, std::optional<tls_options> tls = std::nullopt);
  std::uint16_t port() const;
  // Dials an agent's WebSocket server (ws:// or wss://); `agent_eid` names the
  // session until the agent's Records say who it is.
  void connect(const std::string& url, const std::string& agent_eid, tls_options tls = {});

  std::function<void(const received_record&)> on_record;
  std::function<void(const std::string& agent_eid)> on_session_open;
  std::function<void(const std::string& agent_eid, const mtp::ws_close_info&)> on_session_close;

  // From now on Msgs travel in E2E Session Contexts, one per agent (as
  // mqtt_controller_options::e2e does on MQTT).
  void use_e2e(e2e::config c);
  const e2e::session* e2e_session(const std::string& agent) const;

  // In the agent's session context after use_e2e(), else in a no-session Record.
  bool send(const std::string& agent, const usp::Msg& msg);
  bool send_raw(const std::string& agent, std::string bytes);
  bool connected(const std::string& agent) const;
  mtp::ws_session_ptr session(const std::string& agent) const;
  std::size_t sessions() const;  // distinct sessions (one may go by several names)
  void close(const std::string& agent, std::uint16_t code = 1000);
  void stop();

 private:
  mtp::ws_handlers handlers(std::string fallback_eid);
  void on_message(const mtp::ws_session_ptr& s, std::string_view bytes);
  // NotifyResp when asked (R-NOT.10), then on_record.
  void deliver(const mtp::ws_session_ptr& s, const received_record& r);

  boost::asio::any_io_executor ex_;
  ws_controller_options opts_;
  std::unique_ptr<mtp::ws_server> server_;
  std::map<std::string, mtp::ws_session_ptr> sessions_;
  std::unique_ptr<e2e_peers> e2e_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace usp::ctl

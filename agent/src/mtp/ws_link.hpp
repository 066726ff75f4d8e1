// The phone's WebSocket MTP as a client (TR-369 "WebSocket Binding"): it
// dials one controller's WebSocket server (R-WS.5), sends the
// websocket_connect Record first (R-MTP.6), and retries on the R-WS.19
// windows, resetting on success (R-WS.20). CurrentRetryCount is live.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "usp/backoff.hpp"
#include "usp/mtp/ws.hpp"

namespace usp::agent {

struct ws_link_config {
  std::string url;              // ws[s]://host:port/path, from tr369_websocket_uri
  std::string agent_eid;
  std::string controller_eid;
  tls_options tls;              // for wss://
  std::chrono::seconds keepalive{60};  // Controller.{i}.MTP.{i}.WebSocket.KeepAliveInterval
  retry_policy retry;           // SessionRetryMinimumWaitInterval / IntervalMultiplier
};

class ws_link {
 public:
  struct callbacks {
    std::function<void(std::string_view record, const mtp::ws_session_ptr& session)> on_record;
    std::function<void()> on_ready;
    std::function<void()> on_down;
    // R-WS.4: false while another session with this controller is open.
    std::function<bool()> may_dial;
  };

  ws_link(boost::asio::any_io_executor ex, ws_link_config cfg, callbacks cb);
  ~ws_link();
  ws_link(const ws_link&) = delete;
  ws_link& operator=(const ws_link&) = delete;

  void start();
  // DisconnectRecord (R-MTP.7), then Close 1000; `closed` runs once the
  // session is gone (R-WS.4: a successor may then dial the same controller).
  void stop(std::function<void()> closed = {});
  bool send(std::string_view record);
  bool ready() const noexcept { return session_ && session_->is_open() && connected_; }
  std::uint32_t retry_count() const noexcept { return retry_.count(); }  // CurrentRetryCount
  std::string status() const;
  const ws_link_config& config() const noexcept { return cfg_; }

 private:
  void dial();
  void schedule_retry();

  boost::asio::any_io_executor ex_;
  ws_link_config cfg_;
  callbacks cb_;
  retry_state retry_;
  boost::asio::steady_timer timer_;
  mtp::ws_session_ptr session_;
  bool connected_ = false;
  bool stopped_ = false;
  std::function<void()> closed_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace usp::agent

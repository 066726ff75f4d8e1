// Listen mode: controllers that dial agents reach agent X at
// <path_prefix><X> on the gateway, which answers as X's WebSocket server
// (echoes v1.usp, answers the legacy extension with X's eid, R-WS.11/11a).
// At <path_prefix> alone a controller gets one shared socket on which its
// Records name the agent by to_id (TR-369 "MTP Proxy").
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "pair.hpp"
#include "routing/snapshot.hpp"
#include "stats.hpp"

namespace usp::gateway {

class listener {
 public:
  struct callbacks {
    // Whether the gateway knows `agent` (thread-safe).
    std::function<bool(const std::string& agent)> known;
    // A controller's session for `agent` opened or closed (empty agent: shared).
    std::function<void(const std::string& controller, const std::string& agent, channel ch)> opened;
    std::function<void(const std::string& controller, const std::string& agent, const mtp::ws_session_ptr& s)> closed;
    // A Record from the controller on the session for `agent` (empty: shared).
    std::function<void(const std::string& controller, const std::string& agent, std::string_view record)> record;
  };

  // Binds; throws std::runtime_error when it cannot (start-up error).
  listener(boost::asio::any_io_executor ex, snapshot_ptr snap, gateway_stats& stats, callbacks cb);
  ~listener();

  std::uint16_t port() const noexcept;
  // Sessions of controllers that are no longer in listen mode are closed.
  void reload(snapshot_ptr snap);
  // Stops accepting and closes every session (1001).
  void stop();

 private:
  mtp::ws_upgrade_decision decide(const mtp::ws_upgrade_request& req);

  boost::asio::any_io_executor ex_;
  snapshot_ptr snap_;
  gateway_stats& stats_;
  callbacks cb_;
  std::unique_ptr<mtp::ws_server> server_;
  // R-WS.4: one session per (controller, agent); "" = the shared socket.
  std::map<std::pair<std::string, std::string>, mtp::ws_session_ptr> sessions_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace usp::gateway

// Multiplex mode: one WebSocket session from the gateway to a controller
// that carries many agents, its Records routed by to_id / from_id (TR-369
// "MTP Proxy": one socket may serve several endpoints). Retries on the
// R-WS.19 windows with the configured cap.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "pair.hpp"
#include "routing/snapshot.hpp"
#include "stats.hpp"
#include "usp/backoff.hpp"

namespace usp::gateway {

class multiplex_link {
 public:
  struct callbacks {
    std::function<void(const std::string& controller, channel ch)> up;
    std::function<void(const std::string& controller, const mtp::ws_session_ptr& s)> down;
    std::function<void(const std::string& controller, std::string_view record)> record;
  };

  multiplex_link(boost::asio::any_io_executor ex, snapshot_ptr snap, std::string controller, gateway_stats& stats,
                 callbacks cb);
  ~multiplex_link();

  void start();
  void stop();  // closes (1001) and stays down
  const std::string& controller() const noexcept { return controller_; }

 private:
  void dial();
  void retry();

  boost::asio::any_io_executor ex_;
  snapshot_ptr snap_;
  std::string controller_;
  gateway_stats& stats_;
  callbacks cb_;
  mtp::ws_session_ptr session_;
  retry_state retry_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace usp::gateway

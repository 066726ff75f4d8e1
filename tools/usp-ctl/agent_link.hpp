// One interface over usp-ctl's ways to reach an agent (--mqtt, --ws-connect,
// --ws-listen), each a thin adapter over the controller class that does the
// work (mqtt_controller, ws_controller), so the verbs do not care which.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "link_options.hpp"
#include "mqtt_controller.hpp"

namespace usp::ctl {

class agent_link {
 public:
  virtual ~agent_link() = default;

  virtual void start() = 0;
  virtual void stop() = 0;
  // We can hear agents: subscribed on MQTT, a session open or a server
  // listening on WebSocket.
  virtual bool listening() const = 0;
  // A request for `agent` can go out now.
  virtual bool reaches(const std::string& agent) const = 0;
  // Why no agent can be reached (broker refused, upgrade refused, session
  // closed); empty while there is hope.
  virtual std::string failure() const = 0;
  virtual bool send(const std::string& agent, const usp::Msg& msg) = 0;
  // Where we are, for the user, once started ("listening on 127.0.0.1:41234").
  virtual std::string where() const { return {}; }

  // The agent the verbs talk to: --to, else the first one heard from (its
  // Connect Record, R-MTP.6) or, listening, the first to open a session.
  const std::string& agent() const noexcept { return agent_; }

  // Every Record from an agent, decoded (NotifyResp already sent when asked,
  // R-NOT.10).
  std::function<void(const received_record&)> on_record;

 protected:
  explicit agent_link(std::string to) : agent_(std::move(to)) {}
  void heard(const received_record& r);
  std::string agent_;
};

// Throws std::runtime_error / std::invalid_argument for what cannot start
// (unreadable TLS or password files, a port in use, a malformed URL).
std::unique_ptr<agent_link> make_agent_link(boost::asio::any_io_executor ex, const link_options& o);

}  // namespace usp::ctl

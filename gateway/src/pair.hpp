// One agent as one controller sees it through the gateway: the WebSocket
// channel that carries their Records (a session the gateway dials as the
// agent, a session the controller opened to the gateway for the agent, or
// the controller's shared session), and the Records waiting for it.
//
// R-WS.4: at most one session per agent-controller pair. R-MTP.6: the
// agent's WebSocketConnectRecord (made by the gateway in the agent's name,
// Connect Records being per MTP) goes first on every channel, and again
// whenever the agent sends an MQTTConnectRecord (R-MTP.8).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "routing/snapshot.hpp"
#include "stats.hpp"
#include "usp/backoff.hpp"
#include "usp/bounded_queue.hpp"
#include "usp/mtp/ws.hpp"

namespace usp::gateway {

class router;

// The R-WS.19 retry windows configured for controller `c`, with our cap.
retry_policy dial_policy(const controller_config* c);

// A WebSocket session and the executor its calls must run on.
struct channel {
  mtp::ws_session_ptr session;
  boost::asio::any_io_executor ex;
  explicit operator bool() const noexcept { return session != nullptr; }
};

class pair {
 public:
  enum class dial_state : std::uint8_t { idle, dialing, open, waiting };

  pair(router& r, std::string agent, std::string controller_eid);
  ~pair();
  pair(const pair&) = delete;
  pair& operator=(const pair&) = delete;

  const std::string& agent() const noexcept { return agent_; }
  const std::string& controller() const noexcept { return controller_; }

  // A Record from the agent for the controller.
  void to_controller(std::string record);
  // The agent (re)connected its MTP: its Connect Record, translated.
  void agent_connected();
  // The plugin's presence says the agent (re)connected to the broker: its
  // next MQTTConnectRecord belongs to a new MTP connection.
  void agent_online() noexcept { announced_ = false; }
  // The agent went away for longer than the grace period: close the
  // channel we own and drop what waits (counted); no redial until unpark().
  void park();
  void unpark();
  bool parked() const noexcept { return parked_; }

  // Listen mode: the controller's session for this agent.
  void attach(channel ch);
  void detach(const mtp::ws_session_ptr& s);
  // A shared session (multiplex, or a listen socket naming agents by to_id).
  void shared_up(channel ch);
  void shared_down(const mtp::ws_session_ptr& s);

  // Applies a new configuration; a changed controller gets a fresh session.
  void reconfigure();
  // Closes what this pair owns (going away); `drain` sends queued Records first.
  void close(std::uint16_t code, std::string_view reason, bool drain);
  // Records still waiting; they count as dropped (`why`) when the pair goes.
  std::size_t drop_waiting(drop_reason why);

  std::string state_name() const;
  std::string json() const;  // one /sessions entry
  std::size_t waiting() const noexcept { return queue_.size(); }
  // Drops (and counts) what waited longer than the queue's TTL.
  void expire();

 private:
  const controller_config* config() const;
  bool dialing_mode() const;
  void dial();
  void schedule_redial();
  void on_open(const mtp::ws_session_ptr& s);
  void on_close(const mtp::ws_session_ptr& s, const mtp::ws_close_info& info);
  // The channel Records go out on now, if it carries our Connect Record.
  const channel* ready_channel() const;
  void became_ready(const channel& ch);
  void send(const channel& ch, std::string record);
  void flush(const channel& ch);
  void account();

  router& router_;
  std::string agent_;
  std::string controller_;
  std::string dialed_url_;           // the URL the open/dialing session used
  bounded_queue<std::string> queue_;
  queue_counters accounted_{};       // what account() already reported
  std::size_t gauged_ = 0;           // our share of stats().queued_records
  channel own_;                      // dialed by us, or the controller's per-agent session
  bool own_ready_ = false;           // own_ carries our Connect Record
  channel shared_;
  bool shared_ready_ = false;
  bool announced_ = false;           // a Connect Record went out since the agent's (re)connect
  dial_state state_ = dial_state::idle;
  retry_state retry_;
  boost::asio::steady_timer retry_timer_;
  bool parked_ = false;
  bool closing_ = false;
  std::chrono::system_clock::time_point since_ = std::chrono::system_clock::now();
  std::uint64_t to_controller_ = 0;
  std::uint64_t to_agent_ = 0;
  std::uint64_t dropped_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  friend class router;
};

}  // namespace usp::gateway

// usp-ctl's side of one command: runs the event loop until the link reaches
// the agent, an answer arrives, a notification matches, the deadline passes
// or a signal comes.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "agent_link.hpp"

namespace usp::ctl {

enum class wait_result { done, timed_out, failed, interrupted };

class conversation {
 public:
  conversation(boost::asio::io_context& io, agent_link& link, std::chrono::milliseconds timeout);
  ~conversation();

  // Until the link hears agents (listening() holds).
  wait_result open();
  // Until the link reaches the agent (learning who it is when no --to).
  wait_result reach_agent();
  // Sends `req` to the agent and waits for the response or Error carrying
  // its msg_id; others are kept for next() (R-MSG.9: only that msg_id answers).
  wait_result request(const usp::Msg& req, usp::Msg& resp);
  // The next Record matching `pred`, oldest first; nullopt timeout = no
  // deadline (until a signal).
  wait_result next(const std::function<bool(const received_record&)>& pred, received_record& out,
                   std::optional<std::chrono::milliseconds> timeout);
  // Sends without waiting (cleanup).
  bool send(const usp::Msg& msg) { return link_.send(link_.agent(), msg); }

  const std::string& agent() const noexcept { return link_.agent(); }
  std::string failure() const { return link_.failure(); }
  std::chrono::milliseconds timeout() const noexcept { return timeout_; }

 private:
  wait_result run_until(const std::function<bool()>& done, std::optional<std::chrono::steady_clock::time_point> deadline);

  boost::asio::io_context& io_;
  agent_link& link_;
  std::chrono::milliseconds timeout_;
  std::deque<received_record> inbox_;
  boost::asio::signal_set signals_;
  bool interrupted_ = false;
};

}  // namespace usp::ctl

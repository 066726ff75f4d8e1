// Runs one e2e::session on an executor: a timer at its next deadline, Records
// out through a callback, whole Msgs in through another. The agent keeps one
// per controller that uses sessions, usp-ctl one per agent.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "usp/e2e_session.hpp"

namespace usp::e2e {

struct driver_hooks {
  // A Record for the peer, in order. `disconnect`: R-MTP.8 applies to the
  // MTP it goes out on (an agent re-sends its Connect Record before more).
  std::function<void(const outgoing_record&)> send_record;
  // A whole serialized usp.Msg from the peer.
  std::function<void(std::string msg)> deliver;
  // A session ended (ours or the peer's); optional.
  std::function<void(const ending&)> ended;
};

class driver {
 public:
  driver(boost::asio::any_io_executor ex, config c, driver_hooks h);
  ~driver();
  driver(const driver&) = delete;
  driver& operator=(const driver&) = delete;

  void start();
  void send(std::string msg);
  void receive(const usp_record::Record& record);
  void reset();
  void set_mode(session_mode mode);

  const session& state() const noexcept { return session_; }

 private:
  void apply(output out);
  void arm();

  session session_;
  driver_hooks hooks_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// "Require" / "Allow" / "Forbid" (E2ESession.SessionMode).
std::optional<session_mode> parse_session_mode(std::string_view s) noexcept;
const char* to_string(status s) noexcept;  // "Down" / "Negotiating" / "Up"

}  // namespace usp::e2e

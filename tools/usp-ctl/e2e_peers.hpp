// A controller's E2E Session Contexts, one per agent (TR-369 §E2E), for
// either MTP: mqtt_controller and ws_controller hand Records in and get whole
// Msgs back; the session engine (libusp e2e::driver) does the rest.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "usp/e2e_driver.hpp"

namespace usp::ctl {

class e2e_peers {
 public:
  // `send_record` puts a Record for `agent` on the MTP.
  e2e_peers(boost::asio::any_io_executor ex, std::string local_eid, e2e::config cfg,
            std::function<void(const std::string& agent, const std::string& wire)> send_record);

  // True for the Records the sessions take: SessionContext, and under our
  // mode also NoSessionContext and Disconnect (R-E2E.4/6a).
  static bool takes(const usp_record::Record& r);
  // Feeds a Record from its from_id; each whole Msg it completes comes out
  // through `deliver` during this call.
  void receive(const usp_record::Record& r, const std::function<void(std::string msg)>& deliver);
  // Sends a serialized Msg to `agent` in its session (starting one when needed).
  void send(const std::string& agent, std::string msg);
  void start(const std::string& agent);
  const e2e::session* session(const std::string& agent) const;

 private:
  e2e::driver& with(const std::string& agent);

  boost::asio::any_io_executor ex_;
  std::string local_eid_;
  e2e::config cfg_;
  std::function<void(const std::string&, const std::string&)> send_record_;
  std::map<std::string, std::unique_ptr<e2e::driver>> drivers_;
  const std::function<void(std::string)>* deliver_ = nullptr;  // during receive()
};

}  // namespace usp::ctl

// Subscriptions and notifications (TR-369 "Notifications and Subscription
// Mechanism"): matches data-model changes, operation results and events
// against Device.LocalAgent.Subscription.{i}., sends Notify messages to each
// subscription's Recipient, and retries those with NotifRetry until a
// NotifyResp arrives (R-NOT.1-4).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dm/tree.hpp"
#include "usp/backoff.hpp"
#include "usp_msg.pb.h"

namespace usp::agent {

// Where Notify messages go out: the phone's MTPs.
class notify_sink {
 public:
  virtual ~notify_sink() = default;
  // True when handed to an MTP now; false when the controller is not
  // reachable (the notifier keeps the message until controller_online).
  virtual bool send_notify(const std::string& controller_eid, const usp::Msg& msg) = 0;
};

// A notification the last boot owed and could not send before restarting
// (an event, or the OperationComplete of a command that ended in the
// restart, such as a firmware Activate()); sent right after Boot!.
struct carried_notice {
  std::string obj_path;       // "Device.LocalAgent." / "Device.DeviceInfo.FirmwareImage.2."
  std::string name;           // "TransferComplete" (event) or "Activate()" (command)
  std::string command_key;    // commands only
  std::map<std::string, std::string> args;  // event arguments or output arguments
  std::uint32_t err_code = 0; // commands only: 0 = success
  std::string err_msg;
  bool is_event() const noexcept { return !name.ends_with("()"); }
};

struct boot_info {
  std::string cause = "LocalReboot";
  std::string reason = "Unknown";
  std::string command_key;
  bool firmware_updated = false;
  std::vector<carried_notice> carried;
};

struct notifier_stats {
  std::uint64_t sent = 0;
  std::uint64_t retried = 0;
  std::uint64_t acknowledged = 0;
  std::uint64_t expired = 0;
  std::uint64_t dropped = 0;  // backlog overflow while a controller was away
};

class notifier {
 public:
  notifier(boost::asio::any_io_executor ex, dm::data_model& dm, notify_sink& sink);
  ~notifier();
  notifier(const notifier&) = delete;
  notifier& operator=(const notifier&) = delete;

  // ---- what happened -------------------------------------------------------
  void value_changed(const dm::instance& inst, const dm::param_def& p, const std::string& value);
  void object_created(const dm::instance& inst);
  void object_deleted(const std::string& path);
  // An asynchronous command finished (or a synchronous one a subscription asked about).
  void operation_complete(const std::string& obj_path, const std::string& command_name, const std::string& command_key,
                          const dm::command_result& result);
  // An event such as "Device." "Boot" (name without '!'); with `recipient`,
  // only that controller's subscriptions (Periodic! is per controller).
  void event(const std::string& obj_path, const std::string& event_name, const std::map<std::string, std::string>& args,
             const std::string& recipient = {});
  // Boot! to every controller with an enabled Event subscription to Device.Boot!,
  // each with its own ParameterMap (Controller.{i}.BootParameter.{i}.); then
  // what the last boot carried over.
  void boot(const boot_info& b);

  // ---- delivery ------------------------------------------------------------
  void acknowledged(const std::string& controller, const std::string& msg_id);  // NotifyResp
  // The controller's MTP is up and its Connect Record went out (R-MTP.6):
  // send what waited.
  void controller_online(const std::string& controller);
  void controller_offline(const std::string& controller);
  // Forget everything (reboot, factory reset).
  void reset();

  const notifier_stats& stats() const noexcept { return stats_; }
  std::size_t pending() const noexcept;

  // The ParameterMap JSON object for a controller row (exposed for tests).
  static std::string parameter_map(dm::data_model& dm, const dm::instance& controller);

 private:
  struct subscription {
    std::string id;
    std::string recipient_eid;
    const dm::instance* recipient_row = nullptr;
    std::vector<std::string> references;
    bool retry = false;
    std::uint32_t expiration_s = 0;
  };
  struct outgoing {
    std::string controller;
    usp::Msg msg;
    bool awaits_response = false;
    std::chrono::steady_clock::time_point expires{};  // max() = never
    std::unique_ptr<usp::retry_state> retry;
    std::unique_ptr<boost::asio::steady_timer> timer;
    bool sent_once = false;
  };

  std::vector<subscription> subscriptions(std::string_view notif_type) const;
  bool references(const subscription& s, const std::string& path) const;
  void notify(const subscription& s, usp::Notify n);
  void transmit(outgoing& o);
  void schedule_retry(const std::string& msg_id);
  std::string next_msg_id(std::string_view kind);

  boost::asio::any_io_executor ex_;
  dm::data_model& dm_;
  notify_sink& sink_;
  std::map<std::string, outgoing> outgoing_;           // by msg_id
  std::map<std::string, std::deque<std::string>> waiting_;  // controller -> msg_ids not yet sent
  std::map<std::string, bool> online_;
  notifier_stats stats_;
  std::uint64_t counter_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace usp::agent

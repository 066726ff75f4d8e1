// One boot of a phone: everything that a reboot rebuilds from disk.
#pragma once

#include <map>

#include <boost/asio/steady_timer.hpp>
#include <google/protobuf/arena.h>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "handlers/operations.hpp"
#include "mtp/mtp_set.hpp"
#include "notify/notifier.hpp"
#include "phone.hpp"
#include "usp/e2e_driver.hpp"

namespace usp::agent {

class phone::runtime final : public phone_services, public notify_sink {
 public:
  runtime(phone& owner, boot_info boot);
  ~runtime() override;

  void start();
  void stop();
  void reload_settings();

  // ---- phone_services ------------------------------------------------------
  settings_store& settings() override { return settings_; }
  const identity& id() const override { return owner_.opts_.id; }
  const derived_context& derived() const override { return derived_; }
  std::chrono::seconds uptime() const override;
  std::string software_version() const override;
  std::string mqtt_status(unsigned index) const override;
  std::string mqtt_client_id(unsigned index) const override;
  std::string mqtt_response_information(unsigned index) const override;
  std::string agent_mtp_status(unsigned index) const override;
  std::uint32_t ws_retry_count(unsigned index) const override;
  std::string e2e_status(unsigned index) const override;
  std::uint32_t e2e_retry_count(unsigned index) const override;
  void e2e_reset(unsigned index) override;
  void schedule_reboot(std::string cause, std::string reason, std::string command_key) override;
  void schedule_factory_reset(std::string cause, std::string reason, std::string command_key) override;
  void show_page(std::string url, dm::command_done done) override;
  void force_mqtt_reconnect(unsigned index) override;
  dm::outcome cancel_request(std::uint32_t number) override;
  image_bank& images() const override { return *owner_.bank_; }
  void download_firmware(download_request req, bool auto_activate, dm::command_call call,
                         dm::command_done done) override;
  void activate_firmware(unsigned slot, std::chrono::seconds delay, dm::command_call call,
                         dm::command_done done) override;

  // ---- notify_sink ---------------------------------------------------------
  bool send_notify(const std::string& controller_eid, const usp::Msg& msg) override;

  dm::data_model& model() noexcept { return dm_; }
  notifier& notifications() noexcept { return notifier_; }

 private:
  struct controller_view {
    unsigned index = 0;
    std::string eid;
    bool enabled = false;
    std::string protocol;  // "mqtt" / "websocket"
  };
  std::vector<controller_view> controllers() const;
  std::optional<controller_view> controller_by_eid(std::string_view eid) const;
  controller_view view_of(std::uint32_t n, const dm::instance& row, std::string eid) const;
  const std::map<std::uint32_t, std::unique_ptr<dm::instance>>& controller_rows() const;
  mtp_set::callbacks mtp_callbacks();
  retry_policy retry_for(std::chrono::seconds min_wait, std::uint32_t multiplier,
                         std::optional<std::chrono::seconds> cap) const;
  std::optional<mqtt_link_config> mqtt_config(const controller_view& c) const;
  std::optional<ws_link_config> ws_config(const controller_view& c) const;
  void apply_links();
  void apply_link(unsigned index);
  void start_listener();
  void handle_record(std::string_view bytes, const reply_fn& reply);
  // Runs a request from `controller`; the response to send, if any.
  // The response to `msg` (null when none is due), allocated on `arena`.
  const usp::Msg* answer(const std::string& controller, const usp::Msg& msg, google::protobuf::Arena& arena);
  // E2E session contexts (TR-369 §End to End Message Exchange): a driver per
  // controller that uses them, made when its SessionMode is Require or its
  // first session Record arrives.
  e2e::config e2e_config(unsigned index, const std::string& eid) const;
  e2e::driver& e2e_for(const controller_view& c);
  void e2e_changed(unsigned index, const std::string& param);
  void e2e_deliver(const controller_view& c, std::string msg);
  void e2e_out(const std::string& eid, const e2e::outgoing_record& r);
  void on_setting_changed(const std::string& name);
  std::string assigned_id_file(unsigned index) const;
  std::string dm_value(const std::string& path) const;
  void save_state();
  // Periodic! for controller `index`, every PeriodicNotifInterval seconds in
  // phase with PeriodicNotifTime (LocalAgent:1).
  void schedule_periodic(unsigned index);
  // Boots `slot` now: a restart that carries `carried` to the next boot.
  void boot_into(unsigned slot, const std::string& command_key, std::vector<carried_notice> carried,
                 const dm::command_done& failed);

  phone& owner_;
  boot_info boot_;
  settings_store settings_;
  derived_context derived_;
  dm::data_model dm_;
  notifier notifier_;
  operations ops_;
  mtp_set mtps_;
  // Bound parameters by the setting they read, to announce their changes.
  std::multimap<std::string, std::pair<dm::instance*, const dm::param_def*>> by_setting_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::string saved_state_;  // what dm.txt holds
  std::map<unsigned, std::unique_ptr<boost::asio::steady_timer>> periodic_;
  std::map<unsigned, std::unique_ptr<boost::asio::steady_timer>> activations_;  // by slot
  std::map<unsigned, std::unique_ptr<e2e::driver>> e2e_;  // by controller index
  // While a Record is handled: who sent it and how to answer on its MTP.
  const reply_fn* replying_ = nullptr;
  std::string replying_to_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace usp::agent

// A phone's data model without the phone: the real schema, param_map
// bindings, settings store, notifier and operations, over a services double
// that records what the callbacks asked for. Shared by the handler and
// notifier tests.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "handlers/handlers.hpp"
#include "handlers/operations.hpp"
#include "model/phone_schema.hpp"
#include "model/services.hpp"
#include "notify/notifier.hpp"
#include "phone.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp::agent::test {

// Controller 1 is the vendor's (fixed EndpointID), controller 2 the
// customer's; the requests in these tests come from controller 2.
inline constexpr const char* small_param_map = R"(
boolean:Device.LocalAgent.Controller.1.Enable={tr369_enable|1}
string:Device.LocalAgent.Controller.1.EndpointID={tr369_controller_endpointid|1}
string:Device.LocalAgent.Controller.1.Alias=cpe-controller-1
boolean:Device.LocalAgent.Controller.2.Enable={tr369_enable|2}
string:Device.LocalAgent.Controller.2.EndpointID={tr369_controller_endpointid|2}
string:Device.LocalAgent.Controller.2.Alias=cpe-controller-2
string:Device.LocalAgent.Controller.2.MTP.1.Alias=cpe-mtp-2
boolean:Device.LocalAgent.Subscription.2.Enable={tr369_enable|2}
string:Device.LocalAgent.Subscription.2.ID={tr369_controller_subscriptionid|2}
string:Device.LocalAgent.Subscription.2.Recipient=Device.LocalAgent.Controller.2.
string:Device.LocalAgent.Subscription.2.NotifType=Event
string:Device.LocalAgent.Subscription.2.ReferenceList=Device.Boot!
boolean:Device.LocalAgent.Subscription.2.NotifRetry=true
boolean:Device.MQTT.Client.2.Enable!={TR369_MQTTENABLE|2}
string:Device.MQTT.Client.2.Alias=cpe-mqtt-2
string:Device.MQTT.Client.2.BrokerAddress!={TR369_MQTTADDRESS|2}
string:Device.MQTT.Client.2.Password={tr369_mqtt_password|2}
string:Device.X_000413_UI.Language={language|1}
string:Device.X_000413_UI.Timezone={timezone|1}
unsignedInt:Device.X_000413_UI.DisplayBrightness={display_brightness|1}
)";

// '!' settings are writable through USP; the rest are read-only.
inline constexpr const char* small_factory = R"(
tr369_enable!: on
tr369_controller_endpointid: self::vendor
tr369_controller_subscriptionid: boot-1
tr369_enable2!: on
tr369_mtp_protocol2!: mqtt
tr369_mqtt_hostport2!: broker.example:1883
tr369_mqtt_password2!: s3cret
tr369_controller_endpointid2!: self::ctl
tr369_controller_subscriptionid2!: boot-2
language!: English
timezone: GMT
display_brightness!: 10
)";

inline constexpr const char* requester = "self::ctl";

// phone_services as the callbacks see it, recording what they asked for.
class fake_phone final : public phone_services {
 public:
  fake_phone(settings_store s, const std::string& firmware_dir)
      : settings_(std::move(s)), bank_(firmware_dir, "10.1.182.0") {
    bank_.boot_up();
    id_.mac = "000413AABBCC";
    id_.endpoint_id = "os::000413-000413AABBCC";
    id_.serial = id_.mac;
  }

  struct reboot_call {
    std::string cause, reason, command_key;
  };

  settings_store& settings() override { return settings_; }
  const identity& id() const override { return id_; }
  const derived_context& derived() const override { return derived_; }
  std::chrono::seconds uptime() const override { return std::chrono::seconds(42); }
  std::string software_version() const override { return id_.firmware; }
  std::string mqtt_status(unsigned index) const override { return index == 2 ? "Connected" : "Disabled"; }
  std::string mqtt_client_id(unsigned index) const override { return "client-" + std::to_string(index); }
  std::string mqtt_response_information(unsigned) const override { return {}; }
  std::string agent_mtp_status(unsigned) const override { return "Up"; }
  std::uint32_t ws_retry_count(unsigned index) const override { return index; }
  std::string e2e_status(unsigned index) const override { return index == 2 ? "Up" : "Down"; }
  std::uint32_t e2e_retry_count(unsigned index) const override { return 10 + index; }
  void e2e_reset(unsigned index) override { e2e_resets.push_back(index); }
  void schedule_reboot(std::string cause, std::string reason, std::string command_key) override {
    reboots.push_back({std::move(cause), std::move(reason), std::move(command_key)});
  }
  void schedule_factory_reset(std::string cause, std::string reason, std::string command_key) override {
    factory_resets.push_back({std::move(cause), std::move(reason), std::move(command_key)});
  }
  void show_page(std::string url, dm::command_done done) override {
    pages.push_back(std::move(url));
    page_done.push_back(std::move(done));
  }
  void force_mqtt_reconnect(unsigned index) override { reconnects.push_back(index); }
  dm::outcome cancel_request(std::uint32_t number) override {
    return ops ? ops->cancel(number) : dm::outcome::error(7022, "no operations");
  }

  image_bank& images() const override { return bank_; }
  void download_firmware(download_request req, bool auto_activate, dm::command_call call,
                         dm::command_done done) override {
    downloads.push_back({std::move(req), auto_activate, std::move(call), std::move(done)});
  }
  void activate_firmware(unsigned slot, std::chrono::seconds delay, dm::command_call call,
                         dm::command_done done) override {
    activations.push_back({slot, delay, std::move(call), std::move(done)});
  }

  struct download_call {
    download_request req;
    bool auto_activate = false;
    dm::command_call call;
    dm::command_done done;
  };
  struct activate_call {
    unsigned slot = 0;
    std::chrono::seconds delay{};
    dm::command_call call;
    dm::command_done done;
  };
  std::vector<download_call> downloads;
  std::vector<activate_call> activations;
  std::vector<reboot_call> reboots;
  std::vector<reboot_call> factory_resets;
  std::vector<std::string> pages;
  std::vector<dm::command_done> page_done;
  std::vector<unsigned> reconnects;
  std::vector<unsigned> e2e_resets;
  operations* ops = nullptr;

 private:
  settings_store settings_;
  mutable image_bank bank_;
  identity id_;
  derived_context derived_{"usp/agent/os::000413-000413AABBCC"};
};

// What the notifier handed to the MTPs; `online` false refuses delivery.
class recording_sink final : public notify_sink {
 public:
  bool send_notify(const std::string& controller_eid, const usp::Msg& msg) override {
    if (!online) return false;
    sent.push_back({controller_eid, msg});
    return true;
  }
  struct item {
    std::string controller;
    usp::Msg msg;
  };
  std::vector<item> sent;
  bool online = true;
};

// One phone's model, wired as phone::runtime wires it.
class phone_model {
 public:
  explicit phone_model(std::string_view param_map = small_param_map, std::string factory = small_factory)
      : tmpl_(phone_template::from_text(param_map, "param_map")),
        state_file_(dir_.file("state.txt")),
        phone_(settings_store::load({dir_.write("factory.txt", factory), "", state_file_},
                                    {"000413AABBCC", "os::000413-000413AABBCC"}),
               dir_.file("firmware")),
        dm_(tmpl_->schema, phone_),
        notifier_(io_.get_executor(), dm_, sink_),
        ops_(io_.get_executor(), dm_, notifier_) {
    attach_bindings(dm_, *tmpl_->bindings);
    add_firmware_rows(dm_);
    phone_.ops = &ops_;
    dm_.on_value_change = [this](const dm::instance& i, const dm::param_def& p, const std::string& v) {
      notifier_.value_changed(i, p, v);
    };
    dm_.on_object_created = [this](const dm::instance& i) { notifier_.object_created(i); };
    dm_.on_object_deleted = [this](const std::string& path) { notifier_.object_deleted(path); };
  }

  // Runs a request as controller `from` and returns the answer, if any.
  std::optional<usp::Msg> request(const usp::Msg& m, const std::string& from = requester) {
    request_context ctx{dm_, from, &ops_, &notifier_};
    return handle_request(ctx, m);
  }
  usp::Msg must_answer(const usp::Msg& m) {
    auto r = request(m);
    EXPECT_TRUE(r.has_value());
    return r ? std::move(*r) : usp::Msg();
  }

  // The value of a full parameter path, or nullopt when it does not exist.
  std::optional<std::string> value(const std::string& path) const {
    const auto dot = path.rfind('.');
    const auto* inst = dm_.find(path.substr(0, dot + 1));
    if (!inst) return std::nullopt;
    const auto* p = inst->def().find_param(path.substr(dot + 1));
    if (!p) return std::nullopt;
    return dm_.get(*inst, *p);
  }
  std::string setting(const std::string& name) { return phone_.settings().get(name).value_or("<none>"); }
  std::string state_text() const { return usp::test::read_file(state_file_); }

  dm::data_model& dm() { return dm_; }
  fake_phone& phone() { return phone_; }
  recording_sink& sink() { return sink_; }
  notifier& notifications() { return notifier_; }
  operations& ops() { return ops_; }
  boost::asio::io_context& io() { return io_; }
  const usp::test::temp_dir& dir() const { return dir_; }

 private:
  usp::test::temp_dir dir_;
  boost::asio::io_context io_;
  std::shared_ptr<const phone_template> tmpl_;
  std::string state_file_;
  fake_phone phone_;
  recording_sink sink_;
  dm::data_model dm_;
  notifier notifier_;
  operations ops_;
};

// ---- request builders ----------------------------------------------------------

inline usp::Msg with_header(usp::Msg m, usp::Header::MsgType t, const std::string& id = "req-1") {
  m.mutable_header()->set_msg_id(id);
  m.mutable_header()->set_msg_type(t);
  return m;
}

inline usp::Msg get_req(const std::vector<std::string>& paths, std::uint32_t max_depth = 0) {
  usp::Msg m;
  auto* g = m.mutable_body()->mutable_request()->mutable_get();
  for (const auto& p : paths) g->add_param_paths(p);
  g->set_max_depth(max_depth);
  return with_header(std::move(m), usp::Header::GET);
}

struct param_setting {
  std::string param;
  std::string value;
  bool required = false;
};
struct object_setting {
  std::string path;
  std::vector<param_setting> params;
};

inline usp::Msg set_req(bool allow_partial, const std::vector<object_setting>& objs) {
  usp::Msg m;
  auto* s = m.mutable_body()->mutable_request()->mutable_set();
  s->set_allow_partial(allow_partial);
  for (const auto& o : objs) {
    auto* u = s->add_update_objs();
    u->set_obj_path(o.path);
    for (const auto& p : o.params) {
      auto* ps = u->add_param_settings();
      ps->set_param(p.param);
      ps->set_value(p.value);
      ps->set_required(p.required);
    }
  }
  return with_header(std::move(m), usp::Header::SET);
}

inline usp::Msg add_req(bool allow_partial, const std::vector<object_setting>& objs) {
  usp::Msg m;
  auto* a = m.mutable_body()->mutable_request()->mutable_add();
  a->set_allow_partial(allow_partial);
  for (const auto& o : objs) {
    auto* c = a->add_create_objs();
    c->set_obj_path(o.path);
    for (const auto& p : o.params) {
      auto* ps = c->add_param_settings();
      ps->set_param(p.param);
      ps->set_value(p.value);
      ps->set_required(p.required);
    }
  }
  return with_header(std::move(m), usp::Header::ADD);
}

inline usp::Msg delete_req(bool allow_partial, const std::vector<std::string>& paths) {
  usp::Msg m;
  auto* d = m.mutable_body()->mutable_request()->mutable_delete_();
  d->set_allow_partial(allow_partial);
  for (const auto& p : paths) d->add_obj_paths(p);
  return with_header(std::move(m), usp::Header::DELETE);
}

inline usp::Msg operate_req(const std::string& command, const std::string& key,
                            const std::map<std::string, std::string>& inputs = {}, bool send_resp = true) {
  usp::Msg m;
  auto* o = m.mutable_body()->mutable_request()->mutable_operate();
  o->set_command(command);
  o->set_command_key(key);
  o->set_send_resp(send_resp);
  for (const auto& [k, v] : inputs) (*o->mutable_input_args())[k] = v;
  return with_header(std::move(m), usp::Header::OPERATE);
}

inline usp::Msg gsdm_req(const std::vector<std::string>& paths, bool first_level_only) {
  usp::Msg m;
  auto* g = m.mutable_body()->mutable_request()->mutable_get_supported_dm();
  for (const auto& p : paths) g->add_obj_paths(p);
  g->set_first_level_only(first_level_only);
  g->set_return_commands(true);
  g->set_return_events(true);
  g->set_return_params(true);
  g->set_return_unique_key_sets(true);
  return with_header(std::move(m), usp::Header::GET_SUPPORTED_DM);
}

inline usp::Msg instances_req(const std::vector<std::string>& paths, bool first_level_only) {
  usp::Msg m;
  auto* g = m.mutable_body()->mutable_request()->mutable_get_instances();
  for (const auto& p : paths) g->add_obj_paths(p);
  g->set_first_level_only(first_level_only);
  return with_header(std::move(m), usp::Header::GET_INSTANCES);
}

// Adds a subscription as the requester and returns its path ("" on failure).
inline std::string subscribe(phone_model& m, const std::string& type, const std::string& refs, bool retry = false) {
  const auto r = m.must_answer(add_req(false, {{"Device.LocalAgent.Subscription.",
                                                {{"Enable", "true"},
                                                 {"NotifType", type},
                                                 {"ReferenceList", refs},
                                                 {"NotifRetry", retry ? "true" : "false"}}}}));
  if (!r.body().has_response()) return {};
  return r.body().response().add_resp().created_obj_results(0).oper_status().oper_success().instantiated_path();
}

}  // namespace usp::agent::test

// Set (TR-369 R-SET.0-3, R-MSG.4a) against a real phone data model.
#include <gtest/gtest.h>

#include <map>

#include "phone_fixture.hpp"
#include "usp/err_code.hpp"

namespace usp::agent::test {
namespace {

constexpr std::uint32_t code(usp::err_code c) { return usp::value(c); }

using SetResp = usp::SetResp;
using param_map_t = std::map<std::string, std::string>;

SetResp set_resp(const usp::Msg& m) {
  EXPECT_EQ(m.header().msg_type(), usp::Header::SET_RESP) << m.DebugString();
  return m.body().response().set_resp();
}

// (param, code) pairs of a ParameterError list.
template <class Errors>
std::map<std::string, std::uint32_t> codes(const Errors& errs) {
  std::map<std::string, std::uint32_t> out;
  for (const auto& e : errs) {
    out[e.param()] = e.err_code();
    EXPECT_FALSE(e.err_msg().empty()) << e.param();
  }
  return out;
}

TEST(HandleSet, WritesThroughToSettingsPersistsAndReportsUpdatedParams) {
  phone_model m;
  const auto resp = m.must_answer(set_req(false, {{"Device.X_000413_UI.", {{"Language", "German"}, {"DisplayBrightness", "+07"}}},
                                                  {"Device.LocalAgent.Controller.2.", {{"PeriodicNotifInterval", "600", true}}}}));
  const auto& s = set_resp(resp);
  ASSERT_EQ(s.updated_obj_results_size(), 2);
  EXPECT_EQ(s.updated_obj_results(0).requested_path(), "Device.X_000413_UI.");
  const auto& ok = s.updated_obj_results(0).oper_status().oper_success();
  ASSERT_EQ(ok.updated_inst_results_size(), 1);
  EXPECT_EQ(ok.updated_inst_results(0).affected_path(), "Device.X_000413_UI.");
  EXPECT_EQ(param_map_t(ok.updated_inst_results(0).updated_params().begin(), ok.updated_inst_results(0).updated_params().end()),
            (param_map_t{{"Language", "German"}, {"DisplayBrightness", "7"}}));  // the value after the update
  EXPECT_EQ(ok.updated_inst_results(0).param_errs_size(), 0);
  EXPECT_EQ(m.setting("language"), "German");
  EXPECT_EQ(m.setting("display_brightness"), "7");
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.2.PeriodicNotifInterval"), "600");
  // '!' settings are kept in the state file.
  const auto state = m.state_text();
  EXPECT_NE(state.find("language!: German\n"), std::string::npos) << state;
  EXPECT_NE(state.find("display_brightness!: 7\n"), std::string::npos) << state;
}

TEST(HandleSet, AValueSetAgainIsStillReported) {
  phone_model m;
  const auto& s = set_resp(m.must_answer(set_req(false, {{"Device.X_000413_UI.", {{"Language", "English"}}}})));
  const auto& r = s.updated_obj_results(0).oper_status().oper_success().updated_inst_results(0);
  EXPECT_EQ(r.updated_params().at("Language"), "English");
}

TEST(HandleSet, BooleansTravelAsTrueFalseAndSettingsAsOnOff) {
  phone_model m;
  const auto& s = set_resp(m.must_answer(set_req(false, {{"Device.LocalAgent.Controller.2.", {{"Enable", "0", true}}}})));
  EXPECT_EQ(s.updated_obj_results(0).oper_status().oper_success().updated_inst_results(0).updated_params().at("Enable"),
            "false");
  EXPECT_EQ(m.setting("tr369_enable2"), "off");
  EXPECT_EQ(m.value("Device.LocalAgent.Subscription.2.Enable"), "false") << "bound to the same setting";
}

TEST(HandleSet, HiddenParametersAreWrittenButNotEchoed) {
  phone_model m;
  const auto& s = set_resp(m.must_answer(set_req(false, {{"Device.MQTT.Client.2.", {{"Password", "n3w"}}}})));
  EXPECT_EQ(s.updated_obj_results(0).oper_status().oper_success().updated_inst_results(0).updated_params().at("Password"), "");
  EXPECT_EQ(m.setting("tr369_mqtt_password2"), "n3w");
}

TEST(HandleSet, ARequiredFailureWithoutAllowPartialIsAnErrorAndChangesNothing) {
  phone_model m;
  const auto resp = m.must_answer(set_req(false, {{"Device.X_000413_UI.", {{"Language", "German", true}}},
                                                  {"Device.LocalAgent.Controller.2.",
                                                   {{"PeriodicNotifInterval", "600", true}, {"Enable", "maybe", true}}}}));
  ASSERT_TRUE(resp.body().has_error()) << resp.DebugString();
  EXPECT_EQ(resp.header().msg_id(), "req-1");
  const auto& e = resp.body().error();
  EXPECT_EQ(e.err_code(), code(usp::err_code::invalid_arguments));
  ASSERT_EQ(e.param_errs_size(), 1);
  EXPECT_EQ(e.param_errs(0).param_path(), "Device.LocalAgent.Controller.2.Enable");  // TP 1.14: the full path
  EXPECT_EQ(e.param_errs(0).err_code(), code(usp::err_code::invalid_type));
  EXPECT_EQ(m.setting("language"), "English");
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.2.PeriodicNotifInterval"), "86400");
  EXPECT_EQ(m.setting("tr369_enable2"), "on");
}

TEST(HandleSet, EachParameterFailureHasItsCode) {
  phone_model m;
  const auto& s = set_resp(m.must_answer(set_req(
      true, {{"Device.LocalAgent.Controller.2.",
              {{"Nothing", "1", true},                       // 7010
               {"PeriodicNotifInterval", "soon", true},      // 7011
               {"USPNotifRetryIntervalMultiplier", "999", true},  // 7012: below 1000
               {"Alias", "mine", true},                      // 7013: a param_map literal
               {"ProvisioningCode", "fine", true}}},
             {"Device.X_000413_UI.", {{"Timezone", "CET", true}}},            // 7013: a read-only setting
             {"Device.MQTT.Client.2.", {{"ProtocolVersion", "4.0", true}}},   // 7012: not in the enumeration
             {"Device.DeviceInfo.", {{"Manufacturer", "x", true}}}})));       // 7013: computed
  ASSERT_EQ(s.updated_obj_results_size(), 4);
  const auto& f = s.updated_obj_results(0).oper_status().oper_failure();
  EXPECT_EQ(f.err_code(), code(usp::err_code::required_param_failed));
  ASSERT_EQ(f.updated_inst_failures_size(), 1);
  EXPECT_EQ(f.updated_inst_failures(0).affected_path(), "Device.LocalAgent.Controller.2.");
  EXPECT_EQ(codes(f.updated_inst_failures(0).param_errs()),
            (std::map<std::string, std::uint32_t>{{"Nothing", 7010}, {"PeriodicNotifInterval", 7011},
                                                   {"USPNotifRetryIntervalMultiplier", 7012}, {"Alias", 7013}}));
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.2.ProvisioningCode"), "") << "the object failed as a whole";
  const std::uint32_t expected[] = {7013, 7012, 7013};
  for (int i = 1; i < 4; ++i) {
    const auto& fi = s.updated_obj_results(i).oper_status().oper_failure();
    ASSERT_EQ(fi.updated_inst_failures_size(), 1) << i;
    ASSERT_EQ(fi.updated_inst_failures(0).param_errs_size(), 1) << i;
    EXPECT_EQ(fi.updated_inst_failures(0).param_errs(0).err_code(), expected[i - 1]) << i;
  }
  EXPECT_EQ(m.setting("timezone"), "GMT");
}

TEST(HandleSet, NonRequiredFailuresAreReportedBesideTheChangesMade) {
  phone_model m;
  const auto& s = set_resp(m.must_answer(set_req(
      false, {{"Device.LocalAgent.Controller.2.", {{"ProvisioningCode", "abc"}, {"Nothing", "1"}, {"Enable", "perhaps"}}}})));
  const auto& r = s.updated_obj_results(0).oper_status().oper_success().updated_inst_results(0);
  EXPECT_EQ(r.affected_path(), "Device.LocalAgent.Controller.2.");
  EXPECT_EQ(param_map_t(r.updated_params().begin(), r.updated_params().end()), (param_map_t{{"ProvisioningCode", "abc"}}));
  EXPECT_EQ(codes(r.param_errs()), (std::map<std::string, std::uint32_t>{{"Nothing", 7010}, {"Enable", 7011}}));
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.2.ProvisioningCode"), "abc");
}

TEST(HandleSet, ObjectPathErrors) {
  phone_model m;
  const auto& s = set_resp(m.must_answer(set_req(true, {{"Device.LocalAgent.Controller.9.", {{"Enable", "true"}}},
                                                        {"Device.LocalAgent.Controller.", {{"Enable", "true"}}},
                                                        {"Device.LocalAgent.Nothing.", {{"Enable", "true"}}},
                                                        {"Device..", {{"Enable", "true"}}}})));
  const std::uint32_t expected[] = {7016, 7016, 7026, 7008};
  for (int i = 0; i < 4; ++i) {
    const auto& r = s.updated_obj_results(i);
    ASSERT_TRUE(r.oper_status().has_oper_failure()) << r.requested_path();
    EXPECT_EQ(r.oper_status().oper_failure().err_code(), expected[i]) << r.requested_path();
  }
  // Without allow_partial: an Error naming the object path.
  const auto err = m.must_answer(set_req(false, {{"Device.LocalAgent.Controller.9.", {{"Enable", "true"}}}}));
  ASSERT_TRUE(err.body().has_error());
  ASSERT_EQ(err.body().error().param_errs_size(), 1);
  EXPECT_EQ(err.body().error().param_errs(0).param_path(), "Device.LocalAgent.Controller.9.");
  EXPECT_EQ(err.body().error().param_errs(0).err_code(), code(usp::err_code::object_does_not_exist));
}

TEST(HandleSet, ASearchMatchingNothingSucceedsEmpty) {
  phone_model m;
  const auto& s = set_resp(m.must_answer(
      set_req(false, {{"Device.LocalAgent.Controller.[Alias==\"none\"].", {{"Enable", "false", true}}}})));
  ASSERT_EQ(s.updated_obj_results_size(), 1);
  ASSERT_TRUE(s.updated_obj_results(0).oper_status().has_oper_success());  // R-MSG.4a
  EXPECT_EQ(s.updated_obj_results(0).oper_status().oper_success().updated_inst_results_size(), 0);
}

TEST(HandleSet, ASearchPathSucceedsOrFailsAsAWhole) {
  phone_model m;
  // Controller 1's EndpointID is fixed; controller 2's is writable. R-SET.2a:
  // a SetResp with an OperationFailure even without allow_partial (TP 1.20).
  const auto resp = m.must_answer(set_req(false, {{"Device.LocalAgent.Controller.*.",
                                                   {{"EndpointID", "self::other", true}, {"ProvisioningCode", "p"}}}}));
  const auto& s = set_resp(resp);
  const auto& f = s.updated_obj_results(0).oper_status().oper_failure();
  ASSERT_EQ(f.updated_inst_failures_size(), 1);
  EXPECT_EQ(f.updated_inst_failures(0).affected_path(), "Device.LocalAgent.Controller.1.");
  EXPECT_EQ(codes(f.updated_inst_failures(0).param_errs()), (std::map<std::string, std::uint32_t>{{"EndpointID", 7013}}));
  EXPECT_EQ(m.setting("tr369_controller_endpointid2"), "self::ctl");
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.2.ProvisioningCode"), "");

  // And when every match can take it, every match does.
  const auto& ok = set_resp(m.must_answer(set_req(false, {{"Device.LocalAgent.Controller.*.", {{"ProvisioningCode", "p", true}}}})));
  EXPECT_EQ(ok.updated_obj_results(0).oper_status().oper_success().updated_inst_results_size(), 2);
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.1.ProvisioningCode"), "p");
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.2.ProvisioningCode"), "p");
}

// Values a parameter's type allows but the setting behind it refuses must
// fail like any other invalid value: before anything changes (R-SET.1).
TEST(HandleSet, ASettingsRefusalFailsTheSetBeforeAnythingChanges) {
  phone_model m;
  const auto resp = m.must_answer(set_req(false, {{"Device.LocalAgent.Controller.2.",
                                                   {{"Enable", "false", true}, {"EndpointID", " padded ", true}}}}));
  ASSERT_TRUE(resp.body().has_error()) << resp.DebugString();
  ASSERT_EQ(resp.body().error().param_errs_size(), 1);
  EXPECT_EQ(resp.body().error().param_errs(0).param_path(), "Device.LocalAgent.Controller.2.EndpointID");
  EXPECT_EQ(resp.body().error().param_errs(0).err_code(), code(usp::err_code::invalid_value));
  EXPECT_EQ(m.setting("tr369_enable2"), "on");

  // A derived value's refusal too: MQTT Enable=false is ambiguous (7012).
  const auto& s = set_resp(m.must_answer(
      set_req(true, {{"Device.MQTT.Client.2.", {{"Name", "broker", true}, {"Enable", "false", true}}}})));
  const auto& f = s.updated_obj_results(0).oper_status().oper_failure();
  ASSERT_EQ(f.updated_inst_failures_size(), 1) << s.DebugString();
  EXPECT_EQ(codes(f.updated_inst_failures(0).param_errs()), (std::map<std::string, std::uint32_t>{{"Enable", 7012}}));
  EXPECT_EQ(m.value("Device.MQTT.Client.2.Name"), "");
  EXPECT_EQ(m.value("Device.MQTT.Client.2.Enable"), "true");
}

TEST(HandleSet, SettingsDryRunNeitherPersistsNorAnnounces) {
  phone_model m;
  auto& settings = m.phone().settings();
  int announced = 0;
  settings.on_change([&](const std::string&, const std::string&, const std::string&) { ++announced; });
  auto scratch = settings.dry_run();
  EXPECT_TRUE(scratch.set("language", "French").ok);
  EXPECT_EQ(scratch.get("language"), "French");
  EXPECT_FALSE(scratch.set("language", "French ").ok);  // the real rules
  EXPECT_FALSE(scratch.set("timezone", "CET").ok);
  EXPECT_EQ(settings.get("language"), "English");
  EXPECT_EQ(announced, 0);
  EXPECT_EQ(m.state_text(), "");
}

// Two matches of one search path taking the same unique key: the second
// collides with the first's new value, so the path fails as a whole.
TEST(HandleSet, UniqueKeysCollidingWithinOneRequestFailWithoutChanges) {
  phone_model m;
  for (const char* alias : {"one", "two"}) {
    const auto add = m.must_answer(add_req(false, {{"Device.LocalAgent.Controller.2.BootParameter.", {{"Alias", alias}}}}));
    ASSERT_TRUE(add.body().has_response()) << add.DebugString();
  }
  const auto& s = set_resp(m.must_answer(
      set_req(false, {{"Device.LocalAgent.Controller.2.BootParameter.*.", {{"Alias", "same", true}, {"Enable", "true"}}}})));
  ASSERT_TRUE(s.updated_obj_results(0).oper_status().has_oper_failure()) << s.DebugString();
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.2.BootParameter.1.Alias"), "one");
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.2.BootParameter.2.Alias"), "two");
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.2.BootParameter.1.Enable"), "false");

  // The same across two objects of one message.
  const auto err = m.must_answer(set_req(false, {{"Device.LocalAgent.Controller.2.BootParameter.1.", {{"Alias", "x", true}}},
                                                 {"Device.LocalAgent.Controller.2.BootParameter.2.", {{"Alias", "x", true}}}}));
  ASSERT_TRUE(err.body().has_error()) << err.DebugString();
  EXPECT_EQ(err.body().error().param_errs(0).err_code(), code(usp::err_code::object_exists_duplicate_key));
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.2.BootParameter.1.Alias"), "one");
}

}  // namespace
}  // namespace usp::agent::test

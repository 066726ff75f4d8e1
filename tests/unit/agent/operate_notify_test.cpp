// Operate (R-OPR.0-6) with the operations table, and the notifier:
// subscriptions, Notify contents and NotifRetry (R-NOT.1-10).
#include <gtest/gtest.h>

#include <map>

#include <boost/asio/post.hpp>

#include "phone_fixture.hpp"
#include "usp/err_code.hpp"
#include "usp_test/wait.hpp"

namespace usp::agent::test {
namespace {

constexpr std::uint32_t code(usp::err_code c) { return usp::value(c); }

using Result = usp::OperateResp::OperationResult;
using string_map = std::map<std::string, std::string>;

usp::OperateResp operate_resp(const usp::Msg& m) {
  EXPECT_EQ(m.header().msg_type(), usp::Header::OPERATE_RESP) << m.DebugString();
  return m.body().response().operate_resp();
}

const usp::Notify& notify_of(const recording_sink::item& i) { return i.msg.body().request().notify(); }

// ---- Operate -----------------------------------------------------------------------

TEST(HandleOperate, RebootIsSynchronousAndHandsCauseAndCommandKeyToThePhone) {
  phone_model m;
  const auto& r = operate_resp(m.must_answer(operate_req("Device.Reboot()", "key-1")));
  ASSERT_EQ(r.operation_results_size(), 1);
  const auto& res = r.operation_results(0);
  EXPECT_EQ(res.executed_command(), "Device.Reboot()");
  ASSERT_TRUE(res.has_req_output_args());  // TP 1.61: an empty output_args
  EXPECT_EQ(res.req_output_args().output_args_size(), 0);
  ASSERT_EQ(m.phone().reboots.size(), 1U);
  EXPECT_EQ(m.phone().reboots[0].cause, "RemoteReboot");
  EXPECT_EQ(m.phone().reboots[0].reason, "Unknown");
  EXPECT_EQ(m.phone().reboots[0].command_key, "key-1");

  operate_resp(m.must_answer(operate_req("Device.Reboot()", "key-2", {{"Cause", "LocalReboot"}, {"Reason", "tests"}})));
  ASSERT_EQ(m.phone().reboots.size(), 2U);
  EXPECT_EQ(m.phone().reboots[1].cause, "LocalReboot");
  EXPECT_EQ(m.phone().reboots[1].reason, "tests");

  // R-OPR.1: a failed command is a cmd_failure, never an Error.
  const auto& bad = operate_resp(m.must_answer(operate_req("Device.Reboot()", "key-3", {{"Cause", "Whim"}})));
  EXPECT_EQ(bad.operation_results(0).cmd_failure().err_code(), code(usp::err_code::invalid_command_arguments));
  EXPECT_EQ(m.phone().reboots.size(), 2U);
}

TEST(HandleOperate, WithoutSendRespThereIsNoAnswerButTheCommandRuns) {
  phone_model m;
  EXPECT_FALSE(m.request(operate_req("Device.FactoryReset()", "k", {}, false)));  // R-OPR.4
  ASSERT_EQ(m.phone().factory_resets.size(), 1U);
  EXPECT_EQ(m.phone().factory_resets[0].cause, "RemoteFactoryReset");
}

TEST(HandleOperate, MissingMandatoryInputIs7027AndStartsNothing) {
  phone_model m;
  const auto& r = operate_resp(m.must_answer(operate_req("Device.X_000413_XMLBrowser.ShowPage()", "k", {{"Title", "x"}})));
  ASSERT_EQ(r.operation_results_size(), 1);
  EXPECT_EQ(r.operation_results(0).executed_command(), "Device.X_000413_XMLBrowser.ShowPage()");
  EXPECT_EQ(r.operation_results(0).cmd_failure().err_code(), code(usp::err_code::invalid_command_arguments));  // R-OPR.5
  EXPECT_TRUE(m.phone().pages.empty());
  EXPECT_EQ(m.value("Device.LocalAgent.RequestNumberOfEntries"), "0");
}

TEST(HandleOperate, PathErrorsAreErrorsAndSearchesMayMatchNothing) {
  phone_model m;
  const auto unknown = m.must_answer(operate_req("Device.Nothing()", "k"));
  EXPECT_EQ(unknown.body().error().err_code(), code(usp::err_code::invalid_path));
  const auto missing = m.must_answer(operate_req("Device.MQTT.Client.9.ForceReconnect()", "k"));
  EXPECT_EQ(missing.body().error().err_code(), code(usp::err_code::object_does_not_exist));
  const auto not_command = m.must_answer(operate_req("Device.MQTT.Client.2.", "k"));
  EXPECT_EQ(not_command.body().error().err_code(), code(usp::err_code::invalid_path_syntax));
  const auto& none = operate_resp(m.must_answer(operate_req("Device.MQTT.Client.[Alias==\"x\"].ForceReconnect()", "k")));
  EXPECT_EQ(none.operation_results_size(), 0);
  const auto& all = operate_resp(m.must_answer(operate_req("Device.MQTT.Client.*.ForceReconnect()", "k")));
  ASSERT_EQ(all.operation_results_size(), 1);
  EXPECT_EQ(all.operation_results(0).executed_command(), "Device.MQTT.Client.2.ForceReconnect()");
  EXPECT_EQ(m.phone().reconnects, std::vector<unsigned>{2});
}

class AsyncOperate : public ::testing::Test {
 protected:
  AsyncOperate() {
    m_.notifications().controller_online(requester);
    sub_ = subscribe(m_, "OperationComplete", "Device.X_000413_XMLBrowser.ShowPage()");
    sub_id_ = m_.value(sub_ + "ID").value_or("");
  }
  std::vector<const usp::Notify::OperationComplete*> completions() {
    std::vector<const usp::Notify::OperationComplete*> out;
    for (const auto& s : m_.sink().sent) {
      if (notify_of(s).has_oper_complete()) out.push_back(&notify_of(s).oper_complete());
    }
    return out;
  }
  phone_model m_;
  std::string sub_, sub_id_;
};

TEST_F(AsyncOperate, ARequestRowStandsForTheCommandUntilOperationCompleteArrives) {
  const auto& r = operate_resp(m_.must_answer(operate_req("Device.X_000413_XMLBrowser.ShowPage()", "page-1",
                                                          {{"URL", "http://x/p.xml"}, {"Bogus", "ignored"}})));
  ASSERT_EQ(r.operation_results_size(), 1);
  EXPECT_EQ(r.operation_results(0).req_obj_path(), "Device.LocalAgent.Request.1");
  EXPECT_EQ(m_.phone().pages, std::vector<std::string>{"http://x/p.xml"});
  EXPECT_EQ(m_.value("Device.LocalAgent.Request.1.Command"), "Device.X_000413_XMLBrowser.ShowPage()");
  EXPECT_EQ(m_.value("Device.LocalAgent.Request.1.CommandKey"), "page-1");
  EXPECT_EQ(m_.value("Device.LocalAgent.Request.1.Originator"), requester);
  EXPECT_EQ(m_.value("Device.LocalAgent.Request.1.Status"), "Active");

  // The phone finishes; the completion is posted, so the OperateResp above
  // always goes out before the OperationComplete.
  m_.phone().page_done.at(0)({{}, {{"Title", "Hello"}}});
  EXPECT_TRUE(completions().empty());
  ASSERT_TRUE(usp::test::run_until(m_.io(), [&] { return !completions().empty(); }));
  const auto& oc = *completions().at(0);
  EXPECT_EQ(oc.obj_path(), "Device.X_000413_XMLBrowser.");
  EXPECT_EQ(oc.command_name(), "ShowPage()");
  EXPECT_EQ(oc.command_key(), "page-1");
  EXPECT_EQ(string_map(oc.req_output_args().output_args().begin(), oc.req_output_args().output_args().end()),
            (string_map{{"Title", "Hello"}}));
  const auto& n = notify_of(m_.sink().sent.back());
  EXPECT_EQ(n.subscription_id(), sub_id_);
  EXPECT_FALSE(n.send_resp());
  EXPECT_EQ(m_.sink().sent.back().controller, requester);
  EXPECT_EQ(m_.value("Device.LocalAgent.Request.1.Status"), std::nullopt) << "R-OPR.0: removed on completion";
  EXPECT_EQ(m_.ops().running(), 0U);

  // Request numbers are not reused.
  const auto& again = operate_resp(m_.must_answer(operate_req("Device.X_000413_XMLBrowser.ShowPage()", "page-2",
                                                              {{"URL", "http://x/q.xml"}})));
  EXPECT_EQ(again.operation_results(0).req_obj_path(), "Device.LocalAgent.Request.2");
}

TEST_F(AsyncOperate, FailuresAndCancellationArriveAsCommandFailures) {
  operate_resp(m_.must_answer(operate_req("Device.X_000413_XMLBrowser.ShowPage()", "a", {{"URL", "http://x/a"}})));
  operate_resp(m_.must_answer(operate_req("Device.X_000413_XMLBrowser.ShowPage()", "b", {{"URL", "http://x/b"}})));
  // Request.2 is cancelled through its own command (sync).
  const auto& cancel = operate_resp(m_.must_answer(operate_req("Device.LocalAgent.Request.2.Cancel()", "")));
  EXPECT_TRUE(cancel.operation_results(0).has_req_output_args()) << cancel.DebugString();
  ASSERT_EQ(completions().size(), 1U);
  EXPECT_EQ(completions()[0]->command_key(), "b");
  EXPECT_EQ(completions()[0]->cmd_failure().err_code(), code(usp::err_code::command_canceled));
  EXPECT_EQ(m_.value("Device.LocalAgent.Request.2.Status"), std::nullopt);
  // Request.1 fails on its own.
  m_.phone().page_done.at(0)({dm::outcome::error(7022, "cannot fetch"), {}});
  m_.phone().page_done.at(1)({{}, {{"Title", "late"}}});  // cancelled already: ignored
  ASSERT_TRUE(usp::test::run_until(m_.io(), [&] { return completions().size() == 2; }));
  EXPECT_EQ(completions()[1]->command_key(), "a");
  EXPECT_EQ(completions()[1]->cmd_failure().err_code(), 7022U);
  m_.io().restart();
  m_.io().poll();
  EXPECT_EQ(completions().size(), 2U);
  EXPECT_EQ(m_.value("Device.LocalAgent.RequestNumberOfEntries"), "0");
}

// ---- notifications -----------------------------------------------------------------

TEST(Notifier, ValueChangeGoesToTheSubscribersOfThatParameter) {
  phone_model m;
  m.notifications().controller_online(requester);
  const auto sub = subscribe(m, "ValueChange", "Device.X_000413_UI.Language");
  ASSERT_FALSE(sub.empty());
  m.sink().sent.clear();
  m.must_answer(set_req(false, {{"Device.X_000413_UI.", {{"Language", "German"}, {"DisplayBrightness", "3"}}}}));
  m.must_answer(set_req(false, {{"Device.X_000413_UI.", {{"Language", "German"}}}}));  // no change: no Notify
  ASSERT_EQ(m.sink().sent.size(), 1U);
  const auto& item = m.sink().sent[0];
  EXPECT_EQ(item.controller, requester);
  EXPECT_EQ(item.msg.header().msg_type(), usp::Header::NOTIFY);
  EXPECT_FALSE(item.msg.header().msg_id().empty());
  const auto& n = notify_of(item);
  EXPECT_EQ(n.subscription_id(), m.value(sub + "ID"));  // R-NOT.7
  EXPECT_FALSE(n.send_resp());
  EXPECT_EQ(n.value_change().param_path(), "Device.X_000413_UI.Language");  // TP 1.52: the full path
  EXPECT_EQ(n.value_change().param_value(), "German");
}

TEST(Notifier, AnObjectReferenceCoversItsParametersAndDisabledSubscriptionsAreSilent) {
  phone_model m;
  m.notifications().controller_online(requester);
  const auto sub = subscribe(m, "ValueChange", "Device.LocalAgent.Controller.2.");
  m.sink().sent.clear();
  m.must_answer(set_req(false, {{"Device.LocalAgent.Controller.2.", {{"ProvisioningCode", "pc"}}}}));
  ASSERT_EQ(m.sink().sent.size(), 1U);
  EXPECT_EQ(notify_of(m.sink().sent[0]).value_change().param_path(), "Device.LocalAgent.Controller.2.ProvisioningCode");
  m.must_answer(set_req(false, {{sub, {{"Enable", "false"}}}}));
  m.must_answer(set_req(false, {{"Device.LocalAgent.Controller.2.", {{"ProvisioningCode", "other"}}}}));
  EXPECT_EQ(m.sink().sent.size(), 1U);
}

TEST(Notifier, ObjectCreationAndDeletionNameTheRowWithATrailingDot) {
  phone_model m;
  m.notifications().controller_online(requester);
  subscribe(m, "ObjectCreation", "Device.LocalAgent.Controller.2.BootParameter.");
  subscribe(m, "ObjectDeletion", "Device.LocalAgent.Controller.2.BootParameter.");
  m.sink().sent.clear();
  m.must_answer(add_req(false, {{"Device.LocalAgent.Controller.2.BootParameter.", {{"Alias", "b1"}}}}));
  m.must_answer(delete_req(false, {"Device.LocalAgent.Controller.2.BootParameter.1."}));
  ASSERT_EQ(m.sink().sent.size(), 2U);
  const auto& created = notify_of(m.sink().sent[0]).obj_creation();
  EXPECT_EQ(created.obj_path(), "Device.LocalAgent.Controller.2.BootParameter.1.");
  EXPECT_EQ(string_map(created.unique_keys().begin(), created.unique_keys().end()), (string_map{{"Alias", "b1"}}));
  EXPECT_EQ(notify_of(m.sink().sent[1]).obj_deletion().obj_path(), "Device.LocalAgent.Controller.2.BootParameter.1.");
}

TEST(Notifier, BootCarriesTheParameterMapOfTheRecipientsBootParameters) {
  phone_model m;
  m.notifications().controller_online(requester);
  m.must_answer(add_req(false, {{"Device.LocalAgent.Controller.2.BootParameter.",
                                 {{"Enable", "true"}, {"ParameterName", "Device.LocalAgent.Controller.*.Enable"}}},
                                {"Device.LocalAgent.Controller.2.BootParameter.",
                                 {{"Enable", "true"}, {"ParameterName", "Device.X_000413_UI.Language"}}},
                                {"Device.LocalAgent.Controller.2.BootParameter.",
                                 {{"Enable", "false"}, {"ParameterName", "Device.DeviceInfo.Manufacturer"}}},
                                {"Device.LocalAgent.Controller.2.BootParameter.",
                                 {{"Enable", "true"}, {"ParameterName", "Device.MQTT.Client.2.Password"}}}}));
  m.sink().sent.clear();
  m.notifications().boot({"RemoteReboot", "tests", "reboot-7", true, {}});
  ASSERT_EQ(m.sink().sent.size(), 1U) << "only controller 2 subscribes to Boot!";
  const auto& item = m.sink().sent[0];
  EXPECT_EQ(item.controller, requester);
  const auto& n = notify_of(item);
  EXPECT_EQ(n.subscription_id(), "boot-2");
  EXPECT_TRUE(n.send_resp()) << "Subscription.2 has NotifRetry";
  EXPECT_EQ(n.event().obj_path(), "Device.");
  EXPECT_EQ(n.event().event_name(), "Boot!");
  const string_map params(n.event().params().begin(), n.event().params().end());
  EXPECT_EQ(params.at("Cause"), "RemoteReboot");
  EXPECT_EQ(params.at("Reason"), "tests");
  EXPECT_EQ(params.at("CommandKey"), "reboot-7");
  EXPECT_EQ(params.at("FirmwareUpdated"), "true");
  EXPECT_EQ(params.at("ParameterMap"),
            "{\"Device.LocalAgent.Controller.1.Enable\":\"true\",\"Device.LocalAgent.Controller.2.Enable\":\"true\","
            "\"Device.X_000413_UI.Language\":\"English\",\"Device.MQTT.Client.2.Password\":\"\"}");
  EXPECT_EQ(notifier::parameter_map(m.dm(), *m.dm().find("Device.LocalAgent.Controller.1.")), "{}");
}

TEST(Notifier, NotificationsWaitForTheirControllerToComeOnline) {
  phone_model m;
  subscribe(m, "ValueChange", "Device.X_000413_UI.Language");
  m.must_answer(set_req(false, {{"Device.X_000413_UI.", {{"Language", "German"}}}}));
  EXPECT_TRUE(m.sink().sent.empty());
  EXPECT_EQ(m.notifications().pending(), 1U);
  m.sink().online = false;
  m.notifications().controller_online(requester);  // the MTP says so, the send fails: still kept
  EXPECT_EQ(m.notifications().pending(), 1U);
  m.sink().online = true;
  m.notifications().controller_online(requester);
  ASSERT_EQ(m.sink().sent.size(), 1U);
  EXPECT_EQ(m.notifications().pending(), 0U) << "without NotifRetry nothing waits for a NotifyResp";
  EXPECT_EQ(m.notifications().stats().sent, 1U);
}

TEST(Notifier, NotifRetryResendsTheSameMessageUntilANotifyRespArrives) {
  phone_model m;
  m.notifications().controller_online(requester);
  // R-NOT.2 windows of exactly one second: [1, 1 * 1000/1000].
  m.must_answer(set_req(false, {{"Device.LocalAgent.Controller.2.",
                                 {{"USPNotifRetryMinimumWaitInterval", "1", true},
                                  {"USPNotifRetryIntervalMultiplier", "1000", true}}}}));
  subscribe(m, "ValueChange", "Device.X_000413_UI.Language", true);
  m.sink().sent.clear();
  m.must_answer(set_req(false, {{"Device.X_000413_UI.", {{"Language", "German"}}}}));
  ASSERT_EQ(m.sink().sent.size(), 1U);
  const auto id = m.sink().sent[0].msg.header().msg_id();
  EXPECT_TRUE(notify_of(m.sink().sent[0]).send_resp());
  ASSERT_TRUE(usp::test::run_until(m.io(), [&] { return m.sink().sent.size() == 2; }, std::chrono::seconds(5)));
  EXPECT_EQ(m.sink().sent[1].msg.header().msg_id(), id) << "a retry is the same message";
  EXPECT_EQ(m.notifications().stats().retried, 1U);

  // A NotifyResp from someone else does not count; the recipient's does.
  usp::Msg resp;
  resp.mutable_body()->mutable_response()->mutable_notify_resp()->set_subscription_id("x");
  resp = with_header(resp, usp::Header::NOTIFY_RESP, id);
  EXPECT_FALSE(m.request(resp, "self::vendor"));
  EXPECT_EQ(m.notifications().pending(), 1U);
  EXPECT_FALSE(m.request(resp));
  EXPECT_EQ(m.notifications().pending(), 0U);
  EXPECT_EQ(m.notifications().stats().acknowledged, 1U);
  // Its retry timer is gone: the io_context runs dry without another send.
  m.io().restart();
  m.io().run();
  EXPECT_EQ(m.sink().sent.size(), 2U);
}

}  // namespace
}  // namespace usp::agent::test

// The read-side handlers (Get, GetInstances, GetSupportedDM,
// GetSupportedProtocol) and dispatch, against a real phone data model.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "phone_fixture.hpp"
#include "usp/err_code.hpp"
#include "usp/record.hpp"

namespace usp::agent::test {
namespace {

constexpr std::uint32_t code(usp::err_code c) { return usp::value(c); }

using resolved_map = std::map<std::string, std::map<std::string, std::string>>;

// resolved_path -> result_params, checking no path comes twice.
resolved_map resolved(const usp::GetResp::RequestedPathResult& r) {
  resolved_map out;
  for (const auto& rp : r.resolved_path_results()) {
    EXPECT_FALSE(out.count(rp.resolved_path())) << rp.resolved_path() << " twice";
    out[rp.resolved_path()] = {rp.result_params().begin(), rp.result_params().end()};
  }
  return out;
}

std::set<std::string> keys(const resolved_map& m) {
  std::set<std::string> out;
  for (const auto& [k, v] : m) out.insert(k);
  return out;
}

usp::GetResp get_resp(const usp::Msg& m) {
  EXPECT_EQ(m.header().msg_type(), usp::Header::GET_RESP);
  EXPECT_EQ(m.header().msg_id(), "req-1");
  return m.body().response().get_resp();
}

// ---- Get -------------------------------------------------------------------------

TEST(HandleGet, ParameterPathsAreGroupedUnderTheirObjects) {
  phone_model m;
  const auto resp = m.must_answer(get_req({"Device.LocalAgent.Controller.*.EndpointID", "Device.LocalAgent.EndpointID",
                                           "Device.MQTT.Client.2.Status"}));
  const auto& g = get_resp(resp);
  ASSERT_EQ(g.req_path_results_size(), 3);
  const auto& ctl = g.req_path_results(0);
  EXPECT_EQ(ctl.requested_path(), "Device.LocalAgent.Controller.*.EndpointID");
  EXPECT_EQ(ctl.err_code(), 0U);
  EXPECT_EQ(resolved(ctl), (resolved_map{{"Device.LocalAgent.Controller.1.", {{"EndpointID", "self::vendor"}}},
                                         {"Device.LocalAgent.Controller.2.", {{"EndpointID", "self::ctl"}}}}));
  // R-GET.2/3: a parameter path resolves to its object, with a relative key.
  EXPECT_EQ(resolved(g.req_path_results(1)),
            (resolved_map{{"Device.LocalAgent.", {{"EndpointID", "os::000413-000413AABBCC"}}}}));
  EXPECT_EQ(resolved(g.req_path_results(2)), (resolved_map{{"Device.MQTT.Client.2.", {{"Status", "Connected"}}}}));
}

TEST(HandleGet, MaxDepthOneGivesOnlyTheRequestedObjectsParameters) {
  phone_model m;
  const auto g = get_resp(m.must_answer(get_req({"Device.LocalAgent."}, 1)));
  const auto r = resolved(g.req_path_results(0));
  ASSERT_EQ(keys(r), std::set<std::string>{"Device.LocalAgent."});  // R-GET.5, TP 1.89
  const auto& la = r.at("Device.LocalAgent.");
  EXPECT_EQ(la.at("EndpointID"), "os::000413-000413AABBCC");
  EXPECT_EQ(la.at("ControllerNumberOfEntries"), "2");
  EXPECT_EQ(la.at("SubscriptionNumberOfEntries"), "1");
  EXPECT_EQ(la.at("RequestNumberOfEntries"), "0");
  EXPECT_EQ(la.at("UpTime"), "42");
}

TEST(HandleGet, MaxDepthTwoAddsFirstLevelObjectsAndTableRowsAtTheSameDepth) {
  phone_model m;
  const auto g = get_resp(m.must_answer(get_req({"Device.LocalAgent."}, 2)));
  // A table's rows sit at the depth of the table's name; their own
  // sub-objects (E2ESession, MTP rows) are one deeper.
  EXPECT_EQ(keys(resolved(g.req_path_results(0))),
            (std::set<std::string>{"Device.LocalAgent.", "Device.LocalAgent.Controller.1.",
                                   "Device.LocalAgent.Controller.2.", "Device.LocalAgent.Subscription.2."}));
}

TEST(HandleGet, MaxDepthZeroGivesTheWholeSubTree) {
  phone_model m;
  const auto g = get_resp(m.must_answer(get_req({"Device.LocalAgent.Controller.2."})));
  const auto r = resolved(g.req_path_results(0));
  EXPECT_EQ(keys(r), (std::set<std::string>{
                         "Device.LocalAgent.Controller.2.", "Device.LocalAgent.Controller.2.E2ESession.",
                         "Device.LocalAgent.Controller.2.MTP.1.", "Device.LocalAgent.Controller.2.MTP.1.MQTT.",
                         "Device.LocalAgent.Controller.2.MTP.1.WebSocket."}));
  const auto& ctl = r.at("Device.LocalAgent.Controller.2.");
  EXPECT_EQ(ctl.at("Enable"), "true");
  EXPECT_EQ(ctl.at("Alias"), "cpe-controller-2");
  EXPECT_EQ(ctl.at("PeriodicNotifInterval"), "86400");
  EXPECT_EQ(ctl.at("MTPNumberOfEntries"), "1");
  EXPECT_FALSE(ctl.count("E2ESession.SessionMode")) << "sub-objects have their own entry";
  EXPECT_EQ(r.at("Device.LocalAgent.Controller.2.E2ESession.").at("SessionMode"), "Allow");
  // Depth 2: the row's own sub-objects, but not MTP.1.MQTT. (depth 3).
  const auto three = get_resp(m.must_answer(get_req({"Device.LocalAgent.Controller.2."}, 2)));
  EXPECT_EQ(keys(resolved(three.req_path_results(0))),
            (std::set<std::string>{"Device.LocalAgent.Controller.2.", "Device.LocalAgent.Controller.2.E2ESession.",
                                   "Device.LocalAgent.Controller.2.MTP.1."}));
}

TEST(HandleGet, PathsThatMatchNothingInstantiatedAre7026) {
  phone_model m;
  const auto g = get_resp(m.must_answer(get_req({"Device.LocalAgent.Controller.9.", "Device.LocalAgent.Controller.9.Enable",
                                                 "Device.DeviceInfo.Nothing", "Device.Nothing.", "Device.Reboot()",
                                                 "Device.Boot!", "Device.LocalAgent.Controller.1.EndpointID"})));
  ASSERT_EQ(g.req_path_results_size(), 7);
  for (int i = 0; i < 6; ++i) {
    const auto& r = g.req_path_results(i);
    EXPECT_EQ(r.err_code(), code(usp::err_code::invalid_path)) << r.requested_path();  // R-GET.0
    EXPECT_FALSE(r.err_msg().empty()) << r.requested_path();
    EXPECT_EQ(r.resolved_path_results_size(), 0) << r.requested_path();
  }
  // A failed path does not fail the others.
  EXPECT_EQ(g.req_path_results(6).err_code(), 0U);
  EXPECT_EQ(g.req_path_results(6).resolved_path_results_size(), 1);
}

TEST(HandleGet, MalformedPathsAre7008) {
  phone_model m;
  const auto g = get_resp(m.must_answer(get_req({"Device..Enable", "LocalAgent.", "Device.LocalAgent.Controller.[Enable].",
                                                 "Device.LocalAgent.Controller.[Enable==maybe]."})));
  for (const auto& r : g.req_path_results()) {
    EXPECT_EQ(r.err_code(), code(usp::err_code::invalid_path_syntax)) << r.requested_path();
  }
}

TEST(HandleGet, SearchesMatchingNothingAndEmptyTablesAreEmptySuccesses) {
  phone_model m;
  const auto g = get_resp(m.must_answer(get_req({"Device.LocalAgent.Controller.[Alias==\"none\"].",
                                                 "Device.LocalAgent.Controller.[Alias==\"none\"].Enable",
                                                 "Device.LocalAgent.Request.", "Device.LocalAgent.Request.*.Status"})));
  for (const auto& r : g.req_path_results()) {
    EXPECT_EQ(r.err_code(), 0U) << r.requested_path();  // R-GET.1a
    EXPECT_EQ(r.resolved_path_results_size(), 0) << r.requested_path();
  }
}

TEST(HandleGet, SearchExpressionsSelectRows) {
  phone_model m;
  const auto g = get_resp(m.must_answer(get_req({"Device.LocalAgent.Controller.[EndpointID==\"self::ctl\"].Alias"})));
  EXPECT_EQ(resolved(g.req_path_results(0)),
            (resolved_map{{"Device.LocalAgent.Controller.2.", {{"Alias", "cpe-controller-2"}}}}));
}

TEST(HandleGet, HiddenParametersReadEmpty) {
  phone_model m;
  ASSERT_EQ(m.setting("tr369_mqtt_password2"), "s3cret");
  const auto g = get_resp(m.must_answer(get_req({"Device.MQTT.Client.2.Password", "Device.MQTT.Client.2."})));
  EXPECT_EQ(resolved(g.req_path_results(0)).at("Device.MQTT.Client.2.").at("Password"), "");
  EXPECT_EQ(resolved(g.req_path_results(1)).at("Device.MQTT.Client.2.").at("Password"), "");
}

// ---- GetInstances ------------------------------------------------------------------

std::map<std::string, std::map<std::string, std::string>> instances(const usp::GetInstancesResp::RequestedPathResult& r) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& ci : r.curr_insts()) out[ci.instantiated_obj_path()] = {ci.unique_keys().begin(), ci.unique_keys().end()};
  return out;
}

TEST(HandleGetInstances, FirstLevelOnlyListsTheTablesRowsWithTheirUniqueKeys) {
  phone_model m;
  const auto resp = m.must_answer(instances_req({"Device.LocalAgent.Controller."}, true));
  EXPECT_EQ(resp.header().msg_type(), usp::Header::GET_INSTANCES_RESP);
  const auto& r = resp.body().response().get_instances_resp().req_path_results(0);
  EXPECT_EQ(r.err_code(), 0U);
  EXPECT_EQ(instances(r), (std::map<std::string, std::map<std::string, std::string>>{
                              {"Device.LocalAgent.Controller.1.", {{"EndpointID", "self::vendor"}, {"Alias", "cpe-controller-1"}}},
                              {"Device.LocalAgent.Controller.2.", {{"EndpointID", "self::ctl"}, {"Alias", "cpe-controller-2"}}}}));
}

TEST(HandleGetInstances, OtherwiseNestedRowsFollowInOneFlatList) {
  phone_model m;
  const auto resp = m.must_answer(instances_req({"Device.LocalAgent.Controller.", "Device.LocalAgent.Controller.2."}, false));
  const auto& g = resp.body().response().get_instances_resp();
  std::vector<std::string> rows;
  for (const auto& ci : g.req_path_results(0).curr_insts()) rows.push_back(ci.instantiated_obj_path());
  EXPECT_EQ(rows, (std::vector<std::string>{"Device.LocalAgent.Controller.1.", "Device.LocalAgent.Controller.2.",
                                            "Device.LocalAgent.Controller.2.MTP.1."}));
  EXPECT_EQ(instances(g.req_path_results(0)).at("Device.LocalAgent.Controller.2.MTP.1."),
            (std::map<std::string, std::string>{{"Alias", "cpe-mtp-2"}}));
  EXPECT_EQ(instances(g.req_path_results(1)).size(), 2U);  // the row itself and its MTP row
}

TEST(HandleGetInstances, ErrorsAndEmptySearches) {
  phone_model m;
  const auto resp = m.must_answer(instances_req({"Device.DeviceInfo.", "Device.Nothing.", "Device.LocalAgent.Controller.9.",
                                                 "Device.LocalAgent.Controller.[Alias==\"x\"].",
                                                 "Device.LocalAgent.Request."},
                                                true));
  const auto& g = resp.body().response().get_instances_resp();
  ASSERT_EQ(g.req_path_results_size(), 5);
  EXPECT_EQ(g.req_path_results(0).err_code(), code(usp::err_code::not_a_table));
  EXPECT_EQ(g.req_path_results(1).err_code(), code(usp::err_code::invalid_path));
  EXPECT_EQ(g.req_path_results(2).err_code(), code(usp::err_code::object_does_not_exist));
  for (int i = 3; i < 5; ++i) {
    EXPECT_EQ(g.req_path_results(i).err_code(), 0U) << i;
    EXPECT_EQ(g.req_path_results(i).curr_insts_size(), 0) << i;
  }
}

// ---- GetSupportedDM ----------------------------------------------------------------

using GSDM = usp::GetSupportedDMResp;

const GSDM::SupportedObjectResult* find_obj(const GSDM::RequestedObjectResult& r, const std::string& path) {
  for (const auto& o : r.supported_objs()) {
    if (o.supported_obj_path() == path) return &o;
  }
  return nullptr;
}

const GSDM::SupportedParamResult* find_param(const GSDM::SupportedObjectResult& o, const std::string& name) {
  for (const auto& p : o.supported_params()) {
    if (p.param_name() == name) return &p;
  }
  return nullptr;
}

TEST(HandleGetSupportedDM, DescribesObjectsInSupportedNotation) {
  phone_model m;
  const auto resp = m.must_answer(gsdm_req({"Device.LocalAgent."}, false));
  EXPECT_EQ(resp.header().msg_type(), usp::Header::GET_SUPPORTED_DM_RESP);
  const auto& r = resp.body().response().get_supported_dm_resp().req_obj_results(0);
  EXPECT_EQ(r.err_code(), 0U);
  EXPECT_EQ(r.data_model_inst_uri(), data_model_uri);
  ASSERT_GT(r.supported_objs_size(), 0);
  EXPECT_EQ(r.supported_objs(0).supported_obj_path(), "Device.LocalAgent.");
  EXPECT_FALSE(r.supported_objs(0).is_multi_instance());
  EXPECT_EQ(r.supported_objs(0).access(), GSDM::OBJ_READ_ONLY);
  const auto* ep = find_param(r.supported_objs(0), "EndpointID");
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(ep->access(), GSDM::PARAM_READ_ONLY);
  EXPECT_EQ(ep->value_type(), GSDM::PARAM_STRING);
  EXPECT_EQ(find_param(r.supported_objs(0), "UpTime")->value_change(), GSDM::VALUE_CHANGE_WILL_IGNORE);
  EXPECT_EQ(find_param(r.supported_objs(0), "ControllerNumberOfEntries")->value_type(), GSDM::PARAM_UNSIGNED_INT);
  ASSERT_EQ(r.supported_objs(0).supported_events_size(), 2);
  EXPECT_EQ(r.supported_objs(0).supported_events(0).event_name(), "Periodic!");

  const auto* sub = find_obj(r, "Device.LocalAgent.Subscription.{i}.");
  ASSERT_NE(sub, nullptr);
  EXPECT_TRUE(sub->is_multi_instance());
  EXPECT_EQ(sub->access(), GSDM::OBJ_ADD_DELETE);
  ASSERT_EQ(sub->unique_key_sets_size(), 2);
  EXPECT_EQ(std::vector<std::string>(sub->unique_key_sets(0).key_names().begin(), sub->unique_key_sets(0).key_names().end()),
            (std::vector<std::string>{"Recipient", "ID"}));
  EXPECT_EQ(find_param(*sub, "NotifRetry")->value_type(), GSDM::PARAM_BOOLEAN);
  EXPECT_EQ(find_param(*sub, "NotifRetry")->access(), GSDM::PARAM_READ_WRITE);
  EXPECT_NE(find_obj(r, "Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket."), nullptr);
  EXPECT_NE(find_obj(r, "Device.LocalAgent.Controller.{i}.BootParameter.{i}."), nullptr);
  const auto* req = find_obj(r, "Device.LocalAgent.Request.{i}.");
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(req->access(), GSDM::OBJ_READ_ONLY);
  ASSERT_EQ(req->supported_commands_size(), 1);
  EXPECT_EQ(req->supported_commands(0).command_name(), "Cancel()");
}

TEST(HandleGetSupportedDM, CommandsCarryParenthesesAndEventsAnExclamationMark) {
  phone_model m;
  const auto resp = m.must_answer(gsdm_req({"Device.X_000413_XMLBrowser.", "Device."}, true));
  const auto& all = resp.body().response().get_supported_dm_resp();
  const auto& mb = all.req_obj_results(0).supported_objs(0);
  ASSERT_EQ(mb.supported_commands_size(), 1);
  const auto& show = mb.supported_commands(0);
  EXPECT_EQ(show.command_name(), "ShowPage()");
  EXPECT_EQ(show.command_type(), GSDM::CMD_ASYNC);
  EXPECT_EQ(std::vector<std::string>(show.input_arg_names().begin(), show.input_arg_names().end()),
            std::vector<std::string>{"URL"});
  EXPECT_EQ(std::vector<std::string>(show.output_arg_names().begin(), show.output_arg_names().end()),
            std::vector<std::string>{"Title"});
  const auto& dev = all.req_obj_results(1).supported_objs(0);
  EXPECT_EQ(dev.supported_obj_path(), "Device.");
  ASSERT_EQ(dev.supported_commands_size(), 2);
  EXPECT_EQ(dev.supported_commands(0).command_name(), "Reboot()");
  EXPECT_EQ(dev.supported_commands(0).command_type(), GSDM::CMD_SYNC);
  ASSERT_EQ(dev.supported_events_size(), 1);
  EXPECT_EQ(dev.supported_events(0).event_name(), "Boot!");
  EXPECT_EQ(dev.supported_events(0).arg_names_size(), 5);
}

TEST(HandleGetSupportedDM, FirstLevelOnlyListsChildrenWithoutTheirContents) {
  phone_model m;
  const auto resp = m.must_answer(gsdm_req({"Device."}, true));
  const auto& r = resp.body().response().get_supported_dm_resp().req_obj_results(0);
  std::set<std::string> paths;
  for (const auto& o : r.supported_objs()) paths.insert(o.supported_obj_path());
  EXPECT_EQ(paths, (std::set<std::string>{"Device.", "Device.DeviceInfo.", "Device.LocalAgent.", "Device.MQTT.",
                                          "Device.X_000413_XMLBrowser.", "Device.X_000413_UI."}));
  EXPECT_GT(r.supported_objs(0).supported_params_size(), 0);
  // TP 1.73/1.74: "does not include commands, events, or Parameters of the child objects".
  for (int i = 1; i < r.supported_objs_size(); ++i) {
    const auto& o = r.supported_objs(i);
    EXPECT_EQ(o.supported_params_size(), 0) << o.supported_obj_path();
    EXPECT_EQ(o.supported_commands_size(), 0) << o.supported_obj_path();
    EXPECT_EQ(o.supported_events_size(), 0) << o.supported_obj_path();
  }
}

TEST(HandleGetSupportedDM, InstancePathsAndParamMapAdditionsAreDescribed) {
  phone_model m;
  const auto resp = m.must_answer(gsdm_req({"Device.LocalAgent.Controller.2.", "Device.X_000413_UI.",
                                            "Device.LocalAgent.Controller.{i}.MTP."},
                                           true));
  const auto& all = resp.body().response().get_supported_dm_resp();
  EXPECT_EQ(all.req_obj_results(0).req_obj_path(), "Device.LocalAgent.Controller.2.");
  EXPECT_EQ(all.req_obj_results(0).supported_objs(0).supported_obj_path(), "Device.LocalAgent.Controller.{i}.");
  const auto& ui = all.req_obj_results(1).supported_objs(0);
  const auto* bright = find_param(ui, "DisplayBrightness");
  ASSERT_NE(bright, nullptr);
  EXPECT_EQ(bright->value_type(), GSDM::PARAM_UNSIGNED_INT);
  EXPECT_EQ(bright->access(), GSDM::PARAM_READ_WRITE);
  EXPECT_EQ(all.req_obj_results(2).supported_objs(0).supported_obj_path(), "Device.LocalAgent.Controller.{i}.MTP.{i}.");
}

TEST(HandleGetSupportedDM, UnknownPathsAre7026) {
  phone_model m;
  const auto resp = m.must_answer(gsdm_req({"Device.Nothing.", "Device.DeviceInfo.{i}.", "Device..", "Device.LocalAgent."}, true));
  const auto& all = resp.body().response().get_supported_dm_resp();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(all.req_obj_results(i).err_code(), code(usp::err_code::invalid_path)) << i;
    EXPECT_EQ(all.req_obj_results(i).supported_objs_size(), 0) << i;
  }
  EXPECT_EQ(all.req_obj_results(3).err_code(), 0U);
}

// ---- dispatch ----------------------------------------------------------------------

TEST(HandleRequest, GetSupportedProtocolListsOurVersions) {
  phone_model m;
  usp::Msg req;
  req.mutable_body()->mutable_request()->mutable_get_supported_protocol()->set_controller_supported_protocol_versions("1.3");
  const auto resp = m.must_answer(with_header(req, usp::Header::GET_SUPPORTED_PROTO));
  EXPECT_EQ(resp.header().msg_type(), usp::Header::GET_SUPPORTED_PROTO_RESP);
  EXPECT_EQ(resp.header().msg_id(), "req-1");
  EXPECT_EQ(resp.body().response().get_supported_protocol_resp().agent_supported_protocol_versions(), "1.0,1.1,1.2,1.3,1.4");
}

TEST(HandleRequest, RequestsAnAgentDoesNotServeAre7001) {
  phone_model m;
  usp::Msg reg;
  reg.mutable_body()->mutable_request()->mutable_register_()->set_allow_partial(true);
  usp::Msg notify;
  notify.mutable_body()->mutable_request()->mutable_notify()->set_subscription_id("x");
  for (const auto& req : {with_header(reg, usp::Header::REGISTER, "reg-7"), with_header(notify, usp::Header::NOTIFY, "reg-7")}) {
    const auto resp = m.must_answer(req);
    ASSERT_TRUE(resp.body().has_error());
    EXPECT_EQ(resp.header().msg_type(), usp::Header::ERROR);
    EXPECT_EQ(resp.header().msg_id(), "reg-7");  // R-MSG.9
    EXPECT_EQ(resp.body().error().err_code(), code(usp::err_code::message_not_supported));
  }
}

TEST(HandleRequest, TheBodyWinsOverTheHeaderAndResponsesAreNotAnswered) {
  phone_model m;
  // R-MSG.10: a Get body labelled SET is a Get.
  auto get = get_req({"Device.LocalAgent.EndpointID"});
  get.mutable_header()->set_msg_type(usp::Header::SET);
  EXPECT_EQ(m.must_answer(get).header().msg_type(), usp::Header::GET_RESP);
  usp::Msg unsolicited;
  unsolicited.mutable_body()->mutable_response()->mutable_get_resp();
  EXPECT_FALSE(m.request(with_header(unsolicited, usp::Header::GET_RESP)));
  usp::Msg error;
  error.mutable_body()->mutable_error()->set_err_code(7000);
  EXPECT_FALSE(m.request(with_header(error, usp::Header::ERROR)));
  const auto empty = m.must_answer(with_header(usp::Msg(), usp::Header::GET));
  EXPECT_EQ(empty.body().error().err_code(), code(usp::err_code::invalid_arguments));
}

// ---- the shipped param_map ---------------------------------------------------------

TEST(ShippedParamMap, GivesBothControllersTheirSubscriptionsAndVendorObjects) {
  const std::string config = std::string(USP_SOURCE_DIR) + "/config/agent/";
  phone_model m(usp::test::read_file(config + "param_map"), usp::test::read_file(config + "factory.txt"));
  const auto g = get_resp(m.must_answer(get_req({"Device.LocalAgent.Controller.*.EndpointID",
                                                 "Device.LocalAgent.Subscription.1.", "Device.X_000413_UI.Language",
                                                 "Device.MQTT.Client.1.BrokerPort", "Device.DeviceInfo.FriendlyName"})));
  EXPECT_EQ(resolved(g.req_path_results(0)),
            (resolved_map{{"Device.LocalAgent.Controller.1.", {{"EndpointID", "self::snom-sraps"}}},
                          {"Device.LocalAgent.Controller.2.", {{"EndpointID", ""}}}}));
  const auto boot = resolved(g.req_path_results(1)).at("Device.LocalAgent.Subscription.1.");
  EXPECT_EQ(boot.at("ID"), "boot-sraps");
  EXPECT_EQ(boot.at("ReferenceList"), "Device.Boot!");
  EXPECT_EQ(boot.at("Recipient"), "Device.LocalAgent.Controller.1.");
  EXPECT_EQ(boot.at("NotifRetry"), "true");
  EXPECT_EQ(resolved(g.req_path_results(2)).at("Device.X_000413_UI.").at("Language"), "English");
  EXPECT_EQ(resolved(g.req_path_results(3)).at("Device.MQTT.Client.1.").at("BrokerPort"), "8883");
  EXPECT_EQ(resolved(g.req_path_results(4)).at("Device.DeviceInfo.").at("FriendlyName"), "snom-000413AABBCC");

  const auto gi = m.must_answer(instances_req({"Device.LocalAgent.MTP.", "Device.MQTT.Client."}, true));
  EXPECT_EQ(gi.body().response().get_instances_resp().req_path_results(0).curr_insts_size(), 2);
  EXPECT_EQ(gi.body().response().get_instances_resp().req_path_results(1).curr_insts_size(), 2);

  // Controller 1's identity is fixed by the factory file: read-only for USP.
  const auto set = m.must_answer(set_req(false, {{"Device.LocalAgent.Controller.1.", {{"EndpointID", "self::evil", true}}}}));
  ASSERT_TRUE(set.body().has_error());
  EXPECT_EQ(set.body().error().param_errs(0).err_code(), code(usp::err_code::param_read_only));
  EXPECT_EQ(m.setting("tr369_controller_endpointid"), "self::snom-sraps");
}

}  // namespace
}  // namespace usp::agent::test

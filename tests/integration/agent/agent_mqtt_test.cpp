// usp-agent as a process, managed over a real mosquitto by a scripted
// controller, for MQTT 5 and 3.1.1.
#include <signal.h>

#include <fstream>

#include "agent_fixture.hpp"
#include "usp/err_code.hpp"
#include "usp_test/http_server.hpp"
#include "usp_test/test_ca.hpp"
#include "usp_test/wait.hpp"

namespace usp::test {
namespace {

class AgentMqtt : public ::testing::TestWithParam<mqtt_version> {
 protected:
  AgentMqtt() : f_(GetParam()) {}
  bool v5() const { return GetParam() == mqtt_version::v5; }

  void boot(const std::string& extra_settings = {}) { f_.boot(extra_settings); }
  void subscribe(const std::string& id, const std::string& type, const std::string& refs) {
    f_.subscribe(id, type, refs);
  }

  agent_fixture f_;
};

TEST_P(AgentMqtt, ConnectRecordComesFirstThenBoot) {
  f_.write_settings();
  f_.start_agent();
  auto connect = f_.wait_for([](const ctl::received_record&) { return true; });
  ASSERT_TRUE(connect);
  // R-MTP.6: the Connect Record is the first thing the agent sends.
  ASSERT_TRUE(connect->record.has_mqtt_connect()) << connect->record.DebugString();
  EXPECT_EQ(connect->record.from_id(), agent_eid);
  EXPECT_EQ(connect->record.to_id(), controller_eid);
  const std::string own_topic = std::string("usp/agent/") + agent_eid;
  EXPECT_EQ(connect->record.mqtt_connect().subscribed_topic(), own_topic);
  EXPECT_EQ(connect->record.mqtt_connect().version(),
            v5() ? usp_record::MQTTConnectRecord::V5 : usp_record::MQTTConnectRecord::V3_1_1);
  if (v5()) {
    EXPECT_EQ(connect->content_type, "usp.msg");  // R-MQTT.27
    EXPECT_EQ(connect->reply_to, own_topic);       // R-MQTT.23
    EXPECT_EQ(connect->topic, controller_topic);
  } else {
    EXPECT_EQ(connect->topic, std::string(controller_topic) + "/reply-to=usp%2Fagent%2F" + agent_eid);  // R-MQTT.24
  }
  auto boot = f_.wait_boot();
  ASSERT_TRUE(boot);
  const auto& n = boot->msg->body().request().notify();
  EXPECT_EQ(n.subscription_id(), "boot-2");
  EXPECT_TRUE(n.send_resp());
  const auto& p = n.event().params();
  EXPECT_EQ(p.at("Cause"), "LocalFactoryReset");  // a first boot
  EXPECT_EQ(p.at("FirmwareUpdated"), "false");
  EXPECT_EQ(p.at("ParameterMap"), "{}");
  EXPECT_EQ(n.event().obj_path(), "Device.");
}

TEST_P(AgentMqtt, GetSetAddDeleteAndDiscovery) {
  boot();
  auto get = f_.request(get_msg({"Device.DeviceInfo.", "Device.LocalAgent.EndpointID"}));
  ASSERT_TRUE(get);
  EXPECT_EQ(value_in(*get, "Device.DeviceInfo.", "ManufacturerOUI"), "000413");
  EXPECT_EQ(value_in(*get, "Device.DeviceInfo.", "SerialNumber"), agent_mac);
  EXPECT_EQ(value_in(*get, "Device.LocalAgent.", "EndpointID"), agent_eid);

  auto set = f_.request(set_msg("Device.X_000413_UI.", {{"Language", "Deutsch"}}));
  ASSERT_TRUE(set);
  const auto& ok = set->body().response().set_resp().updated_obj_results(0).oper_status().oper_success();
  EXPECT_EQ(ok.updated_inst_results(0).updated_params().at("Language"), "Deutsch");
  get = f_.request(get_msg({"Device.X_000413_UI.Language"}));
  EXPECT_EQ(value_in(*get, "Device.X_000413_UI.", "Language"), "Deutsch");

  // Controller 1 is the vendor's: fixed.
  set = f_.request(set_msg("Device.LocalAgent.Controller.1.", {{"EndpointID", "self::mine"}}));
  ASSERT_TRUE(set);
  ASSERT_TRUE(set->body().has_error());
  EXPECT_EQ(set->body().error().param_errs(0).err_code(), usp::value(usp::err_code::param_read_only));

  auto add = f_.request(add_msg("Device.LocalAgent.Controller.2.BootParameter.",
                                {{"Enable", "true"}, {"ParameterName", "Device.DeviceInfo.SoftwareVersion"}}));
  ASSERT_TRUE(add);
  const auto& created = add->body().response().add_resp().created_obj_results(0).oper_status().oper_success();
  EXPECT_EQ(created.instantiated_path(), "Device.LocalAgent.Controller.2.BootParameter.1.");

  usp::Msg gi;
  gi.mutable_header()->set_msg_id("gi-1");
  gi.mutable_header()->set_msg_type(usp::Header::GET_INSTANCES);
  gi.mutable_body()->mutable_request()->mutable_get_instances()->add_obj_paths("Device.LocalAgent.Controller.");
  auto instances = f_.request(gi);
  ASSERT_TRUE(instances);
  const auto& insts = instances->body().response().get_instances_resp().req_path_results(0).curr_insts();
  EXPECT_GE(insts.size(), 3);  // two controllers, their MTPs, our BootParameter

  usp::Msg gsdm;
  gsdm.mutable_header()->set_msg_id("gsdm-1");
  gsdm.mutable_header()->set_msg_type(usp::Header::GET_SUPPORTED_DM);
  auto* g = gsdm.mutable_body()->mutable_request()->mutable_get_supported_dm();
  g->add_obj_paths("Device.");
  g->set_first_level_only(true);
  g->set_return_commands(true);
  auto supported = f_.request(gsdm);
  ASSERT_TRUE(supported);
  bool reboot = false;
  for (const auto& o : supported->body().response().get_supported_dm_resp().req_obj_results(0).supported_objs()) {
    for (const auto& c : o.supported_commands()) reboot = reboot || c.command_name() == "Reboot()";
  }
  EXPECT_TRUE(reboot);

  auto del = f_.request(delete_msg({"Device.LocalAgent.Controller.2.BootParameter.1."}));
  ASSERT_TRUE(del);
  EXPECT_EQ(del->body().response().delete_resp().deleted_obj_results(0).oper_status().oper_success().affected_paths(0),
            "Device.LocalAgent.Controller.2.BootParameter.1.");

  usp::Msg proto;
  proto.mutable_header()->set_msg_id("proto-1");
  proto.mutable_header()->set_msg_type(usp::Header::GET_SUPPORTED_PROTO);
  proto.mutable_body()->mutable_request()->mutable_get_supported_protocol()->set_controller_supported_protocol_versions("1.4");
  auto versions = f_.request(proto);
  ASSERT_TRUE(versions);
  EXPECT_EQ(versions->body().response().get_supported_protocol_resp().agent_supported_protocol_versions(),
            "1.0,1.1,1.2,1.3,1.4");
}

TEST_P(AgentMqtt, ValueChangeAfterALocalChange) {
  boot();
  subscribe("vc-ui", "ValueChange", "Device.X_000413_UI.");
  // The phone is re-provisioned locally: a new settings file and SIGHUP.
  f_.write_settings("language!: Francais\n");
  ASSERT_EQ(f_.agent.signal(SIGHUP), 0);
  auto vc = f_.wait_for([](const ctl::received_record& r) {
    return r.msg && r.msg->body().request().notify().has_value_change();
  });
  ASSERT_TRUE(vc);
  const auto& n = vc->msg->body().request().notify();
  EXPECT_EQ(n.subscription_id(), "vc-ui");
  EXPECT_EQ(n.value_change().param_path(), "Device.X_000413_UI.Language");
  EXPECT_EQ(n.value_change().param_value(), "Francais");
}

TEST_P(AgentMqtt, PeriodicEventEveryInterval) {
  boot();
  subscribe("periodic", "Event", "Device.LocalAgent.Periodic!");
  auto set = f_.request(set_msg("Device.LocalAgent.Controller.2.", {{"PeriodicNotifInterval", "1"}}));
  ASSERT_TRUE(set && set->body().has_response());
  for (int i = 0; i < 2; ++i) {
    auto p = f_.wait_for([](const ctl::received_record& r) {
      return r.msg && r.msg->body().request().notify().event().event_name() == "Periodic!";
    }, std::chrono::seconds(5));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->msg->body().request().notify().event().obj_path(), "Device.LocalAgent.");
    EXPECT_EQ(p->msg->body().request().notify().subscription_id(), "periodic");
  }
}

TEST_P(AgentMqtt, AsyncOperationReportsCompletion) {
  boot();
  http_server web(f_.io);
  web.serve("/page.xml", "<SnomIPPhoneText><Title>Welcome</Title><Text>Hello &amp; bye</Text></SnomIPPhoneText>",
            "text/xml");
  subscribe("oc", "OperationComplete", "Device.X_000413_XMLBrowser.");
  auto resp = f_.request(operate_msg("Device.X_000413_XMLBrowser.ShowPage()", "page-1", {{"URL", web.url("/page.xml")}}));
  ASSERT_TRUE(resp);
  const auto& result = resp->body().response().operate_resp().operation_results(0);
  EXPECT_EQ(result.executed_command(), "Device.X_000413_XMLBrowser.ShowPage()");
  EXPECT_EQ(result.req_obj_path(), "Device.LocalAgent.Request.1");
  auto done = f_.wait_for([](const ctl::received_record& r) {
    return r.msg && r.msg->body().request().notify().has_oper_complete();
  });
  ASSERT_TRUE(done);
  const auto& oc = done->msg->body().request().notify().oper_complete();
  EXPECT_EQ(oc.command_name(), "ShowPage()");
  EXPECT_EQ(oc.command_key(), "page-1");
  ASSERT_TRUE(oc.has_req_output_args()) << oc.DebugString();
  EXPECT_EQ(oc.req_output_args().output_args().at("Title"), "Welcome");
  auto get = f_.request(get_msg({"Device.X_000413_XMLBrowser.", "Device.LocalAgent.Request."}));
  EXPECT_EQ(value_in(*get, "Device.X_000413_XMLBrowser.", "LastText"), "Hello & bye");
  EXPECT_EQ(get->body().response().get_resp().req_path_results(1).resolved_path_results_size(), 0);  // R-OPR.0

  // A page that cannot be fetched fails the operation, not the message.
  resp = f_.request(operate_msg("Device.X_000413_XMLBrowser.ShowPage()", "page-2", {{"URL", web.url("/missing")}}));
  ASSERT_TRUE(resp && resp->body().has_response());
  done = f_.wait_for([](const ctl::received_record& r) {
    return r.msg && r.msg->body().request().notify().has_oper_complete();
  });
  ASSERT_TRUE(done);
  EXPECT_EQ(done->msg->body().request().notify().oper_complete().cmd_failure().err_code(),
            usp::value(usp::err_code::command_failure));
}

TEST_P(AgentMqtt, RebootComesBackWithBootAndTheCommandKey) {
  boot("tr369_controller_subscriptionid2!: boot-2\n");
  auto bp = f_.request(add_msg("Device.LocalAgent.Controller.2.BootParameter.",
                               {{"Enable", "true"}, {"ParameterName", "Device.DeviceInfo.SoftwareVersion"}}));
  ASSERT_TRUE(bp);
  auto resp = f_.request(operate_msg("Device.Reboot()", "reboot-42"));
  ASSERT_TRUE(resp);
  EXPECT_TRUE(resp->body().response().operate_resp().operation_results(0).has_req_output_args());
  // The phone goes away and comes back: Connect Record, then Boot!.
  ASSERT_TRUE(f_.wait_for([](const ctl::received_record& r) { return r.record.has_mqtt_connect(); }));
  auto boot = f_.wait_boot();
  ASSERT_TRUE(boot);
  const auto& p = boot->msg->body().request().notify().event().params();
  EXPECT_EQ(p.at("Cause"), "RemoteReboot");
  EXPECT_EQ(p.at("CommandKey"), "reboot-42");
  EXPECT_EQ(p.at("Reason"), "Unknown");
  // The controller's BootParameter row survived the reboot (Reboot:1).
  EXPECT_EQ(p.at("ParameterMap"), "{\"Device.DeviceInfo.SoftwareVersion\":\"10.1.182.0\"}");
}

TEST_P(AgentMqtt, SettingsSurviveARestartAndFactoryResetForgetsThem) {
  boot();
  auto set = f_.request(set_msg("Device.X_000413_UI.", {{"Language", "Deutsch"}}));
  ASSERT_TRUE(set && set->body().has_response());
  EXPECT_EQ(f_.stop_agent(), 0);  // SIGTERM: a clean exit
  // R-MTP.7: a DisconnectRecord on the way out.
  ASSERT_TRUE(f_.wait_for([](const ctl::received_record& r) { return r.record.has_disconnect(); }));

  f_.start_agent();
  auto boot = f_.wait_boot();
  ASSERT_TRUE(boot);
  EXPECT_EQ(boot->msg->body().request().notify().event().params().at("Cause"), "LocalReboot");
  auto get = f_.request(get_msg({"Device.X_000413_UI.Language"}));
  EXPECT_EQ(value_in(*get, "Device.X_000413_UI.", "Language"), "Deutsch");

  auto resp = f_.request(operate_msg("Device.FactoryReset()", "reset-1"));
  ASSERT_TRUE(resp);
  boot = f_.wait_boot();
  ASSERT_TRUE(boot);
  EXPECT_EQ(boot->msg->body().request().notify().event().params().at("Cause"), "RemoteFactoryReset");
  EXPECT_EQ(boot->msg->body().request().notify().event().params().at("CommandKey"), "reset-1");
  get = f_.request(get_msg({"Device.X_000413_UI.Language"}));
  EXPECT_EQ(value_in(*get, "Device.X_000413_UI.", "Language"), "English");
}

TEST_P(AgentMqtt, BadInputIsDroppedAndTheAgentKeepsAnswering) {
  boot();
  ASSERT_TRUE(f_.ctl->send_raw(agent_eid, std::string("\xff\x01garbage", 9)));
  ASSERT_TRUE(f_.ctl->send_raw(agent_eid, std::string()));
  // A Record for somebody else, and one from a stranger.
  auto for_other = get_msg({"Device."});
  ASSERT_TRUE(f_.ctl->send_raw(agent_eid, make_no_session_record(controller_eid, "os::000413-OTHER", for_other)));
  ASSERT_TRUE(f_.ctl->send_raw(agent_eid, make_no_session_record("self::stranger", agent_eid, for_other)));
  // A Record whose payload is not a Msg.
  ASSERT_TRUE(f_.ctl->send_raw(agent_eid, make_no_session_record(controller_eid, agent_eid, std::string("\x0a\xff", 2))));
  // A request without any reply-to is answered on the controller's topic.
  ASSERT_TRUE(f_.ctl->send_raw(agent_eid, make_no_session_record(controller_eid, agent_eid, get_msg({"Device.LocalAgent.UpTime"})),
                               false));
  auto answered = f_.wait_for([](const ctl::received_record& r) {
    return r.msg && r.msg->body().response().has_get_resp();
  });
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->topic.substr(0, std::string(controller_topic).size()), controller_topic);
  auto get = f_.request(get_msg({"Device.DeviceInfo.ModelName"}));
  ASSERT_TRUE(get);
  EXPECT_EQ(value_in(*get, "Device.DeviceInfo.", "ModelName"), "D785");
  EXPECT_TRUE(f_.agent.running());
  const auto log = f_.agent_log();
  EXPECT_NE(log.find("dropping a malformed Record"), std::string::npos);
  EXPECT_NE(log.find("not our endpoint id"), std::string::npos);
  EXPECT_NE(log.find("not an enabled controller"), std::string::npos);
  EXPECT_NE(log.find("its Msg does not parse"), std::string::npos);
}

TEST_P(AgentMqtt, ControllerMovedToAnotherTopicAtRunTime) {
  boot();
  // A second controller session listens on the new topic before the move.
  ctl::mqtt_controller_options o = f_.ctl->options();
  o.topic = "usp/controller/moved";
  o.mqtt.client_id = "moved-controller";
  ctl::mqtt_controller moved(f_.io.get_executor(), o);
  std::vector<ctl::received_record> got;
  moved.on_record = [&got](const ctl::received_record& r) { got.push_back(r); };
  moved.start();
  ASSERT_TRUE(run_until(f_.io, [&] { return moved.ready(); }));
  // Writing the controller's topic reconfigures the MTP after the answer.
  auto set = f_.request(set_msg("Device.LocalAgent.Controller.2.MTP.1.MQTT.", {{"Topic", "usp/controller/moved"}}));
  ASSERT_TRUE(set && set->body().has_response()) << (set ? set->DebugString() : "");
  // The new session begins with a Connect Record on the new topic (R-MTP.8).
  ASSERT_TRUE(run_until(f_.io, [&] {
    for (const auto& r : got) {
      if (r.record.has_mqtt_connect()) return true;
    }
    return false;
  })) << f_.agent_log();
  moved.stop();
}

TEST_P(AgentMqtt, ReconnectsAfterTheBrokerRestartsWithAConnectRecord) {
  // The phone waits 2 s before reconnecting and the controller 1 s, so the
  // controller is listening again when the Connect Record comes.
  f_.agent_retry_s = 2;
  boot();
  f_.broker.stop();
  f_.broker.start();
  // R-MTP.8: a new channel starts with the Connect Record again (no Boot!:
  // the phone did not reboot).
  auto connect = f_.wait_for([](const ctl::received_record& r) { return r.record.has_mqtt_connect(); },
                             std::chrono::seconds(20));
  ASSERT_TRUE(connect);
  auto get = f_.request(get_msg({"Device.DeviceInfo.ModelName"}));
  ASSERT_TRUE(get);
  EXPECT_EQ(value_in(*get, "Device.DeviceInfo.", "ModelName"), "D785");
  int boots = 0;
  for (std::size_t i = 0; i < f_.consumed; ++i) boots += agent_fixture::is_boot(f_.inbox[i]) ? 1 : 0;
  EXPECT_EQ(boots, 1) << "a second Boot! without a reboot";
}

INSTANTIATE_TEST_SUITE_P(Versions, AgentMqtt, ::testing::Values(mqtt_version::v5, mqtt_version::v3_1_1),
                         [](const auto& p) { return p.param == mqtt_version::v5 ? "v5" : "v311"; });

TEST(AgentTls, VerifiesTheBrokerWithTheGivenCa) {
  temp_dir pki;
  test_ca ca(pki.path());
  const auto server = ca.issue("broker", {"DNS:localhost", "IP:127.0.0.1"}, "broker");
  broker_options bo;
  bo.tls = std::make_unique<broker_tls>();
  bo.tls->ca_file = ca.ca_file();
  bo.tls->cert_file = server.cert_file;
  bo.tls->key_file = server.key_file;
  mosquitto_broker broker(std::move(bo));

  boost::asio::io_context io;
  ctl::mqtt_controller_options o;
  o.mqtt.host = "localhost";
  o.mqtt.port = broker.port();
  o.mqtt.client_id = "tls-controller";
  o.mqtt.tls = tls_options{ca.ca_file(), "", "", true};
  o.endpoint_id = controller_eid;
  o.topic = controller_topic;
  ctl::mqtt_controller ctl(io.get_executor(), o);
  std::vector<ctl::received_record> got;
  ctl.on_record = [&got](const ctl::received_record& r) { got.push_back(r); };
  ctl.start();
  ASSERT_TRUE(run_until(io, [&] { return ctl.ready(); })) << broker.log();

  temp_dir dir;
  const auto settings = dir.write("settings.txt", "tr369_enable2!: on\ntr369_mqtt_transport2!: TLS\n"
                                                  "tr369_mqtt_hostport2!: localhost:" + std::to_string(broker.port()) +
                                                  "\ntr369_mqtt_topic2!: " + controller_topic +
                                                  "\ntr369_controller_endpointid2!: " + controller_eid + "\n");
  auto run_agent = [&](const std::string& ca_file, const std::string& log) {
    return child_process({USP_AGENT_BIN, "--mac", agent_mac, "--settings", settings, "--state-dir", dir.file(log + ".state"),
                          "--factory", std::string(USP_SOURCE_DIR) + "/config/agent/factory.txt", "--param-map",
                          std::string(USP_SOURCE_DIR) + "/config/agent/param_map", "--ca-file", ca_file,
                          "--retry-s", "1"},
                         dir.file(log));
  };
  {
    // Signed by a CA the phone does not trust: no connection, and it says why.
    temp_dir other_pki;
    test_ca other(other_pki.path(), "other-ca");
    auto agent = run_agent(other.ca_file(), "untrusting.log");
    EXPECT_TRUE(wait_for_text(agent.log_path(), "certificate verify failed", std::chrono::seconds(10), agent.pid()))
        << agent.output();
    EXPECT_TRUE(got.empty());
  }
  auto agent = run_agent(ca.ca_file(), "trusting.log");
  ASSERT_TRUE(run_until(io, [&] {
    for (const auto& r : got) {
      if (agent_fixture::is_boot(r)) return true;
    }
    return false;
  })) << agent.output();
}

TEST(AgentCommandLine, ConfigurationErrorsExitWith2AndOneLinePerProblem) {
  temp_dir dir;
  const auto settings = dir.write("settings.txt", "tr369_mqtt_version2!: 4.0\ntr369_enable2!: maybe\n");
  child_process agent({USP_AGENT_BIN, "--mac", agent_mac, "--settings", settings, "--state-dir", dir.file("state"),
                       "--factory", std::string(USP_SOURCE_DIR) + "/config/agent/factory.txt", "--param-map",
                       std::string(USP_SOURCE_DIR) + "/config/agent/param_map"},
                      dir.file("agent.log"));
  EXPECT_EQ(agent.wait(std::chrono::seconds(10)), 2);
  const auto out = agent.output();
  EXPECT_NE(out.find(settings + ":1: tr369_mqtt_version2: must be 3.1.1 or 5.0"), std::string::npos) << out;
  EXPECT_NE(out.find(settings + ":2: tr369_enable2: must be on or off"), std::string::npos) << out;

  child_process bad_mac({USP_AGENT_BIN, "--mac", "nope", "--state-dir", dir.file("state")}, dir.file("mac.log"));
  EXPECT_EQ(bad_mac.wait(std::chrono::seconds(10)), 2);
  EXPECT_NE(bad_mac.output().find("is not a MAC address"), std::string::npos);
}

}  // namespace
}  // namespace usp::test

// usp-ctl --mqtt against a real usp-agent over mosquitto: every verb, human
// and JSON output, and the exit codes (0 ok, 1 agent error, 2 usage or
// connection, 3 timeout).
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "ctl_fixture.hpp"

namespace usp::test {
namespace {

class CtlMqtt : public ::testing::TestWithParam<mqtt_version> {
 protected:
  void SetUp() override {
    f_.write_settings();
    f_.start_agent();
  }
  ctl_fixture f_{GetParam()};
};

TEST_P(CtlMqtt, GetPrintsOneLinePerParameter) {
  auto r = f_.run_mqtt({"get", "Device.DeviceInfo.SerialNumber", "Device.DeviceInfo.Manufacturer"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Device.DeviceInfo.SerialNumber  " + std::string(ctl_agent_mac) + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Device.DeviceInfo.Manufacturer"), std::string::npos) << r.out;
}

TEST_P(CtlMqtt, JsonIsOneDocumentWithTheParams) {
  auto r = f_.run_mqtt({"--json", "get", "Device.DeviceInfo.SerialNumber"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  google::protobuf::Struct doc;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &doc).ok()) << r.out;
  EXPECT_EQ(doc.fields().at("agent").string_value(), ctl_agent_eid);
  EXPECT_TRUE(doc.fields().at("ok").bool_value());
  EXPECT_EQ(doc.fields().at("params").struct_value().fields().at("Device.DeviceInfo.SerialNumber").string_value(),
            ctl_agent_mac);
  EXPECT_TRUE(doc.fields().at("msg").struct_value().fields().count("body"));
}

TEST_P(CtlMqtt, SetIsReadBack) {
  auto r = f_.run_mqtt({"set", "Device.X_000413_UI.RingTone=Ringer4", "Device.DeviceInfo.FriendlyName=desk"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Device.X_000413_UI.RingTone"), std::string::npos) << r.out;
  r = f_.run_mqtt({"get", "Device.X_000413_UI.RingTone", "Device.DeviceInfo.FriendlyName"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Device.X_000413_UI.RingTone     Ringer4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Device.DeviceInfo.FriendlyName  desk"), std::string::npos) << r.out;
}

TEST_P(CtlMqtt, AnAgentErrorExitsOne) {
  auto r = f_.run_mqtt({"get", "Device.NoSuchObject."});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("error 7"), std::string::npos) << r.out;
  r = f_.run_mqtt({"set", "Device.DeviceInfo.SerialNumber=x"});  // read-only
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  r = f_.run_mqtt({"--json", "delete", "Device.LocalAgent.Controller.1."});  // the vendor's, fixed
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("\"ok\":false"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("7024"), std::string::npos) << r.out;
}

TEST_P(CtlMqtt, AddInstancesDelete) {
  auto r = f_.run_mqtt({"add", "Device.LocalAgent.Subscription.", "ID=ctl-sub", "NotifType=ValueChange",
                        "ReferenceList=Device.X_000413_UI.RingTone"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto created = r.out.substr(0, r.out.find(' '));
  EXPECT_EQ(created.rfind("Device.LocalAgent.Subscription.", 0), 0U) << r.out;
  EXPECT_NE(r.out.find("created"), std::string::npos);
  r = f_.run_mqtt({"instances", "Device.LocalAgent.Subscription."});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(created), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ID=ctl-sub"), std::string::npos) << r.out;
  r = f_.run_mqtt({"delete", created});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(created + "  deleted"), std::string::npos) << r.out;
  r = f_.run_mqtt({"instances", "Device.LocalAgent.Subscription."});
  EXPECT_EQ(r.out.find("ID=ctl-sub"), std::string::npos) << r.out;
}

TEST_P(CtlMqtt, SupportedProtocolAndDataModel) {
  auto r = f_.run_mqtt({"supported-protocol"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1.4"), std::string::npos) << r.out;
  r = f_.run_mqtt({"supported-dm", "--first-level", "Device.DeviceInfo."});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Device.DeviceInfo.  "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  SerialNumber  "), std::string::npos) << r.out;
}

TEST_P(CtlMqtt, WatchPrintsNotificationsAsTheyCome) {
  auto r = f_.run_mqtt({"add", "Device.LocalAgent.Subscription.", "ID=watch-vc", "NotifType=ValueChange",
                        "ReferenceList=Device.X_000413_UI.RingTone", "Enable=true", "NotifRetry=true"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  ctl_process watch(f_.mqtt_args({"watch", "--count", "1"}), f_.dir.path(), "watch");
  ASSERT_TRUE(watch.stderr_shows("watching")) << watch.err();
  r = f_.run_mqtt({"set", "Device.X_000413_UI.RingTone=Ringer7"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto w = watch.finish();
  EXPECT_EQ(w.code, 0) << w.out << w.err;
  EXPECT_NE(w.out.find(std::string(ctl_agent_eid) + "  ValueChange  Device.X_000413_UI.RingTone = Ringer7  [watch-vc]"),
            std::string::npos)
      << w.out;
}

TEST_P(CtlMqtt, OperateWaitSeesTheBootAfterAReboot) {
  auto r = f_.run_mqtt({"operate", "Device.Reboot()", "--wait", "--command-key", "ctl-reboot"});
  ASSERT_EQ(r.code, 0) << r.out << r.err << f_.agent.output();
  EXPECT_NE(r.out.find("Device.Boot!"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CommandKey=ctl-reboot"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Cause=RemoteReboot"), std::string::npos) << r.out;
}

TEST_P(CtlMqtt, NoAnswerExitsThree) {
  auto a = f_.mqtt_args({"--timeout", "1", "get", "Device."});
  std::replace(a.begin(), a.end(), std::string(ctl_agent_eid), std::string("os::000413-0004130DEAD0"));
  auto r = f_.run(a);
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Versions, CtlMqtt, ::testing::Values(mqtt_version::v5, mqtt_version::v3_1_1),
                         [](const auto& i) { return i.param == mqtt_version::v5 ? "v5" : "v311"; });

TEST(CtlMqttE2E, RequestsTravelInASessionContext) {
  ctl_fixture f;
  f.write_settings("tr369_controller_e2emode2!: Allow\n");
  f.start_agent();
  auto r = f.run_mqtt({"--e2e", "get", "Device.LocalAgent.Controller.2.E2ESession.Status"});
  ASSERT_EQ(r.code, 0) << r.out << r.err << f.agent.output();
  EXPECT_NE(r.out.find("Device.LocalAgent.Controller.2.E2ESession.Status  Up"), std::string::npos) << r.out;
}

TEST(CtlErrors, UsageAndUnreachableExitTwo) {
  ctl_fixture f;
  auto r = f.run({"get", "Device."});  // no way to reach anyone
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  r = f.run({"--mqtt", "127.0.0.1:" + std::to_string(f.broker.port()), "--topic", ctl_topic, "get", "Device."});
  EXPECT_EQ(r.code, 2) << "no --to";
  r = f.run({"--mqtt", "127.0.0.1:" + std::to_string(f.broker.port()), "--topic", ctl_topic, "--to", ctl_agent_eid,
             "set", "Device.X"});
  EXPECT_EQ(r.code, 2) << "not PATH=VALUE";
  const auto closed = std::to_string(pick_free_port());
  r = f.run({"--mqtt", "127.0.0.1:" + closed, "--topic", ctl_topic, "--to", ctl_agent_eid, "get", "Device."});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
  r = f.run({"--ws-connect", "ws://127.0.0.1:" + closed + "/usp", "get", "Device."});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
}

}  // namespace
}  // namespace usp::test

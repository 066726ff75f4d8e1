// usp-ctl on WebSocket against a real usp-agent: --ws-listen with the phone
// dialling in (R-WS.5), --ws-connect to the phone's own server (R-WS.6).
#include "ctl_fixture.hpp"

namespace usp::test {
namespace {

TEST(CtlWs, ListenTakesThePhoneThatDialsIn) {
  ctl_fixture f;
  ctl_process ctl({"--ws-listen", "127.0.0.1:0", "--eid", ctl_eid, "--timeout", "20", "get",
                   "Device.DeviceInfo.SerialNumber", "Device.LocalAgent.Controller.2.MTP.1.Protocol"},
                  f.dir.path(), "listen");
  ASSERT_TRUE(ctl.stderr_shows("listening on ws://")) << ctl.err();
  const auto port = ctl_fixture::port_after(ctl.err(), "listening on ws://");
  ASSERT_NE(port, 0) << ctl.err();
  f.write_settings("tr369_mtp_protocol2!: websocket\ntr369_websocket_uri2!: ws://127.0.0.1:" + std::to_string(port) +
                   "/usp\n");
  f.start_agent({}, false);
  auto r = ctl.finish();
  ASSERT_EQ(r.code, 0) << r.out << r.err << f.agent.output();
  EXPECT_NE(r.out.find("Device.DeviceInfo.SerialNumber                 " + std::string(ctl_agent_mac)), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("WebSocket"), std::string::npos) << r.out;
}

TEST(CtlWs, ConnectLearnsThePhoneFromItsConnectRecord) {
  ctl_fixture f;
  f.write_settings();
  f.start_agent({"--ws-listen", "127.0.0.1:0"});
  const auto port = ctl_fixture::port_after(f.agent.output(), "WebSocket server on ");
  ASSERT_NE(port, 0) << f.agent.output();
  const auto url = "ws://127.0.0.1:" + std::to_string(port) + "/usp";
  // No --to: the agent's WebSocketConnect Record names it (R-MTP.6).
  auto r = f.run({"--ws-connect", url, "--eid", ctl_eid, "--json", "get", "Device.DeviceInfo.SerialNumber"});
  ASSERT_EQ(r.code, 0) << r.out << r.err << f.agent.output();
  EXPECT_NE(r.out.find(std::string("\"agent\":\"") + ctl_agent_eid + "\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(std::string("\"Device.DeviceInfo.SerialNumber\":\"") + ctl_agent_mac + "\""), std::string::npos)
      << r.out;
  // A controller the phone does not know is refused at the upgrade (R-WS.6):
  // a connection error.
  r = f.run({"--ws-connect", url, "--eid", "self::stranger", "get", "Device."});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("HTTP 403"), std::string::npos) << r.err;
}

TEST(CtlWs, E2EOnTheWebSocketToo) {
  ctl_fixture f;
  f.write_settings("tr369_controller_e2emode2!: Allow\n");
  f.start_agent({"--ws-listen", "127.0.0.1:0"});
  const auto port = ctl_fixture::port_after(f.agent.output(), "WebSocket server on ");
  ASSERT_NE(port, 0) << f.agent.output();
  auto r = f.run({"--ws-connect", "ws://127.0.0.1:" + std::to_string(port) + "/usp", "--eid", ctl_eid, "--to",
                  ctl_agent_eid, "--e2e", "get", "Device.LocalAgent.Controller.2.E2ESession.Status"});
  ASSERT_EQ(r.code, 0) << r.out << r.err << f.agent.output();
  EXPECT_NE(r.out.find("Device.LocalAgent.Controller.2.E2ESession.Status  Up"), std::string::npos) << r.out;
}

TEST(CtlWs, ListenWithoutAPhoneTimesOut) {
  ctl_fixture f;
  auto r = f.run({"--ws-listen", "127.0.0.1:0", "--eid", ctl_eid, "--timeout", "1", "get", "Device."});
  EXPECT_EQ(r.code, 3) << r.out << r.err;
}

}  // namespace
}  // namespace usp::test

// usp-agent's WebSocket MTP: dialing a controller's server (R-WS.5), its
// own server (R-WS.6), and switching MTP at run time.
#include <regex>

#include <boost/asio/steady_timer.hpp>

#include "agent_fixture.hpp"
#include "usp/err_code.hpp"
#include "usp_test/test_ca.hpp"
#include "usp_test/wait.hpp"
#include "ws_controller.hpp"

namespace usp::test {
namespace {

class AgentWs : public ::testing::Test {
 protected:
  AgentWs() : f_(mqtt_version::v5) {
    ctl::ws_controller_options o;
    o.endpoint_id = controller_eid;
    ws_ = std::make_unique<ctl::ws_controller>(f_.io.get_executor(), o);
    ws_->on_record = [this](const ctl::received_record& r) { got_.push_back(r); };
  }

  std::string ws_settings(std::uint16_t port) {
    return "tr369_mtp_protocol2!: websocket\ntr369_websocket_uri2!: ws://127.0.0.1:" + std::to_string(port) + "/usp\n";
  }

  // The next Record on WebSocket matching `pred`.
  std::optional<ctl::received_record> next(const std::function<bool(const ctl::received_record&)>& pred,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    std::optional<ctl::received_record> found;
    run_until(f_.io, [&] {
      for (std::size_t i = seen_; i < got_.size(); ++i) {
        if (pred(got_[i])) {
          found = got_[i];
          seen_ = i + 1;
          return true;
        }
      }
      return false;
    }, timeout);
    if (!found) ADD_FAILURE() << "no matching Record on WebSocket; agent log:\n" << f_.agent_log();
    return found;
  }

  std::optional<usp::Msg> ws_request(const usp::Msg& req) {
    if (!ws_->send(agent_eid, req)) return std::nullopt;
    const auto id = req.header().msg_id();
    auto r = next([&](const ctl::received_record& rec) { return rec.msg && rec.msg->header().msg_id() == id; });
    return r ? r->msg : std::nullopt;
  }

  agent_fixture f_;
  std::unique_ptr<ctl::ws_controller> ws_;
  std::vector<ctl::received_record> got_;
  std::size_t seen_ = 0;
};

TEST_F(AgentWs, DialsTheControllerWithConnectRecordFirstThenBoot) {
  ws_->listen("127.0.0.1", 0);
  f_.write_settings(ws_settings(ws_->port()));
  f_.start_agent();
  auto first = next([](const ctl::received_record&) { return true; });
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->record.has_websocket_connect());  // R-MTP.6
  EXPECT_TRUE(ws_->connected(agent_eid));              // named by ?eid= (R-WS.10b)
  ASSERT_TRUE(next(agent_fixture::is_boot));
  auto get = ws_request(get_msg({"Device.LocalAgent.Controller.2.MTP.1."}));
  ASSERT_TRUE(get);
  EXPECT_EQ(value_in(*get, "Device.LocalAgent.Controller.2.MTP.1.", "Protocol"), "WebSocket");
  EXPECT_EQ(value_in(*get, "Device.LocalAgent.Controller.2.MTP.1.WebSocket.", "Port"), std::to_string(ws_->port()));
  EXPECT_EQ(value_in(*get, "Device.LocalAgent.Controller.2.MTP.1.WebSocket.", "CurrentRetryCount"), "0");
}

TEST_F(AgentWs, DialsAControllerOverTlsAndChecksItsCertificate) {
  // wss:// (R-MTP.1 TLS, the certificate checked against --ca-file and the
  // URI's host name). A controller whose certificate another CA signed is
  // refused: the agent never opens a session to it.
  test_ca ca(f_.dir.path(), "ctrl-ca");
  const auto cert = ca.issue("localhost", {"DNS:localhost"}, "controller");
  ws_->listen("127.0.0.1", 0, tls_options{"", cert.cert_file, cert.key_file, false});
  f_.write_settings("tr369_mtp_protocol2!: websocket\ntr369_websocket_uri2!: wss://localhost:" +
                    std::to_string(ws_->port()) + "/usp\n");
  f_.start_agent({"--ca-file", ca.ca_file()});
  auto first = next([](const ctl::received_record&) { return true; });
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->record.has_websocket_connect());
  ASSERT_TRUE(next(agent_fixture::is_boot));
  auto get = ws_request(get_msg({"Device.LocalAgent.Controller.2.MTP.1.WebSocket.EnableEncryption"}));
  ASSERT_TRUE(get);
  EXPECT_EQ(value_in(*get, "Device.LocalAgent.Controller.2.MTP.1.WebSocket.", "EnableEncryption"), "true");
}

TEST_F(AgentWs, RefusesAControllerCertificateFromAnotherCa) {
  test_ca ours(f_.dir.path(), "ours");
  test_ca theirs(f_.dir.path(), "theirs");
  const auto cert = theirs.issue("localhost", {"DNS:localhost"}, "impostor");
  std::size_t opened = 0;
  ws_->on_session_open = [&](const std::string&) { ++opened; };
  ws_->listen("127.0.0.1", 0, tls_options{"", cert.cert_file, cert.key_file, false});
  f_.write_settings("tr369_mtp_protocol2!: websocket\ntr369_websocket_uri2!: wss://localhost:" +
                    std::to_string(ws_->port()) + "/usp\n");
  f_.start_agent({"--ca-file", ours.ca_file()});
  // The agent tries, fails the handshake, and says so; no session opens.
  // (Our loop must run meanwhile: it serves the controller's side of the
  // handshake; the agent's log is re-read every 20 ms.)
  boost::asio::steady_timer tick(f_.io);
  std::function<void()> arm = [&] {
    tick.expires_after(std::chrono::milliseconds(20));
    tick.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) arm();
    });
  };
  arm();
  const bool said = run_until(f_.io, [&] { return f_.agent_log().find("certificate verify failed") != std::string::npos; },
                              std::chrono::seconds(15));
  tick.cancel();
  f_.io.restart();
  f_.io.poll();  // a tick that already fired runs now, while `arm` still lives
  ASSERT_TRUE(said) << f_.agent_log();
  EXPECT_EQ(opened, 0U);
}

TEST_F(AgentWs, RetriesUntilTheControllerListensAndResetsTheCount) {
  const auto port = pick_free_port();
  f_.write_settings(ws_settings(port));
  f_.start_agent();
  // R-WS.19: the phone keeps trying on its windows (1 s fixed here).
  ASSERT_TRUE(wait_for_text(f_.agent.log_path(), "WebSocket retry 2", std::chrono::seconds(10))) << f_.agent_log();
  ws_->listen("127.0.0.1", port);
  ASSERT_TRUE(next([](const ctl::received_record& r) { return r.record.has_websocket_connect(); }));
  ASSERT_TRUE(next(agent_fixture::is_boot));
  auto get = ws_request(get_msg({"Device.LocalAgent.Controller.2.MTP.1.WebSocket.CurrentRetryCount"}));
  ASSERT_TRUE(get);
  EXPECT_EQ(value_in(*get, "Device.LocalAgent.Controller.2.MTP.1.WebSocket.", "CurrentRetryCount"), "0");  // R-WS.20
}

TEST_F(AgentWs, SwitchesFromMqttToWebSocketAtRunTime) {
  ws_->listen("127.0.0.1", 0);
  f_.write_settings();
  f_.start_agent();
  ASSERT_TRUE(f_.wait_boot());
  const std::string mtp = "Device.LocalAgent.Controller.2.MTP.1.";
  auto set = f_.request(set_msg(mtp + "WebSocket.", {{"Host", "127.0.0.1"}}));
  ASSERT_TRUE(set && set->body().has_response()) << (set ? set->DebugString() : "no answer");
  set = f_.request(set_msg(mtp + "WebSocket.", {{"Port", std::to_string(ws_->port())}, {"Path", "/usp"},
                                                {"EnableEncryption", "false"}}));
  ASSERT_TRUE(set && set->body().has_response()) << (set ? set->DebugString() : "no answer");
  set = f_.request(set_msg(mtp, {{"Protocol", "WebSocket"}}));
  ASSERT_TRUE(set && set->body().has_response()) << (set ? set->DebugString() : "no answer");
  // The MQTT MTP says goodbye (R-MTP.7) and the phone dials the WebSocket.
  ASSERT_TRUE(f_.wait_for([](const ctl::received_record& r) { return r.record.has_disconnect(); }));
  ASSERT_TRUE(next([](const ctl::received_record& r) { return r.record.has_websocket_connect(); }));
  auto get = ws_request(get_msg({"Device.DeviceInfo.SerialNumber"}));
  ASSERT_TRUE(get);
  EXPECT_EQ(value_in(*get, "Device.DeviceInfo.", "SerialNumber"), agent_mac);
}

std::uint16_t server_port_from_log(const std::string& log) {
  std::smatch m;
  static const std::regex re(R"(WebSocket server on [^:]+:(\d+)/usp)");
  return std::regex_search(log, m, re) ? static_cast<std::uint16_t>(std::stoi(m[1])) : 0;
}

TEST_F(AgentWs, OwnServerAcceptsItsControllersOnlyAndOneSessionEach) {
  f_.write_settings();
  f_.start_agent({"--ws-listen", "127.0.0.1:0"});
  ASSERT_TRUE(wait_for_text(f_.agent.log_path(), "WebSocket server on", std::chrono::seconds(10)));
  const auto port = server_port_from_log(f_.agent_log());
  ASSERT_NE(port, 0);
  const auto url = "ws://127.0.0.1:" + std::to_string(port) + "/usp";

  ws_->connect(url, agent_eid);
  ASSERT_TRUE(next([](const ctl::received_record& r) { return r.record.has_websocket_connect(); }));
  // The agent answers on the session the request came on.
  auto get = ws_request(get_msg({"Device.LocalAgent.SupportedProtocols"}));
  ASSERT_TRUE(get);
  EXPECT_EQ(value_in(*get, "Device.LocalAgent.", "SupportedProtocols"), "MQTT,WebSocket");

  // R-WS.4: a second session from the same controller is refused.
  ctl::ws_controller second(f_.io.get_executor(), {controller_eid, true, {}});
  std::optional<mtp::ws_close_info> refused;
  second.on_session_close = [&](const std::string&, const mtp::ws_close_info& i) { refused = i; };
  second.connect(url, agent_eid);
  ASSERT_TRUE(run_until(f_.io, [&] { return refused.has_value(); }));
  EXPECT_EQ(refused->http_status, 409u);

  // Controllers the phone does not know are refused.
  ctl::ws_controller stranger(f_.io.get_executor(), {"self::stranger", true, {}});
  std::optional<mtp::ws_close_info> denied;
  stranger.on_session_close = [&](const std::string&, const mtp::ws_close_info& i) { denied = i; };
  stranger.connect(url, agent_eid);
  ASSERT_TRUE(run_until(f_.io, [&] { return denied.has_value(); }));
  EXPECT_EQ(denied->http_status, 403u);
  EXPECT_TRUE(ws_->connected(agent_eid));
}

}  // namespace
}  // namespace usp::test

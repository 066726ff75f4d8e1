// usp-gateway end to end: real mosquitto + mosquitto_usp.so, the gateway
// process, usp-agent phones on MQTT 5 and 3.1.1, and a scripted WebSocket
// controller.
#include <set>

#include "gateway_fixture.hpp"
#include "plugin_fixture.hpp"
#include "usp/partition.hpp"
#include "usp/record.hpp"
#include "usp_test/wait.hpp"

namespace usp::test {
namespace {

using ctl::get_msg;
using ctl::operate_msg;
using ctl::set_msg;
using ctl::value_in;

std::string dial_yaml(std::uint16_t port) {
  return "      mode: dial\n"
         "      url: ws://127.0.0.1:" + std::to_string(port) + "/usp\n"
         "      keepalive_s: 30\n"
         "      retry_min_wait_s: 1\n"
         "      retry_multiplier: 1000\n"
         "      retry_max_wait_s: 2\n";
}

bool is_connect(const ctl::received_record& r) { return r.record.has_websocket_connect(); }

class GatewayDial : public ::testing::TestWithParam<mqtt_version> {
 protected:
  void SetUp() override {
    f_.controller_listens();
    ASSERT_TRUE(f_.start_gateway(dial_yaml(f_.controller->port())));
  }
  gateway_fixture f_;
};

TEST_P(GatewayDial, PhonesReachTheControllerAndAnswerIt) {
  const std::string mac = "000413A00001";
  const auto eid = eid_of(mac);
  f_.start_agent(mac, GetParam());
  // The agent's MQTTConnectRecord becomes a WebSocket session in its name
  // with a WebSocketConnectRecord first (R-MTP.6), then Boot!.
  auto connect = f_.wait_for(eid, is_connect);
  ASSERT_TRUE(connect);
  EXPECT_EQ(connect->record.to_id(), gw_controller_eid);
  EXPECT_TRUE(f_.controller->connected(eid)) << "the session is named by ?eid= (R-WS.10b)";
  ASSERT_TRUE(f_.wait_boot(eid));

  // Round trips: the gateway learned where the phone listens (and how it
  // takes a reply-to, 5.0 or 3.1.1).
  auto get = f_.request(eid, get_msg({"Device.DeviceInfo.SerialNumber"}));
  ASSERT_TRUE(get);
  EXPECT_EQ(value_in(*get, "Device.DeviceInfo.", "SerialNumber"), mac);
  auto set = f_.request(eid, set_msg("Device.X_000413_UI.", {{"Language", "Deutsch"}}));
  ASSERT_TRUE(set && set->body().response().has_set_resp()) << (set ? set->DebugString() : "");
  get = f_.request(eid, get_msg({"Device.X_000413_UI.Language"}));
  ASSERT_TRUE(get);
  EXPECT_EQ(value_in(*get, "Device.X_000413_UI.", "Language"), "Deutsch");

  // A reboot: the phone's new MQTTConnectRecord is translated again on the
  // open session (R-MTP.8), then its Boot! with the command key.
  auto op = f_.request(eid, operate_msg("Device.Reboot()", "via-gateway"));
  ASSERT_TRUE(op && op->body().response().has_operate_resp()) << (op ? op->DebugString() : "");
  ASSERT_TRUE(f_.wait_for(eid, is_connect));
  auto boot = f_.wait_boot(eid);
  ASSERT_TRUE(boot);
  EXPECT_EQ(boot->msg->body().request().notify().event().params().at("CommandKey"), "via-gateway");

  EXPECT_EQ(f_.metric("usp_gateway_sessions_open"), 1);
  EXPECT_GE(f_.metric("usp_gateway_records_total{direction=\"to_agent\"}"), 4);
  // /sessions is built when asked: the open session is in it at once.
  const auto sessions = f_.http_get("/sessions");
  EXPECT_NE(sessions.find("\"agent\":\"" + eid + "\""), std::string::npos) << sessions;
}

TEST(GatewayThreads, SessionsListsThePairsOfEveryShard) {
  // Three threads: phones land on shards by the hash of their endpoint id,
  // and /sessions gathers every shard's pairs into one array.
  gateway_fixture f;
  f.controller_listens();
  ASSERT_TRUE(f.start_gateway(dial_yaml(f.controller->port()), "threads: 3\n")) << f.logs();
  std::vector<std::string> macs;
  for (int i = 0; i < 6; ++i) {
    char mac[32];
    std::snprintf(mac, sizeof mac, "000413D%05X", i);
    macs.push_back(mac);
    f.start_agent(mac, mqtt_version::v5);
  }
  for (const auto& mac : macs) ASSERT_TRUE(f.wait_boot(eid_of(mac))) << mac;
  const auto sessions = f.http_get("/sessions");
  ASSERT_FALSE(sessions.empty());
  EXPECT_EQ(sessions.front(), '[') << sessions;
  EXPECT_NE(sessions.find("]"), std::string::npos) << sessions;
  EXPECT_EQ(sessions.find(",,"), std::string::npos) << sessions;
  for (const auto& mac : macs) {
    EXPECT_NE(sessions.find("\"agent\":\"" + eid_of(mac) + "\""), std::string::npos) << mac << " " << sessions;
  }
}

TEST_P(GatewayDial, RecordsWaitWhileTheControllerIsAwayAndArriveAfterwards) {
  const std::string mac = "000413A00002";
  const auto eid = eid_of(mac);
  f_.start_agent(mac, GetParam());
  ASSERT_TRUE(f_.wait_boot(eid));
  f_.controller->stop();
  ASSERT_TRUE(f_.poll_until([&] { return f_.metric("usp_gateway_sessions_open") == 0; }));
  // The phone restarts while the controller is away: its Boot! waits in the
  // gateway's queue.
  ASSERT_EQ(f_.stop_agent(mac), 0);
  f_.start_agent(mac, GetParam());
  ASSERT_TRUE(f_.poll_until([&] { return f_.metric("usp_gateway_queued_records") >= 1; }, std::chrono::seconds(15)))
      << f_.logs();
  // The controller comes back (at a new address, which SIGHUP tells the
  // gateway: its old port may meanwhile serve as someone's ephemeral port);
  // the gateway redials (R-WS.19) and delivers: Connect Record first, then
  // what waited -- the queue survives the reload.
  f_.controller_listens();
  ASSERT_TRUE(f_.reload_gateway(dial_yaml(f_.controller->port()))) << f_.logs();
  auto first = f_.wait_for(eid, [](const ctl::received_record&) { return true; });
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->record.has_websocket_connect());
  ASSERT_TRUE(f_.wait_boot(eid));
  EXPECT_EQ(f_.metric("usp_gateway_queued_records"), 0);
  EXPECT_EQ(f_.metric("usp_gateway_dropped_total{reason=\"queue_expired\"}"), 0);
}

TEST_P(GatewayDial, APhoneThatGoesAwayLosesItsSessionAfterTheGracePeriod) {
  const std::string mac = "000413A00003";
  const auto eid = eid_of(mac);
  std::optional<mtp::ws_close_info> closed;
  f_.controller->on_session_close = [&](const std::string& agent, const mtp::ws_close_info& i) {
    if (agent == eid) closed = i;
  };
  f_.start_agent(mac, GetParam());
  ASSERT_TRUE(f_.wait_boot(eid));
  f_.kill_agent(mac);  // abrupt: the plugin's presence says offline
  ASSERT_TRUE(run_until(f_.io, [&] { return closed.has_value(); }, std::chrono::seconds(15))) << f_.logs();
  EXPECT_TRUE(closed->was_open);
  EXPECT_FALSE(f_.controller->connected(eid));
}

TEST_P(GatewayDial, BadInputIsDroppedAndCountedWhileOthersAreServed) {
  const auto a = eid_of("000413A00004");
  const auto b = eid_of("000413A00005");
  f_.start_agent("000413A00004", GetParam());
  f_.start_agent("000413A00005", GetParam());
  ASSERT_TRUE(f_.wait_boot(a));
  ASSERT_TRUE(f_.wait_boot(b));
  // A Record for B on A's session: dropped, counted (TR-369 MTP Proxy: the
  // session serves one agent).
  auto wrong = get_msg({"Device.DeviceInfo."});
  ASSERT_TRUE(f_.controller->send_raw(a, make_no_session_record(gw_controller_eid, b, wrong)));
  // A Record that claims another sender.
  ASSERT_TRUE(f_.controller->send_raw(a, make_no_session_record("self::mallory", a, wrong)));
  ASSERT_TRUE(f_.poll_until([&] {
    return f_.metric("usp_gateway_dropped_total{reason=\"wrong_to_id\"}") == 1 &&
           f_.metric("usp_gateway_dropped_total{reason=\"wrong_from_id\"}") == 1;
  }));
  // Garbage: the gateway closes that session with 1003 (R-WS.16) ...
  std::optional<mtp::ws_close_info> closed;
  f_.controller->on_session_close = [&](const std::string& agent, const mtp::ws_close_info& i) {
    if (agent == a) closed = i;
  };
  ASSERT_TRUE(f_.controller->send_raw(a, std::string("\x0a\xff\xff garbage", 11)));
  ASSERT_TRUE(run_until(f_.io, [&] { return closed.has_value(); }));
  EXPECT_EQ(closed->code, 1003);
  // ... keeps serving B, and dials A again.
  auto get = f_.request(b, get_msg({"Device.DeviceInfo.SerialNumber"}));
  ASSERT_TRUE(get);
  EXPECT_EQ(value_in(*get, "Device.DeviceInfo.", "SerialNumber"), "000413A00005");
  ASSERT_TRUE(run_until(f_.io, [&] { return f_.controller->connected(a); }, std::chrono::seconds(15)));
  get = f_.request(a, get_msg({"Device.DeviceInfo.SerialNumber"}));
  ASSERT_TRUE(get);
}

INSTANTIATE_TEST_SUITE_P(Versions, GatewayDial, ::testing::Values(mqtt_version::v5, mqtt_version::v3_1_1),
                         version_name);

TEST(GatewayListen, ControllersDialPhonesThroughTheGateway) {
  gateway_fixture f;
  ASSERT_TRUE(f.start_gateway("      mode: listen\n", "listen: {address: 127.0.0.1, port: 0, path_prefix: /usp/}\n"));
  const std::string mac = "000413B00001";
  const auto eid = eid_of(mac);
  f.start_agent(mac, mqtt_version::v5);
  // The phone's Boot! waits for the controller.
  ASSERT_TRUE(f.poll_until([&] { return f.metric("usp_gateway_queued_records") >= 1; }, std::chrono::seconds(15)))
      << f.logs();
  f.controller = std::make_unique<ctl::ws_controller>(f.io.get_executor(), ctl::ws_controller_options{gw_controller_eid, true, {}});
  f.controller->on_record = [&](const ctl::received_record& r) { f.inbox.push_back(r); };
  std::map<std::string, mtp::ws_close_info> refused;
  f.controller->on_session_close = [&](const std::string& agent, const mtp::ws_close_info& i) { refused[agent] = i; };
  const auto base = "ws://127.0.0.1:" + std::to_string(f.gateways["gw"].listen_port) + "/usp/";
  f.controller->connect(base + eid, eid);
  auto first = f.wait_for(eid, [](const ctl::received_record&) { return true; });
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->record.has_websocket_connect()) << "R-MTP.6 on the gateway's side too";
  ASSERT_TRUE(f.wait_boot(eid));
  auto get = f.request(eid, get_msg({"Device.DeviceInfo.SerialNumber"}));
  ASSERT_TRUE(get);
  EXPECT_EQ(value_in(*get, "Device.DeviceInfo.", "SerialNumber"), mac);
  // Unknown agents are refused; so is a second session for the same pair (R-WS.4).
  f.controller->connect(base + eid_of("000413FFFFFF"), eid_of("000413FFFFFF"));
  ASSERT_TRUE(run_until(f.io, [&] { return refused.count(eid_of("000413FFFFFF")) > 0; }));
  EXPECT_EQ(refused[eid_of("000413FFFFFF")].http_status, 404U);
  ctl::ws_controller second(f.io.get_executor(), {gw_controller_eid, true, {}});
  std::optional<mtp::ws_close_info> dup;
  second.on_session_close = [&](const std::string&, const mtp::ws_close_info& i) { dup = i; };
  second.connect(base + eid, eid);
  ASSERT_TRUE(run_until(f.io, [&] { return dup.has_value(); }));
  EXPECT_EQ(dup->http_status, 409U);
  EXPECT_TRUE(f.controller->connected(eid));
}

TEST(GatewayQueues, RecordsThatWaitTooLongAreDroppedAndCountedWithoutFurtherTraffic) {
  // Listen mode and no controller: the phone's Boot! waits. Nothing else
  // happens, yet after the TTL it is gone from the gauge and counted.
  gateway_fixture f;
  f.agents_yaml = "  offline_grace_s: 30\n  queue: {max_records: 16, ttl_s: 1}\n";
  ASSERT_TRUE(f.start_gateway("      mode: listen\n", "listen: {address: 127.0.0.1, port: 0, path_prefix: /usp/}\n"));
  f.start_agent("000413F00001", mqtt_version::v5);
  ASSERT_TRUE(f.poll_until([&] { return f.metric("usp_gateway_queued_records") >= 1; }, std::chrono::seconds(15)))
      << f.logs();
  ASSERT_TRUE(f.poll_until([&] { return f.metric("usp_gateway_queued_records") == 0; })) << f.logs();
  EXPECT_GE(f.metric("usp_gateway_dropped_total{reason=\"queue_expired\"}"), 1);
}

TEST(GatewayMultiplex, OneSocketCarriesEveryPhoneAndFollowsAReload) {
  // One WebSocket from the gateway (as self::usp-gateway) to the controller;
  // Records are routed by to_id / from_id (TR-369 MTP Proxy).
  gateway_fixture f;
  f.controller_listens();
  auto yaml = [](std::uint16_t port) {
    return "      mode: multiplex\n"
           "      url: ws://127.0.0.1:" + std::to_string(port) + "/usp\n"
           "      retry_min_wait_s: 1\n"
           "      retry_multiplier: 1000\n"
           "      retry_max_wait_s: 2\n";
  };
  ASSERT_TRUE(f.start_gateway(yaml(f.controller->port())));
  const std::string link = "self::usp-gateway";
  const std::vector<std::pair<std::string, mqtt_version>> phones = {{"000413E00001", mqtt_version::v5},
                                                                    {"000413E00002", mqtt_version::v3_1_1}};
  for (const auto& [mac, v] : phones) f.start_agent(mac, v);
  auto get_through_link = [&](const std::string& mac) {
    auto req = get_msg({"Device.DeviceInfo.SerialNumber"});
    const auto id = req.header().msg_id();
    if (!f.controller->send_raw(link, make_no_session_record(gw_controller_eid, eid_of(mac), req))) return false;
    auto r = f.wait_for(eid_of(mac), [&](const ctl::received_record& rec) {
      return rec.msg && rec.msg->header().msg_id() == id;
    });
    return r && value_in(*r->msg, "Device.DeviceInfo.", "SerialNumber") == mac;
  };
  for (const auto& [mac, v] : phones) {
    ASSERT_TRUE(f.wait_boot(eid_of(mac))) << mac;
    EXPECT_TRUE(get_through_link(mac)) << mac;
  }
  EXPECT_EQ(f.controller->sessions(), 1U);
  EXPECT_TRUE(f.controller->connected(link));
  // The controller moves; SIGHUP points the link at its new address.
  f.controller_listens();
  ASSERT_TRUE(f.reload_gateway(yaml(f.controller->port()))) << f.logs();
  ASSERT_TRUE(run_until(f.io, [&] { return f.controller->connected(link); }, std::chrono::seconds(15))) << f.logs();
  for (const auto& [mac, v] : phones) EXPECT_TRUE(get_through_link(mac)) << mac;
}

TEST(GatewayPartitions, TwoGatewaysShareThePhonesWithoutOverlap) {
  // The broker copies controller-bound Records to usp/part/<k>/... by the
  // hash of from_id; each gateway takes one partition.
  gateway_fixture f({"plugin_opt_partitions 2"});
  f.controller_listens();
  const auto ws = dial_yaml(f.controller->port());
  ASSERT_TRUE(f.start_gateway(ws, "", "gw0", "  partition: 0/2\n"));
  ASSERT_TRUE(f.start_gateway(ws, "", "gw1", "  partition: 1/2\n"));
  // Two phones in each partition.
  std::vector<std::string> macs;
  std::map<std::uint32_t, int> per_partition;
  for (int i = 0; macs.size() < 4; ++i) {
    char mac[32];
    std::snprintf(mac, sizeof mac, "000413C%05X", i);
    const auto k = partition_of(eid_of(mac), 2);
    if (per_partition[k] < 2) {
      ++per_partition[k];
      macs.push_back(mac);
    }
  }
  for (const auto& mac : macs) f.start_agent(mac, mqtt_version::v5);
  for (const auto& mac : macs) {
    ASSERT_TRUE(f.wait_boot(eid_of(mac))) << mac;
    auto get = f.request(eid_of(mac), get_msg({"Device.DeviceInfo.SerialNumber"}));
    ASSERT_TRUE(get);
    EXPECT_EQ(value_in(*get, "Device.DeviceInfo.", "SerialNumber"), mac);
  }
  // Exactly one session per phone, two per gateway (R-WS.4 across instances).
  EXPECT_EQ(f.controller->sessions(), 4U);
  EXPECT_EQ(f.metric("usp_gateway_sessions_open", "gw0"), 2);
  EXPECT_EQ(f.metric("usp_gateway_sessions_open", "gw1"), 2);
  EXPECT_EQ(f.metric("usp_gateway_connect_records_total", "gw0") + f.metric("usp_gateway_connect_records_total", "gw1"),
            4);
}

}  // namespace
}  // namespace usp::test

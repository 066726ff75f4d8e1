// The bad-input matrix (issue 9, docs/RELIABILITY.md): malformed input on
// every edge of the product -- WebSocket into the gateway's listen mode and
// into the agent's own WebSocket server, MQTT into the broker with the plugin,
// configuration files of usp-gateway and usp-agent. Each case expects one
// specific answer (HTTP status, close code, PUBACK reason, counter, exit code
// and message) while a healthy phone keeps answering Gets.
#include <algorithm>
#include <fstream>
#include <functional>
#include <regex>

#include <boost/beast/websocket.hpp>

#include "plugin_fixture.hpp"
#include "raw_mqtt.hpp"
#include "raw_ws.hpp"
#include "reliability.hpp"
#include "usp_test/wait.hpp"

namespace usp::test {
namespace {

using ctl::get_msg;
using ctl::value_in;

const std::string healthy_mac = "000413F10001";
const std::string victim_mac = "000413F10002";
const std::string healthy = eid_of(healthy_mac);
const std::string victim = eid_of(victim_mac);

// A Record whose protobuf ends in the middle of a field.
std::string truncated(std::string r) { return r.substr(0, r.size() / 2); }

// Reads up to `reads` messages from `ws` (skipping Connect Records and
// other non-Msg Records) until one carries a Msg that `wanted` accepts.
bool reads_answer(raw_ws& ws, int reads, const std::function<bool(const usp::Msg&)>& wanted) {
  for (int i = 0; i < reads; ++i) {
    auto r = ws.read();
    if (!r) return false;
    boost::system::error_code ec;
    auto record = decode_record(*r, ec);
    if (!record) return false;
    if (!record->has_no_session_context()) continue;
    auto msg = decode_msg(record->no_session_context().payload(), ec);
    if (msg && wanted(*msg)) return true;
  }
  return false;
}

// The product with a listen-mode controller: the scripted controller holds
// the healthy phone's session; raw clients poke at the victim's.
class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(f_.start_gateway(listen_ws_yaml, listen_section));
    f_.start_agent(healthy_mac, mqtt_version::v5);
    f_.start_agent(victim_mac, mqtt_version::v5);
    // Both phones' Boot!s wait for a controller: the gateway knows them.
    ASSERT_TRUE(f_.poll_until([&] { return f_.metric("usp_gateway_queued_records") >= 2; }, std::chrono::seconds(15)))
        << f_.logs();
    f_.controller = std::make_unique<ctl::ws_controller>(f_.io.get_executor(),
                                                         ctl::ws_controller_options{gw_controller_eid, true, {}});
    f_.controller->on_record = [&](const ctl::received_record& r) { f_.inbox.push_back(r); };
    f_.controller->connect(base() + healthy, healthy);
    ASSERT_TRUE(f_.wait_boot(healthy));
    healthy_get();
  }

  std::string base() const { return "ws://127.0.0.1:" + std::to_string(port()) + "/usp/"; }
  std::uint16_t port() const { return f_.gateways.at("gw").listen_port; }
  static std::string target(const std::string& agent, const std::string& eid = gw_controller_eid) {
    return "/usp/" + agent + "?eid=" + eid;
  }

  // The healthy phone answers through all of it.
  void healthy_get() {
    ++gets_;
    auto get = f_.request(healthy, get_msg({"Device.DeviceInfo.SerialNumber"}));
    ASSERT_TRUE(get) << "the healthy phone stopped answering";
    EXPECT_EQ(value_in(*get, "Device.DeviceInfo.", "SerialNumber"), healthy_mac);
  }

  double drops(const char* reason) {
    return f_.metric(std::string("usp_gateway_dropped_total{reason=\"") + reason + "\"}");
  }

  gateway_fixture f_;
  int gets_ = 0;
};

// ---- WebSocket: the upgrade --------------------------------------------------------

struct upgrade_case {
  const char* name;
  std::function<std::string()> target;
  bool subprotocol;
  unsigned status;
  const char* rule;
};

TEST_F(BadInput, WebSocketUpgradesToTheGatewayAreRefusedWithTheRightStatus) {
  EXPECT_EQ(plain_http_get(port(), target(victim)), 426U) << "not a WebSocket upgrade";
  const std::vector<upgrade_case> cases = {
      {"no v1.usp subprotocol", [] { return target(victim); }, false, 400, "R-WS.12a"},
      {"no ?eid=", [] { return "/usp/" + victim; }, true, 400, "R-WS.10b"},
      {"empty ?eid=", [] { return "/usp/" + victim + "?eid="; }, true, 400, "R-WS.10b"},
      {"eid not a controller served here", [] { return target(victim, "self::mallory"); }, true, 403, "R-SEC.6"},
      {"unknown agent", [] { return target(eid_of("000413FFFFFF")); }, true, 404, "gateway routing"},
      {"path outside the prefix", [] { return "/other/" + victim + "?eid=" + gw_controller_eid; }, true, 404,
       "R-WS.3"},
      {"bad percent-encoding in the agent id", [] { return target("os::000413-%zz"); }, true, 404, "R-WS.10c"},
      {"a second session for an open pair", [] { return target(healthy); }, true, 409, "R-WS.4"},
  };
  const auto refused_before = f_.metric("usp_gateway_upgrades_refused_total");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(upgrade_status(port(), c.target(), c.subprotocol), c.status) << c.rule;
    healthy_get();
  }
  // The 426 is Beast's own answer before the policy runs; the rest are counted.
  EXPECT_EQ(f_.metric("usp_gateway_upgrades_refused_total") - refused_before, cases.size() - 1);
  // And a good upgrade echoes v1.usp (R-WS.11).
  raw_ws ok(port(), target(victim));
  ASSERT_TRUE(ok.open());
  EXPECT_EQ(ok.subprotocol(), "v1.usp");
  EXPECT_EQ(upgrade_status(port(), target(healthy)), 409U) << "still one session per pair";
}

// ---- WebSocket: frames on an open session --------------------------------------------

struct frame_case {
  const char* name;
  std::function<void(raw_ws&)> send;
  std::uint16_t close_code;
  const char* rule;
};

TEST_F(BadInput, WebSocketFramesThatBreakTheBindingCloseTheSession) {
  const auto get = get_msg({"Device.DeviceInfo.SerialNumber"});
  const auto good = make_no_session_record(gw_controller_eid, victim, get);
  const std::vector<frame_case> cases = {
      {"text frame", [](raw_ws& w) { w.send_text("hello"); }, 1003, "R-WS.14"},
      {"text frame, invalid UTF-8", [](raw_ws& w) { w.send_text("\xc3\x28"); }, 1007, "RFC 6455 8.1"},
      {"binary garbage", [](raw_ws& w) { w.send_binary("\x0a\xff\xff garbage"); }, 1003, "R-WS.16"},
      {"truncated Record", [&](raw_ws& w) { w.send_binary(truncated(good)); }, 1003, "R-WS.16"},
      {"empty binary message", [](raw_ws& w) { w.send_binary(""); }, 1003, "R-WS.16"},
      {"Record of a wrong Record version field type",
       [](raw_ws& w) { w.send_binary(std::string("\x09\x01\x02\x03\x04\x05\x06\x07\x08", 9)); }, 1003, "R-WS.16"},
      // The gateway reads (and discards) the rest of the message after its
      // 1009, so the Close is not lost to a reset.
      {"message over agents.max_record_bytes (1 MiB)",
       [](raw_ws& w) { w.send_binary(std::string(1024 * 1024 + 1, '\0')); }, 1009, "RFC 6455 7.4.1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    raw_ws ws(port(), target(victim));
    ASSERT_TRUE(ws.open()) << ws.http_status() << " " << ws.refusal();
    c.send(ws);
    EXPECT_EQ(ws.wait_close(), c.close_code) << c.rule << " " << ws.refusal();
    ASSERT_TRUE(f_.poll_until([&] { return f_.metric("usp_gateway_sessions_open") == 1; })) << f_.logs();
    healthy_get();
  }
  // Each refused message is a drop: the oversize one by its reason, the
  // others as malformed.
  const auto oversize = std::count_if(cases.begin(), cases.end(), [](const frame_case& c) { return c.close_code == 1009; });
  EXPECT_EQ(drops("oversize"), static_cast<double>(oversize)) << f_.logs();
  EXPECT_EQ(drops("malformed"), static_cast<double>(cases.size()) - static_cast<double>(oversize)) << f_.logs();
}

// Well-formed Records that the gateway must not route: dropped and counted,
// the session stays open and keeps working.
TEST_F(BadInput, WebSocketRecordsWithWrongIdsAreDroppedAndCounted) {
  const auto get = get_msg({"Device.DeviceInfo.SerialNumber"});
  raw_ws ws(port(), target(victim));
  ASSERT_TRUE(ws.open());
  struct id_case {
    const char* name;
    std::string record;
    const char* counter;
  };
  const std::vector<id_case> cases = {
      {"to_id of another agent on this agent's session", make_no_session_record(gw_controller_eid, healthy, get),
       "wrong_to_id"},
      {"spoofed from_id", make_no_session_record("self::mallory", victim, get), "wrong_from_id"},
      {"from_id with a /reply-to= inside", make_no_session_record("self::acme/reply-to=usp%2Fx", victim, get),
       "wrong_from_id"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto before = drops(c.counter);
    ASSERT_TRUE(ws.send_binary(c.record));
    ASSERT_TRUE(f_.poll_until([&] { return drops(c.counter) == before + 1; })) << f_.logs();
    healthy_get();
  }
  // A shared session (no agent in the path) takes any to_id; unknown ones are counted.
  raw_ws shared(port(), "/usp/?eid=" + std::string(gw_controller_eid));
  ASSERT_TRUE(shared.open()) << shared.http_status();
  ASSERT_TRUE(shared.send_binary(make_no_session_record(gw_controller_eid, eid_of("000413EEEEEE"), get)));
  ASSERT_TRUE(f_.poll_until([&] { return drops("unknown_agent") == 1; })) << f_.logs();
  // The victim's session survived all of it, and a fragmented Record is
  // reassembled (R-WS.14b): the phone answers it.
  auto m = get;
  m.mutable_header()->set_msg_id("fragmented");
  const auto rec = make_no_session_record(gw_controller_eid, victim, m);
  ASSERT_TRUE(ws.send_fragments(rec, 3));
  EXPECT_TRUE(reads_answer(ws, 10, [](const usp::Msg& msg) { return msg.header().msg_id() == "fragmented"; }));
  healthy_get();
}

// ---- WebSocket: the agent's own server ------------------------------------------------

TEST_F(BadInput, TheAgentsWebSocketServerRefusesBadPeersAndFrames) {
  const std::string mac = "000413F10003";
  f_.start_agent(mac, mqtt_version::v5, {"--ws-listen", "127.0.0.1:0"});
  const auto log = f_.dir.file("agent-" + mac + ".log");
  ASSERT_TRUE(wait_for_text(log, "WebSocket server on", std::chrono::seconds(10)));
  std::smatch m;
  const auto text = f_.agents.at(mac).output();
  ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(WebSocket server on [^:]+:(\d+)/usp)")));
  const auto agent_port = static_cast<std::uint16_t>(std::stoi(m[1]));
  const std::string ok_target = std::string("/usp?eid=") + gw_controller_eid;
  EXPECT_EQ(plain_http_get(agent_port, ok_target), 426U);
  const std::vector<upgrade_case> upgrades = {
      {"no v1.usp subprotocol", [&] { return ok_target; }, false, 400, "R-WS.12a"},
      {"no ?eid=", [] { return std::string("/usp"); }, true, 400, "R-WS.10b"},
      {"not a controller of this phone", [] { return std::string("/usp?eid=self::mallory"); }, true, 403, "R-SEC.6"},
      {"wrong path", [] { return std::string("/other?eid=") + gw_controller_eid; }, true, 404, "R-WS.3"},
  };
  for (const auto& c : upgrades) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(upgrade_status(agent_port, c.target(), c.subprotocol), c.status) << c.rule;
  }
  const std::vector<frame_case> frames = {
      {"text frame", [](raw_ws& w) { w.send_text("hello"); }, 1003, "R-WS.14"},
      {"binary garbage", [](raw_ws& w) { w.send_binary("\x0a\xff\xff garbage"); }, 1003, "R-WS.16"},
      {"message over the agent's 1 MiB limit",
       [](raw_ws& w) { w.send_binary(std::string(1024 * 1024 + 1, '\0')); }, 1009, "RFC 6455 7.4.1"},
  };
  for (const auto& c : frames) {
    SCOPED_TRACE(c.name);
    raw_ws ws(agent_port, ok_target);
    ASSERT_TRUE(ws.open()) << ws.http_status() << " " << ws.refusal();
    c.send(ws);
    EXPECT_EQ(ws.wait_close(), c.close_code) << c.rule << " " << ws.refusal();
    healthy_get();
  }
  // After all that, a well-behaved controller is served (Connect Record
  // first, R-MTP.6, then the answer).
  raw_ws ws(agent_port, ok_target);
  ASSERT_TRUE(ws.open());
  ASSERT_TRUE(ws.send_binary(make_no_session_record(gw_controller_eid, eid_of(mac), get_msg({"Device.DeviceInfo.SerialNumber"}))));
  EXPECT_TRUE(reads_answer(
      ws, 5, [&](const usp::Msg& msg) { return value_in(msg, "Device.DeviceInfo.", "SerialNumber") == mac; }));
}

// ---- MQTT: into the broker with the plugin ---------------------------------------------

TEST_F(BadInput, MqttPublishesThatBreakTheBindingAreRefusedAtTheBroker) {
  const auto x = eid_of("000413F100AA");  // a misbehaving phone
  const auto notify = notify_record(x, "n");
  std::string bad_utf8 = make_no_session_record(std::string("os::000413-\xff\xfe"), gw_controller_eid,
                                                notify_msg("u"));
  struct publish_case {
    const char* name;
    std::string client_id;
    int version;
    std::string topic;
    std::string payload;
    int puback;           // MQTT 5 reason code (0x87 Not authorized); 3.1.1 PUBACKs carry none
    const char* log;      // the broker's log line
    const char* rule;
  };
  const std::string ctl_topic = gw_controller_topic;
  const std::vector<publish_case> cases = {
      {"spoofed from_id", x, 5, ctl_topic, notify_record(healthy, "s"), 0x87, "dropped record (spoofed_from_id)",
       "R-SEC.4b"},
      {"garbage payload", x, 5, ctl_topic, "garbage", 0x87, "dropped record (not_a_record)", "R-MQTT.20 / R-MTP.5"},
      {"truncated Record", x, 5, ctl_topic, truncated(notify), 0x87, "dropped record (not_a_record)", "R-MTP.5"},
      {"invalid UTF-8 in from_id", x, 5, ctl_topic, bad_utf8, 0x87, "dropped record (not_a_record)",
       "protobuf string fields are UTF-8"},
      {"Record over max_record_bytes (64 KiB)", x, 5, ctl_topic, notify_record(x, "big", 70000), 0x87,
       "dropped record (too_large)", "R-MQTT.39 (broker limits)"},
      {"3.1.1 /reply-to= naming another agent's topic", x, 4,
       ctl_topic + "/reply-to=usp%2Fagent%2F" + healthy, notify, 0, "dropped record (bad_reply_to)", "R-MQTT.24/25"},
      {"endpoint id with a + wildcard as client id", "os::000413-AB+CD", 5, ctl_topic, notify, 0x87, "denied write",
       "MQTT 5 4.7.1, R-MQTT.47"},
      {"endpoint id with a # wildcard as client id", "os::000413-AB#", 5, ctl_topic, notify, 0x87, "denied write",
       "MQTT 5 4.7.1"},
      {"endpoint id with /reply-to= inside as client id", "os::000413-AB/reply-to=usp%2Fx", 5, ctl_topic, notify,
       0x87, "denied write", "R-MQTT.24"},
      {"a phone publishing to another phone's topic", x, 5, agent_topic(healthy), notify, 0x87, "denied write",
       "R-MQTT.42 (ACL)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto logged = occurrences(f_.broker.log(), c.log);
    raw_mqtt client(f_.broker.port(), c.version, c.client_id);
    EXPECT_EQ(client.publish(c.topic, c.payload), c.puback) << c.rule;
    EXPECT_TRUE(f_.poll_until([&] { return occurrences(f_.broker.log(), c.log) > logged; })) << f_.broker.log();
    client.disconnect();
    healthy_get();
  }
  // Nothing of it reached the gateway.
  EXPECT_EQ(drops("malformed") + drops("oversize") + drops("wrong_to_id"), 0);
}

TEST_F(BadInput, MqttPropertiesAreChecked) {
  const auto x = eid_of("000413F100BB");
  peer p(f_.io, client_options(f_.broker, x, mqtt_version::v5));
  p.connect();
  ASSERT_EQ(p.subscribe({agent_topic(x)}), std::vector<int>{1});
  struct property_case {
    const char* name;
    std::string response_topic, content_type;
    const char* log;
    const char* rule;
  };
  const std::vector<property_case> cases = {
      {"Response Topic of another phone", agent_topic(healthy), "usp.msg", "dropped record (bad_reply_to)",
       "R-MQTT.23"},
      {"garbage Response Topic", "#/+garbage", "usp.msg", "dropped record (bad_reply_to)", "R-MQTT.23"},
      {"wrong Content Type", agent_topic(x), "text/plain", "dropped record (bad_content_type)", "R-MQTT.27a"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto logged = occurrences(f_.broker.log(), c.log);
    p.publish(gw_controller_topic, notify_record(x, c.name), c.response_topic, c.content_type);
    EXPECT_TRUE(f_.poll_until([&] { return occurrences(f_.broker.log(), c.log) > logged; })) << c.rule;
    healthy_get();
  }
  // The other Content Type TR-369 allows passes (R-MQTT.27a); so does a
  // Record without a Response Topic: the gateway answers on the phone's
  // topic from agents.topic_template.
  p.publish(gw_controller_topic, notify_record(x, "vnd"), agent_topic(x), "application/vnd.bbf.usp.msg");
  p.publish(gw_controller_topic, notify_record(x, "no-rt"), "", "usp.msg");
  f_.controller->connect(base() + x, x);
  ASSERT_TRUE(f_.wait_for(x, [](const ctl::received_record& r) { return is_test_notify(r) && r.msg->header().msg_id() == "vnd"; }));
  ASSERT_TRUE(f_.wait_for(x, [](const ctl::received_record& r) { return is_test_notify(r) && r.msg->header().msg_id() == "no-rt"; }));
  ASSERT_TRUE(f_.controller->send(x, get_msg({"Device.DeviceInfo."})));
  ASSERT_TRUE(p.wait_for_count(1)) << f_.logs();
  EXPECT_EQ(p.received.front().topic, agent_topic(x));
  // A Record for a controller that is not the one of this topic: the gateway counts it.
  p.publish(gw_controller_topic, make_no_session_record(x, "self::other-controller", notify_msg("o")), agent_topic(x));
  ASSERT_TRUE(f_.poll_until([&] { return drops("wrong_to_id") == 1; })) << f_.logs();
  healthy_get();
}

// ---- configuration files ---------------------------------------------------------------

struct config_case {
  const char* name;
  std::string yaml;
  const char* message;  // what the one line per problem says
};

std::string gateway_yaml(const std::string& mqtt_extra = "", const std::string& extra = "",
                         const std::string& ws = "      mode: dial\n      url: ws://127.0.0.1:9/usp\n") {
  return "mqtt:\n  host: 127.0.0.1\n" + mqtt_extra +
         "controllers:\n"
         "  - endpoint_id: self::acme-controller\n"
         "    mqtt_topic: usp/controller/acme\n"
         "    websocket:\n" + ws + extra;
}

int run_and_wait(const std::vector<std::string>& argv, const std::string& log) {
  child_process p(argv, log);
  return p.wait(std::chrono::seconds(10));
}

TEST(BadInputConfig, GatewayConfigurationsAreRefusedNamingTheKey) {
  temp_dir dir;
  const auto missing = dir.file("no-such-ca.pem");
  const std::vector<config_case> cases = {
      {"negative port", gateway_yaml("  port: -1\n"), "mqtt.port: must be an integer in 1..65535"},
      {"port 0", gateway_yaml("  port: 0\n"), "mqtt.port"},
      {"port 65536", gateway_yaml("  port: 65536\n"), "mqtt.port"},
      {"huge port", gateway_yaml("  port: 99999999999999999999999\n"), "mqtt.port"},
      {"port not a number", gateway_yaml("  port: eighty\n"), "mqtt.port"},
      {"negative listen port", gateway_yaml("", "listen: {port: -5}\n"), "listen.port"},
      {"negative queue", gateway_yaml("", "agents: {queue: {max_records: -1}}\n"), "agents.queue.max_records"},
      {"huge queue", gateway_yaml("", "agents: {queue: {max_records: 100001}}\n"), "agents.queue.max_records"},
      {"zero TTL", gateway_yaml("", "agents: {queue: {ttl_s: 0}}\n"), "agents.queue.ttl_s"},
      {"tiny max_record_bytes", gateway_yaml("", "agents: {max_record_bytes: 10}\n"), "agents.max_record_bytes"},
      {"zero threads", gateway_yaml("", "threads: 0\n"), "threads"},
      {"unknown top-level key", gateway_yaml("", "colour: blue\n"), "colour: unknown key"},
      {"misspelt nested key", gateway_yaml("  hots: broker\n"), "mqtt.hots: unknown key"},
      {"password in the file", gateway_yaml("  password: secret\n"), "mqtt.password"},
      {"missing controllers", "mqtt:\n  host: 127.0.0.1\n", "controllers"},
      {"empty controllers", "mqtt:\n  host: 127.0.0.1\ncontrollers: []\n", "controllers"},
      {"http:// URL", gateway_yaml("", "", "      url: http://ctrl/usp\n"), "controllers[0].websocket.url"},
      {"URL port 0", gateway_yaml("", "", "      url: ws://ctrl:0/usp\n"), "controllers[0].websocket.url"},
      {"URL with user information", gateway_yaml("", "", "      url: ws://u@ctrl/usp\n"),
       "controllers[0].websocket.url"},
      {"listen mode without listen:", gateway_yaml("", "", "      mode: listen\n"), "controllers[0].websocket.mode"},
      {"bad controller endpoint id",
       "controllers:\n  - endpoint_id: not-an-eid\n    mqtt_topic: usp/c\n    websocket: {url: ws://c/usp}\n",
       "controllers[0].endpoint_id"},
      {"unreadable CA file", gateway_yaml("  tls: {ca_file: " + missing + "}\n"), "mqtt.tls.ca_file"},
      {"a folder as key file", gateway_yaml("", "listen: {tls: {cert_file: " + dir.path() + ", key_file: " +
                                                     dir.path() + "}}\n"),
       "listen.tls.cert_file"},
      {"YAML syntax error", "mqtt: [\n", "gateway.yaml:"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto file = dir.write("gateway.yaml", c.yaml);
    const auto log = dir.file("check.log");
    std::ofstream(log, std::ios::trunc).flush();
    EXPECT_EQ(run_and_wait({USP_GATEWAY_BIN, "--config", file, "--check"}, log), 2);
    EXPECT_NE(read_file(log).find(c.message), std::string::npos) << read_file(log);
  }
  // Not --check: the same answer at start (exit 2, nothing started).
  const auto file = dir.write("gateway.yaml", gateway_yaml("  port: -1\n"));
  EXPECT_EQ(run_and_wait({USP_GATEWAY_BIN, "--config", file}, dir.file("start.log")), 2);
  EXPECT_NE(read_file(dir.file("start.log")).find("mqtt.port"), std::string::npos);
  // A zero queue is allowed: it means "keep nothing while the controller is away".
  const auto zero = dir.write("gateway.yaml", gateway_yaml("", "agents: {queue: {max_records: 0}}\n"));
  EXPECT_EQ(run_and_wait({USP_GATEWAY_BIN, "--config", zero, "--check"}, dir.file("zero.log")), 0)
      << read_file(dir.file("zero.log"));
}

TEST(BadInputConfig, AgentFilesAreRefusedNamingTheProblem) {
  temp_dir dir;
  const auto factory = std::string(USP_SOURCE_DIR) + "/config/agent/factory.txt";
  const auto param_map = std::string(USP_SOURCE_DIR) + "/config/agent/param_map";
  const auto good = dir.write("good.txt", "tr369_enable2!: on\n");
  struct agent_case {
    const char* name;
    std::vector<std::string> args;
    const char* message;
  };
  auto agent = [&](std::vector<std::string> extra, const std::string& settings, const std::string& map) {
    std::vector<std::string> a = {USP_AGENT_BIN,     "--settings", settings, "--state-dir", dir.file("state"),
                                  "--factory",       factory,      "--param-map", map};
    if (std::find(extra.begin(), extra.end(), "--mac") == extra.end()) a.insert(a.end(), {"--mac", "000413F1F1F1"});
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const std::vector<agent_case> cases = {
      {"settings line without a colon", agent({}, dir.write("s1.txt", "tr369_enable2 on\n"), param_map),
       "s1.txt:1: expected name: value"},
      {"bad setting name", agent({}, dir.write("s2.txt", "tr369 enable!: on\n"), param_map), "bad setting name"},
      {"unreadable settings file", agent({}, dir.file("nope.txt"), param_map), "cannot read the file"},
      {"bad MAC", agent({"--mac", "XYZ"}, good, param_map), "--mac: 'XYZ' is not a MAC address"},
      {"bad endpoint id", agent({"--endpoint-id", "bogus"}, good, param_map), "--endpoint-id: 'bogus'"},
      {"param_map with a wildcard path",
       agent({}, good, dir.write("map1", "string:Device.X.*.Name=phone_name\n")), "map1:1"},
      {"param_map line without a type", agent({}, good, dir.write("map2", "Device.X.Name=phone_name\n")), "map2:1"},
      {"identity file with an unknown key",
       agent({"--identity", dir.write("id.yaml", "mac: 000413F1F1F1\ncolour: blue\n")}, good, param_map),
       "colour"},
      {"bad log level", agent({"--log-level", "chatty"}, good, param_map), "--log-level: 'chatty'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto log = dir.file(std::string("agent-") + std::to_string(&c - cases.data()) + ".log");
    EXPECT_EQ(run_and_wait(c.args, log), 2);
    EXPECT_NE(read_file(log).find(c.message), std::string::npos) << read_file(log);
  }
}

}  // namespace
}  // namespace usp::test

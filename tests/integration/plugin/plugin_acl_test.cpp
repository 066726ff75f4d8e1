// The allow/deny matrix and Record validation through a real mosquitto with
// mosquitto_usp.so, for MQTT 3.1.1 and 5 agents.
//
// Proving that something did NOT arrive without waiting for nothing: after
// the refused message, a sentinel follows the same path; mosquitto handles a
// client's packets in order and delivers to a subscriber in order, so once
// the sentinel is there, the refused message would have been before it.
#include <gtest/gtest.h>

#include "plugin_fixture.hpp"
#include "raw_mqtt.hpp"
#include "usp/record.hpp"

namespace usp::test {
namespace {

std::string record_from(const std::string& from, const std::string& body = "msg") {
  return usp::make_no_session_record(from, controller_eid, body);
}

class PluginAcl : public ::testing::TestWithParam<mqtt_version> {
 protected:
  PluginAcl() : broker_(plugin_broker({"plugin_opt_max_record_bytes 2048"})) {
    gateway_ = std::make_unique<peer>(io_, client_options(broker_, "gw-1", mqtt_version::v5, "usp-gateway"));
    gateway_->connect();
    const auto g = gateway_->subscribe({"usp/controller/acme/#"});
    EXPECT_LT(g.at(0), 0x80);
  }
  std::unique_ptr<peer> agent(const std::string& eid) {
    auto p = std::make_unique<peer>(io_, client_options(broker_, eid, GetParam()));
    p->connect();
    return p;
  }
  bool v5() const { return GetParam() == mqtt_version::v5; }
  // The gateway received exactly these payloads on the controller topic(s).
  std::vector<std::string> at_gateway() const {
    std::vector<std::string> out;
    for (const auto& m : gateway_->received) out.push_back(m.payload);
    return out;
  }

  mosquitto_broker broker_;
  boost::asio::io_context io_;
  std::unique_ptr<peer> gateway_;
};

TEST_P(PluginAcl, AnAgentSubscribesToItsOwnTopicOnly) {
  auto a = agent(agent_a);
  const auto own = a->subscribe({agent_topic(agent_a), agent_topic(agent_a) + "/#"});
  EXPECT_LT(own.at(0), 0x80);
  EXPECT_LT(own.at(1), 0x80);
  for (const auto& f : {agent_topic(agent_b), std::string("usp/agent/+"), std::string("#"),
                        std::string(controller_topic), std::string("$SYS/#")}) {
    EXPECT_GE(a->subscribe({f}).at(0), 0x80) << f;
  }
  // It receives what is published for it, with reply-to forms (R-MQTT.24).
  const auto to_a = usp::make_no_session_record(controller_eid, agent_a, std::string_view("get"));
  gateway_->publish(agent_topic(agent_a) + "/reply-to=usp%2Fcontroller%2Facme", to_a);
  EXPECT_TRUE(a->wait_for(agent_topic(agent_a) + "/reply-to=usp%2Fcontroller%2Facme", to_a)) << broker_.log();
}

TEST_P(PluginAcl, AnAgentCannotPublishToAnotherAgent) {
  auto a = agent(agent_a);
  auto b = agent(agent_b);
  b->subscribe({agent_topic(agent_b)});
  a->publish(agent_topic(agent_b), record_from(agent_a, "sneaky"));
  const auto sentinel = usp::make_no_session_record(controller_eid, agent_b, std::string_view("sentinel"));
  gateway_->publish(agent_topic(agent_b), sentinel);
  ASSERT_TRUE(b->wait_for(agent_topic(agent_b), sentinel));
  EXPECT_EQ(b->received.size(), 1u);
}

TEST_P(PluginAcl, AnAgentCannotPublishAsAnother) {
  auto a = agent(agent_a);
  a->publish(controller_topic, record_from(agent_b, "spoofed"));  // R-SEC.4b
  const auto good = record_from(agent_a, "good");
  a->publish(controller_topic, good);
  ASSERT_TRUE(gateway_->wait_for(controller_topic, good)) << broker_.log();
  EXPECT_EQ(at_gateway(), std::vector<std::string>{good});
  EXPECT_NE(broker_.log().find("dropped record (spoofed_from_id) claiming from_id 'os::000413-B1B2C3'"),
            std::string::npos)
      << broker_.log();
}

TEST_P(PluginAcl, ReplyToMustBeTheAgentsOwnTopic) {
  auto a = agent(agent_a);
  const auto bad = std::string(controller_topic) + "/reply-to=usp%2Fagent%2F" + agent_b;
  const auto good = std::string(controller_topic) + "/reply-to=usp%2Fagent%2F" + agent_a;
  const auto r1 = record_from(agent_a, "one"), r2 = record_from(agent_a, "two");
  a->publish(bad, r1);
  a->publish(good, r2);
  ASSERT_TRUE(gateway_->wait_for(good, r2));
  EXPECT_EQ(at_gateway(), std::vector<std::string>{r2});
  if (v5()) {
    // MQTT 5 carries the reply-to as Response Topic (R-MQTT.23).
    const auto r3 = record_from(agent_a, "three"), r4 = record_from(agent_a, "four");
    a->publish(controller_topic, r3, agent_topic(agent_b));
    a->publish(controller_topic, r4, agent_topic(agent_a));
    ASSERT_TRUE(gateway_->wait_for(controller_topic, r4));
    EXPECT_EQ(at_gateway(), (std::vector<std::string>{r2, r4}));
    EXPECT_EQ(gateway_->received.back().response_topic, agent_topic(agent_a));
  }
}

TEST_P(PluginAcl, GarbageAndOversizeAreDroppedWhileHealthyTrafficFlows) {
  auto a = agent(agent_a);
  auto b = agent(agent_b);
  std::vector<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    const auto healthy = record_from(agent_b, "healthy " + std::to_string(i));
    b->publish(controller_topic, healthy);
    expected.push_back(healthy);
    a->publish(controller_topic, "not a record " + std::to_string(i));
    a->publish(controller_topic, record_from(agent_a, std::string(4096, 'x')));  // over 2048
    if (v5()) a->publish(controller_topic, record_from(agent_a, "typed"), {}, "application/json");
  }
  const auto last = record_from(agent_a, "a is fine too");
  a->publish(controller_topic, last);
  expected.push_back(last);
  ASSERT_TRUE(gateway_->wait_for(controller_topic, last));
  EXPECT_EQ(at_gateway(), expected);
}

TEST_P(PluginAcl, ClientsWithoutEndpointIdSeeNothingUsp) {
  auto other = std::make_unique<peer>(io_, client_options(broker_, "sensor-7", GetParam()));
  other->connect();
  EXPECT_LT(other->subscribe({"#"}).at(0), 0x80);  // broad filters stay allowed
  EXPECT_GE(other->subscribe({agent_topic(agent_a)}).at(0), 0x80);
  other->publish(controller_topic, record_from(agent_a, "from nobody"));
  gateway_->publish(agent_topic(agent_a), usp::make_no_session_record(controller_eid, agent_a, std::string_view("x")));
  other->publish("home/kitchen/temp", "21.5", {}, "text/plain");  // not USP: untouched
  ASSERT_TRUE(other->wait_for("home/kitchen/temp", "21.5"));
  for (const auto& m : other->received) EXPECT_EQ(m.topic, "home/kitchen/temp");
  const auto good = record_from(agent_a, "sentinel");
  auto a = agent(agent_a);
  a->publish(controller_topic, good);
  ASSERT_TRUE(gateway_->wait_for(controller_topic, good));
  EXPECT_EQ(at_gateway(), std::vector<std::string>{good});
}

INSTANTIATE_TEST_SUITE_P(Mqtt, PluginAcl, ::testing::Values(mqtt_version::v3_1_1, mqtt_version::v5),
                         version_name);

TEST(PluginReasonCodes, QoS1PublishersLearnOfTheRefusal) {
  mosquitto_broker broker(plugin_broker());
  raw_mqtt a(broker.port(), 5, agent_a);
  EXPECT_EQ(a.publish(controller_topic, "garbage"), 0x87);                       // Not authorized
  EXPECT_EQ(a.publish(agent_topic(agent_b), record_from(agent_a)), 0x87);
  EXPECT_EQ(a.publish(controller_topic, record_from(agent_b)), 0x87);
  EXPECT_LT(a.publish(controller_topic, record_from(agent_a)), 0x80);  // accepted (0x10: nobody subscribed)
  EXPECT_EQ(a.subscribe(agent_topic(agent_b)), 0x87);
  raw_mqtt b311(broker.port(), 4, agent_b);
  EXPECT_EQ(b311.subscribe("usp/agent/+"), 0x80);  // 3.1.1 SUBACK failure
}

}  // namespace
}  // namespace usp::test

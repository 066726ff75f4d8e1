// Presence events and partitioning through a real mosquitto.
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "plugin_fixture.hpp"
#include "usp/partition.hpp"
#include "raw_mqtt.hpp"
#include "usp/record.hpp"
#include "usp_test/wait.hpp"

namespace usp::test {
namespace {

const std::regex presence_shape(
    R"re(\{"eid":"([^"]+)","state":"(online|offline)","mqtt":"(3\.1\.1|5\.0)","client_id":"([^"]*)",)re"
    R"re("time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"(,"reason":"(clean|abrupt)")?\})re");

struct presence {
  std::string eid, state, mqtt, client_id, reason;
  bool retained = false;
};

std::vector<presence> parse(const std::vector<peer::message>& ms) {
  std::vector<presence> out;
  for (const auto& m : ms) {
    std::smatch s;
    EXPECT_TRUE(std::regex_match(m.payload, s, presence_shape)) << m.payload;
    if (s.empty()) continue;
    EXPECT_EQ(m.topic, "usp/presence/" + s[1].str());
    out.push_back({s[1], s[2], s[3], s[4], s[6], m.retain});
  }
  return out;
}

class PluginPresence : public ::testing::TestWithParam<mqtt_version> {
 protected:
  PluginPresence() : broker_(plugin_broker()) {
    gateway_ = std::make_unique<peer>(io_, client_options(broker_, "gw-1", mqtt_version::v5, "usp-gateway"));
    gateway_->connect();
    gateway_->subscribe({"usp/presence/+"});
  }
  int version() const { return GetParam() == mqtt_version::v5 ? 5 : 4; }
  const char* mqtt() const { return GetParam() == mqtt_version::v5 ? "5.0" : "3.1.1"; }
  std::vector<presence> events() { return parse(gateway_->received); }

  mosquitto_broker broker_;
  boost::asio::io_context io_;
  std::unique_ptr<peer> gateway_;
};

TEST_P(PluginPresence, OnlineWhenTheAgentSubscribesOfflineWhenItLeavesCleanly) {
  peer a(io_, client_options(broker_, agent_a, GetParam()));
  a.connect();
  a.subscribe({agent_topic(agent_a)});
  ASSERT_TRUE(gateway_->wait_for_count(1)) << broker_.log();
  auto ev = events();
  EXPECT_EQ(ev[0].eid, agent_a);
  EXPECT_EQ(ev[0].state, "online");
  EXPECT_EQ(ev[0].mqtt, mqtt());
  EXPECT_EQ(ev[0].client_id, agent_a);
  EXPECT_EQ(ev[0].reason, "");

  // Retained: a gateway that starts later learns the state at once.
  peer late(io_, client_options(broker_, "gw-2", mqtt_version::v5, "usp-gateway"));
  late.connect();
  late.subscribe({"usp/presence/+"});
  ASSERT_TRUE(late.wait_for_count(1));
  EXPECT_TRUE(parse(late.received).at(0).retained);
  EXPECT_EQ(parse(late.received).at(0).state, "online");

  a.stop();  // DISCONNECT (R-MQTT.35)
  ASSERT_TRUE(gateway_->wait_for_count(2)) << broker_.log();
  ev = events();
  EXPECT_EQ(ev[1].state, "offline");
  EXPECT_EQ(ev[1].reason, "clean");
  EXPECT_EQ(ev[1].mqtt, mqtt());
}

TEST_P(PluginPresence, OfflineAbruptWhenTheConnectionJustEnds) {
  {
    raw_mqtt a(broker_.port(), version(), agent_b);
    EXPECT_LT(a.subscribe(agent_topic(agent_b) + "/#"), 0x80);
    ASSERT_TRUE(gateway_->wait_for_count(1)) << broker_.log();
    a.drop();  // no DISCONNECT: the socket just closes, as for a killed process
  }
  ASSERT_TRUE(gateway_->wait_for_count(2)) << broker_.log();
  const auto ev = events();
  EXPECT_EQ(ev[0].state, "online");
  EXPECT_EQ(ev[1].eid, agent_b);
  EXPECT_EQ(ev[1].state, "offline");
  EXPECT_EQ(ev[1].reason, "abrupt");
}

TEST_P(PluginPresence, NoPresenceForGatewaysAndUnknownClients) {
  raw_mqtt other(broker_.port(), version(), "sensor-7");
  EXPECT_LT(other.subscribe("home/#"), 0x80);
  other.disconnect();
  peer a(io_, client_options(broker_, agent_a, GetParam()));
  a.connect();
  a.subscribe({agent_topic(agent_a)});
  ASSERT_TRUE(gateway_->wait_for_count(1));
  EXPECT_EQ(events().at(0).eid, agent_a);  // the first event is the agent's
}

INSTANTIATE_TEST_SUITE_P(Mqtt, PluginPresence, ::testing::Values(mqtt_version::v3_1_1, mqtt_version::v5),
                         version_name);

TEST(PluginPartitions, EachAgentLandsInOnePartitionAlways) {
  constexpr unsigned n = 3;
  mosquitto_broker broker(plugin_broker({"plugin_opt_partitions 3", "plugin_opt_partition_prefix usp/part"}));
  boost::asio::io_context io;
  peer gw(io, client_options(broker, "gw-1", mqtt_version::v5, "usp-gateway"));
  gw.connect();
  gw.subscribe({"usp/part/+/usp/controller/acme/#"});
  std::vector<std::unique_ptr<peer>> agents;
  std::vector<std::string> eids;
  std::size_t sent = 0;
  for (int i = 0; i < 8; ++i) {
    const auto v = i % 2 ? mqtt_version::v5 : mqtt_version::v3_1_1;
    eids.push_back("os::000413-PART" + std::to_string(i));
    agents.push_back(std::make_unique<peer>(io, client_options(broker, eids.back(), v)));
    agents.back()->connect();
    for (int k = 0; k < 3; ++k, ++sent) {
      const auto rec = usp::make_no_session_record(eids.back(), controller_eid, "r" + std::to_string(k));
      if (v == mqtt_version::v5) {
        agents.back()->publish(controller_topic, rec, agent_topic(eids.back()));
      } else {
        agents.back()->publish(std::string(controller_topic) + "/reply-to=usp%2Fagent%2F" + eids.back(), rec);
      }
    }
  }
  ASSERT_TRUE(gw.wait_for_count(sent)) << broker.log();
  std::set<std::uint32_t> used;
  for (const auto& m : gw.received) {
    boost::system::error_code ec;
    const auto rec = usp::decode_record(m.payload, ec);
    ASSERT_TRUE(rec) << ec.message();
    const auto k = usp::partition_of(rec->from_id(), n);
    const auto prefix = "usp/part/" + std::to_string(k) + "/usp/controller/acme";
    EXPECT_EQ(m.topic.substr(0, prefix.size()), prefix) << rec->from_id();
    used.insert(k);
    // The copy keeps the MQTT 5 properties: the gateway needs the reply-to.
    if (m.topic.find("/reply-to=") == std::string::npos) {
      EXPECT_EQ(m.response_topic, agent_topic(rec->from_id()));
      EXPECT_EQ(m.content_type, "usp.msg");
    }
  }
  EXPECT_EQ(gw.received.size(), sent);
  EXPECT_GE(used.size(), 2u);  // 8 agents do not all hash alike
}

}  // namespace
}  // namespace usp::test

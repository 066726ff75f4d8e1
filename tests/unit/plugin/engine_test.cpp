// The policy engine with a fake broker: tracking, presence, counters, logs.
#include "policy/engine.hpp"

#include <gtest/gtest.h>

#include "plugin_fakes.hpp"
#include "usp/partition.hpp"
#include "usp/record.hpp"

namespace usp::plugin {
namespace {

using test::ctrl_eid;
using test::eid_a;
using test::eid_b;
using test::fake_client;

class Engine : public ::testing::Test {
 protected:
  explicit Engine(plugin_options o = test::test_options()) : eng_(std::move(o), port_) {}

  verdict subscribe(const fake_client& c, std::string_view filter) {
    return eng_.on_acl_check(c, access::subscribe, filter, {});
  }
  // A PUBLISH as the broker runs it: the WRITE check, then the message event.
  verdict publish(const fake_client& c, std::string_view topic, std::string_view payload,
                  std::optional<std::string_view> content_type = std::nullopt) {
    const auto v = eng_.on_acl_check(c, access::write, topic, payload);
    if (v == verdict::deny) return v;
    return eng_.on_message(c, {topic, payload, content_type, std::nullopt}).result;
  }
  std::vector<test::published> presence() const { return port_.on("usp/presence/"); }

  test::fake_port port_;
  engine eng_;
};

TEST_F(Engine, AnAgentComesOnlineWithItsFirstSubscribe) {
  fake_client a(eid_a, 5);
  EXPECT_EQ(subscribe(a, "usp/agent/os::000413-A1B2C3"), verdict::allow);
  ASSERT_EQ(presence().size(), 1u);
  const auto p = presence()[0];
  EXPECT_EQ(p.topic, "usp/presence/os::000413-A1B2C3");
  EXPECT_EQ(p.payload, R"({"eid":"os::000413-A1B2C3","state":"online","mqtt":"5.0","client_id":"os::000413-A1B2C3",)"
                       R"("time":"2024-05-01T12:34:56.789Z"})");
  EXPECT_EQ(p.qos, 1);
  EXPECT_TRUE(p.retain);
  EXPECT_EQ(eng_.agents_online(), 1u);
  subscribe(a, "usp/agent/os::000413-A1B2C3/#");
  EXPECT_EQ(presence().size(), 1u);  // once

  eng_.on_disconnect(a, offline_reason::clean);
  ASSERT_EQ(presence().size(), 2u);
  EXPECT_NE(presence()[1].payload.find(R"("state":"offline")"), std::string::npos);
  EXPECT_NE(presence()[1].payload.find(R"("reason":"clean")"), std::string::npos);
  EXPECT_EQ(eng_.agents_online(), 0u);
  EXPECT_EQ(eng_.tracked(), 0u);
}

TEST_F(Engine, AnAcceptedPublishAlsoBringsAnAgentOnline) {
  fake_client a(eid_a, 4);
  const auto rec = usp::make_no_session_record(eid_a, ctrl_eid, std::string_view("m"));
  EXPECT_EQ(publish(a, "usp/controller/acme", rec), verdict::allow);
  ASSERT_EQ(presence().size(), 1u);
  EXPECT_NE(presence()[0].payload.find(R"("mqtt":"3.1.1")"), std::string::npos);
  EXPECT_EQ(eng_.stats().accepted, 1u);
}

TEST_F(Engine, ReadsAndWillsOfGoneClientsDoNotBringThemBack) {
  fake_client a(eid_a, 5);
  subscribe(a, "usp/agent/os::000413-A1B2C3");
  eng_.on_disconnect(a, offline_reason::abrupt);
  // Queued messages of a persistent session, and a will, after the event.
  EXPECT_EQ(eng_.on_acl_check(a, access::read, "usp/agent/os::000413-A1B2C3", {}), verdict::allow);
  eng_.on_acl_check(a, access::write, "usp/controller/acme", "will");
  EXPECT_EQ(eng_.tracked(), 0u);
  EXPECT_EQ(presence().size(), 2u);
  EXPECT_NE(presence()[1].payload.find(R"("reason":"abrupt")"), std::string::npos);
}

TEST_F(Engine, OneEndpointOnSeveralConnectionsIsOnlineUntilTheLastGoes) {
  auto o = test::test_options();
  o.identity = identity_source::username;
  test::fake_port port;
  engine eng(o, port);
  fake_client c1("c1", 5, eid_a), c2("c2", 5, eid_a);
  eng.on_acl_check(c1, access::subscribe, "usp/agent/os::000413-A1B2C3", {});
  eng.on_acl_check(c2, access::subscribe, "usp/agent/os::000413-A1B2C3", {});
  eng.on_disconnect(c1, offline_reason::clean);
  EXPECT_EQ(port.on("usp/presence/").size(), 1u);
  EXPECT_EQ(eng.agents_online(), 1u);
  eng.on_disconnect(c2, offline_reason::clean);
  ASSERT_EQ(port.on("usp/presence/").size(), 2u);
  EXPECT_NE(port.on("usp/presence/")[1].payload.find(R"("client_id":"c2")"), std::string::npos);
}

TEST_F(Engine, GatewaysAndUnknownClientsHaveNoPresence) {
  fake_client gw("gw-1", 5, "usp-gateway"), other("sensor-7", 4);
  EXPECT_EQ(subscribe(gw, "usp/controller/acme"), verdict::allow);
  EXPECT_EQ(subscribe(other, "home/#"), verdict::pass);
  EXPECT_TRUE(presence().empty());
  EXPECT_EQ(eng_.tracked(), 2u);
  eng_.on_disconnect(gw, offline_reason::clean);
  eng_.on_disconnect(other, offline_reason::clean);
  EXPECT_TRUE(presence().empty());
  EXPECT_EQ(eng_.tracked(), 0u);
}

TEST_F(Engine, AReusedConnectionKeyIsIdentifiedAfresh) {
  fake_client c(eid_a, 5);
  subscribe(c, "usp/agent/os::000413-A1B2C3");
  c.cid = eid_b;  // same address, another client: we missed a disconnect
  EXPECT_EQ(eng_.on_acl_check(c, access::read, "usp/agent/os::000413-A1B2C3", {}), verdict::deny);
  EXPECT_EQ(eng_.on_acl_check(c, access::read, "usp/agent/os::000413-B1B2C3", {}), verdict::allow);
  ASSERT_EQ(presence().size(), 2u);  // A went offline
  EXPECT_NE(presence()[1].payload.find(R"("state":"offline")"), std::string::npos);
}

TEST_F(Engine, DenialsAndDropsAreCountedAndLogged) {
  fake_client a(eid_a, 5), b(eid_b, 5);
  EXPECT_EQ(subscribe(a, "usp/agent/os::000413-B1B2C3"), verdict::deny);
  EXPECT_EQ(eng_.on_acl_check(a, access::read, "usp/agent/os::000413-B1B2C3", {}), verdict::deny);
  const auto rec_b = usp::make_no_session_record(eid_b, ctrl_eid, std::string_view("m"));
  EXPECT_EQ(publish(a, "usp/agent/os::000413-B1B2C3", rec_b), verdict::deny);  // agent to agent
  EXPECT_EQ(publish(a, "usp/controller/acme", rec_b), verdict::deny);          // as B
  EXPECT_EQ(publish(a, "usp/controller/acme", "garbage"), verdict::deny);
  EXPECT_EQ(publish(b, "usp/controller/acme", rec_b, "text/plain"), verdict::deny);
  EXPECT_EQ(publish(b, "usp/controller/acme", rec_b, "usp.msg"), verdict::allow);
  const auto& s = eng_.stats();
  EXPECT_EQ(s.denied_of(denial::subscribe), 1u);
  EXPECT_EQ(s.denied_of(denial::read), 1u);
  EXPECT_EQ(s.denied_of(denial::write), 1u);
  EXPECT_EQ(s.dropped_of(drop_reason::spoofed_from_id), 1u);
  EXPECT_EQ(s.dropped_of(drop_reason::not_a_record), 1u);
  EXPECT_EQ(s.dropped_of(drop_reason::bad_content_type), 1u);
  EXPECT_EQ(s.accepted, 1u);
  std::vector<std::string> notices;
  for (const auto& [level, line] : port_.lines) {
    if (level == log_level::notice) notices.push_back(line);
  }
  ASSERT_EQ(notices.size(), 6u);
  EXPECT_EQ(notices[0], "mosquitto_usp: denied subscribe on 'usp/agent/os::000413-B1B2C3' for client "
                        "'os::000413-A1B2C3' (agent os::000413-A1B2C3)");
  EXPECT_EQ(notices[3], "mosquitto_usp: dropped record (spoofed_from_id) claiming from_id 'os::000413-B1B2C3' on "
                        "'usp/controller/acme' for client 'os::000413-A1B2C3' (agent os::000413-A1B2C3)");
}

TEST_F(Engine, RefusalLogsAreRateLimited) {
  fake_client a(eid_a, 5);
  for (int i = 0; i < 50; ++i) subscribe(a, "usp/agent/x");
  EXPECT_EQ(port_.lines.size(), 21u);  // "online" at debug level + 20 notices
  port_.steady += std::chrono::seconds(11);
  subscribe(a, "usp/agent/x");
  EXPECT_NE(port_.lines.back().second.find("(30 similar lines suppressed)"), std::string::npos);
  EXPECT_EQ(eng_.stats().denied_of(denial::subscribe), 51u);  // every one counted
}

TEST_F(Engine, OtherTopicsPassUntouched) {
  fake_client other("sensor-7", 5);
  EXPECT_EQ(publish(other, "home/kitchen/temp", "21.5", "text/plain"), verdict::pass);
  EXPECT_EQ(eng_.on_acl_check(other, access::read, "home/kitchen/temp", {}), verdict::pass);
  EXPECT_EQ(eng_.stats().accepted, 0u);
  EXPECT_TRUE(port_.lines.empty());
}

TEST(EnginePartitions, ControllerBoundRecordsGetAPartitionTopic) {
  auto o = test::test_options();
  o.partitions = 4;
  test::fake_port port;
  engine eng(o, port);
  fake_client a(eid_a, 4), gw("gw", 5, "usp-gateway");
  const auto rec = usp::make_no_session_record(eid_a, ctrl_eid, std::string_view("m"));
  const std::string topic = "usp/controller/acme/reply-to=usp%2Fagent%2Fos::000413-A1B2C3";
  ASSERT_EQ(eng.on_acl_check(a, access::write, topic, rec), verdict::allow);
  const auto out = eng.on_message(a, {topic, rec, std::nullopt, std::nullopt});
  ASSERT_TRUE(out.partition_topic);
  EXPECT_EQ(*out.partition_topic, "usp/part/" + std::to_string(partition_of(eid_a, 4)) + "/" + topic);
  // Agent-bound records are not partitioned.
  const auto down = usp::make_no_session_record(ctrl_eid, eid_a, std::string_view("m"));
  EXPECT_FALSE(eng.on_message(gw, {"usp/agent/os::000413-A1B2C3", down, std::nullopt, std::nullopt}).partition_topic);
  EXPECT_EQ(eng.stats().partitioned, 1u);
}

TEST(EngineStats, PublishedOnTicksWhenChanged) {
  auto o = test::test_options();
  o.stats_interval_s = 10;
  test::fake_port port;
  engine eng(o, port);
  eng.on_tick();
  EXPECT_EQ(port.on("$SYS/broker/usp/").size(), 11u);  // everything, once
  EXPECT_EQ(port.on("$SYS/broker/usp/agents/online")[0].payload, "0");
  EXPECT_TRUE(port.on("$SYS/broker/usp/agents/online")[0].retain);
  fake_client a(eid_a, 5);
  eng.on_acl_check(a, access::subscribe, "usp/agent/os::000413-A1B2C3", {});
  eng.on_tick();  // too early
  EXPECT_EQ(port.on("$SYS/broker/usp/").size(), 11u);
  port.steady += std::chrono::seconds(10);
  eng.on_tick();
  ASSERT_EQ(port.on("$SYS/broker/usp/").size(), 12u);  // only what changed
  EXPECT_EQ(port.messages.back().topic, "$SYS/broker/usp/agents/online");
  EXPECT_EQ(port.messages.back().payload, "1");
}

TEST(EngineStats, OffWithIntervalZero) {
  auto o = test::test_options();
  o.stats_interval_s = 0;
  test::fake_port port;
  engine eng(o, port);
  eng.on_tick();
  EXPECT_TRUE(port.messages.empty());
}

}  // namespace
}  // namespace usp::plugin

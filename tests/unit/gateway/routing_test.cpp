// The gateway's topic arithmetic and the plugin's presence events, without
// sockets: which controller a message is for, where an agent listens, and
// how a controller's Record reaches it on 5.0 and on 3.1.1.
#include <gtest/gtest.h>

#include "config/gateway_config.hpp"
#include "routing/presence.hpp"
#include "routing/topics.hpp"
#include "usp/partition.hpp"

namespace usp::gateway {
namespace {

gateway_config config_with(const std::string& extra = {}) {
  return parse_gateway_config(extra +
                                  "presence_topic: usp/presence/+\n"
                                  "controllers:\n"
                                  "  - endpoint_id: self::a\n"
                                  "    mqtt_topic: usp/controller/a\n"
                                  "    websocket: {url: ws://a.example/usp}\n"
                                  "  - endpoint_id: self::b\n"
                                  "    mqtt_topic: usp/controller/b\n"
                                  "    websocket: {url: ws://b.example/usp}\n",
                              "gateway.yaml");
}

TEST(TopicMap, SubscribesToEachControllerTopicAndPresence) {
  const topic_map t(config_with());
  EXPECT_EQ(t.filters(),
            (std::vector<std::string>{"usp/controller/a/#", "usp/controller/b/#", "usp/presence/+"}));
}

TEST(TopicMap, ClassifiesByControllerTopicAndSplitsTheReplyTo) {
  const topic_map t(config_with());
  auto in = t.classify("usp/controller/b");
  ASSERT_TRUE(in);
  EXPECT_EQ(in->controller, 1U);
  EXPECT_FALSE(in->reply_to);
  // R-MQTT.25: the text after the last "/reply-to=", with %2F as '/'.
  in = t.classify("usp/controller/a/reply-to=usp%2Fagent%2Fos::000413-000413000001");
  ASSERT_TRUE(in);
  EXPECT_EQ(in->controller, 0U);
  EXPECT_EQ(in->reply_to, "usp/agent/os::000413-000413000001");
  EXPECT_FALSE(t.classify("usp/controller/c"));
  EXPECT_FALSE(t.classify("usp/controller/a/other"));
  EXPECT_FALSE(t.classify("usp/controller"));
}

TEST(TopicMap, PartitionedGatewaysReadTheirPartitionsCopy) {
  const auto cfg = config_with("mqtt: {partition: 1/4, shared_group: gw}\n");
  const topic_map t(cfg);
  const auto prefix = partition_topic(cfg.mqtt.partition_prefix, 1, "");
  EXPECT_EQ(t.filters().front(), "$share/gw/" + prefix + "usp/controller/a/#");
  ASSERT_TRUE(t.classify(prefix + "usp/controller/a"));
  // The unpartitioned original and other partitions are not ours.
  EXPECT_FALSE(t.classify("usp/controller/a"));
  EXPECT_FALSE(t.classify(partition_topic(cfg.mqtt.partition_prefix, 2, "") + "usp/controller/a"));
}

TEST(TopicMap, PresenceTopicsNameTheAgent) {
  const topic_map t(config_with());
  EXPECT_EQ(t.presence_agent("usp/presence/os::000413-000413000001"), "os::000413-000413000001");
  EXPECT_FALSE(t.presence_agent("usp/controller/a"));
  EXPECT_FALSE(t.presence_agent("usp/presence/a/b"));
}

TEST(TopicMap, RepliesGoAsResponseTopicOn5AndAsReplyToSuffixOn311) {
  const topic_map t(config_with());
  agent_route r{"usp/agent/os::000413-000413000001", mqtt_version::v5, true};
  auto out = t.to_agent(r, 1);
  EXPECT_EQ(out.topic, "usp/agent/os::000413-000413000001");
  EXPECT_EQ(out.response_topic, "usp/controller/b");  // R-MQTT.23
  r.version = mqtt_version::v3_1_1;
  out = t.to_agent(r, 0);
  EXPECT_EQ(out.topic, "usp/agent/os::000413-000413000001/reply-to=usp%2Fcontroller%2Fa");  // R-MQTT.24
  EXPECT_TRUE(out.response_topic.empty());
}

TEST(TopicMap, GuessesFromTheTemplateUntilTheAgentSaysWhereItListens) {
  const topic_map t(config_with("agents: {topic_template: 'phones/{eid}/in'}\n"));
  auto r = t.guess("os::000413-000413000001");
  EXPECT_EQ(r.topic, "phones/os::000413-000413000001/in");
  EXPECT_FALSE(r.learned);
}

TEST(LearnRoute, TheConnectRecordNamesTopicAndVersion) {
  agent_route r{"guess", mqtt_version::v5, false};
  EXPECT_TRUE(learn_route(r, true, 0, "usp/agent/x", "", std::nullopt));  // MQTTConnectRecord V3_1_1 = 0
  EXPECT_EQ(r.topic, "usp/agent/x");
  EXPECT_EQ(r.version, mqtt_version::v3_1_1);
  EXPECT_TRUE(r.learned);
  EXPECT_FALSE(learn_route(r, true, 0, "usp/agent/x", "", std::nullopt)) << "nothing changed";
  EXPECT_TRUE(learn_route(r, true, 1, "usp/agent/x", "", std::nullopt));  // V5 = 1
  EXPECT_EQ(r.version, mqtt_version::v5);
}

TEST(LearnRoute, ResponseTopicOrReplyToOtherwise) {
  agent_route r{"guess", mqtt_version::v5, false};
  EXPECT_TRUE(learn_route(r, false, 0, "", "usp/agent/y", std::nullopt));
  EXPECT_EQ(r.topic, "usp/agent/y");
  EXPECT_EQ(r.version, mqtt_version::v5);
  EXPECT_TRUE(learn_route(r, false, 0, "", "", std::string("usp/agent/z")));
  EXPECT_EQ(r.topic, "usp/agent/z");
  EXPECT_EQ(r.version, mqtt_version::v3_1_1);
  // No hint at all (usp-js sends none): the route stays.
  EXPECT_FALSE(learn_route(r, false, 0, "", "", std::nullopt));
  EXPECT_FALSE(learn_route(r, false, 0, "", "", std::string()));
  EXPECT_EQ(r.topic, "usp/agent/z");
}

TEST(Presence, ParsesThePluginsEvents) {
  auto e = parse_presence(R"({"eid":"os::000413-000413000001","state":"online","mqtt":"3.1.1","client_id":"c",)"
                          R"("time":"2026-11-25T10:00:00Z"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->eid, "os::000413-000413000001");
  EXPECT_TRUE(e->online);
  EXPECT_EQ(e->version, mqtt_version::v3_1_1);
  e = parse_presence(R"({"state":"offline","eid":"os::x","reason":"abrupt","extra":"ignored"})");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->online);
  EXPECT_FALSE(e->version);
}

TEST(Presence, RefusesWhatIsNotSuchAnObject) {
  for (const char* bad : {"", "{", "[]", "null", R"({"eid":"os::x"})", R"({"state":"online"})",
                          R"({"eid":"os::x","state":"maybe"})", R"({"eid":1,"state":"online"})",
                          R"({"eid":"os::x","state":"online"} trailing)", "\xff\xfe"}) {
    EXPECT_FALSE(parse_presence(bad)) << bad;
  }
}

TEST(Partition, KOfNAsInTheConfigAndOnTheCommandLine) {
  mqtt_config m;
  EXPECT_FALSE(parse_partition("3/4", m));
  EXPECT_EQ(m.partition, 3U);
  EXPECT_EQ(m.partitions, 4U);
  for (const char* bad : {"4/4", "1", "/4", "1/0", "a/4", "1/4x", "-1/4", "1/99999", ""}) {
    mqtt_config untouched;
    EXPECT_TRUE(parse_partition(bad, untouched)) << bad;
    EXPECT_EQ(untouched.partitions, 1U) << bad;
  }
}

}  // namespace
}  // namespace usp::gateway

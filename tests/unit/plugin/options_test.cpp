// plugin_opt_* parsing: defaults, every option, and every error message.
#include "policy/options.hpp"

#include <fstream>

#include <gtest/gtest.h>

namespace usp::plugin {
namespace {

struct parsed {
  std::optional<plugin_options> options;
  std::string error;
};

parsed parse(std::vector<option_line> lines) {
  parsed p;
  p.options = parse_options(lines, p.error);
  return p;
}

// A valid base plus one more line.
parsed with(std::string_view key, std::string_view value) {
  return parse({{"controller_topics", "usp/controller/acme"}, {key, value}});
}

TEST(PluginOptions, DefaultsNeedOnlyControllerTopics) {
  const auto p = parse({{"controller_topics", "usp/controller/acme usp/controller/other"}});
  ASSERT_TRUE(p.options) << p.error;
  const auto& o = *p.options;
  EXPECT_EQ(o.identity, identity_source::client_id);
  EXPECT_EQ(o.agent_topic, "usp/agent/{eid}");
  EXPECT_EQ(o.controller_topics, (std::vector<std::string>{"usp/controller/acme", "usp/controller/other"}));
  EXPECT_TRUE(o.privileged_usernames.empty());
  EXPECT_EQ(o.max_record_bytes, 65536u);
  EXPECT_EQ(o.presence_topic, "");
  EXPECT_EQ(o.partitions, 1u);
  EXPECT_EQ(o.partition_prefix, "usp/part");
  EXPECT_EQ(o.stats_topic, "$SYS/broker/usp");
  EXPECT_EQ(o.stats_interval_s, 10u);
  EXPECT_EQ(o.non_usp_acl, non_usp_policy::allow);
  EXPECT_EQ(p.error, "");
}

TEST(PluginOptions, EveryOptionAsInterfacesShowsIt) {
  const auto p = parse({{"identity", "cert_san"},
                        {"agent_topic", "usp/agent/{eid}"},
                        {"controller_topics", " usp/controller/acme\tusp/controller/other "},
                        {"privileged_usernames", "usp-gateway ctl-1"},
                        {"max_record_bytes", "1048576"},
                        {"presence_topic", "usp/presence/{eid}"},
                        {"partitions", "4"},
                        {"partition_prefix", "usp/part"},
                        {"stats_topic", "$SYS/broker/usp"},
                        {"stats_interval_s", "30"},
                        {"non_usp_acl", "defer"}});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->identity, identity_source::cert_san);
  EXPECT_EQ(p.options->controller_topics.size(), 2u);
  EXPECT_EQ(p.options->privileged_usernames, (std::vector<std::string>{"usp-gateway", "ctl-1"}));
  EXPECT_EQ(p.options->max_record_bytes, 1048576u);
  EXPECT_EQ(p.options->presence_topic, "usp/presence/{eid}");
  EXPECT_EQ(p.options->partitions, 4u);
  EXPECT_EQ(p.options->stats_interval_s, 30u);
  EXPECT_EQ(p.options->non_usp_acl, non_usp_policy::defer);
}

TEST(PluginOptions, IdentitySources) {
  EXPECT_EQ(with("identity", "client_id").options->identity, identity_source::client_id);
  EXPECT_EQ(with("identity", "username").options->identity, identity_source::username);
  EXPECT_EQ(with("identity", "cert_cn").options->identity, identity_source::cert_cn);
  EXPECT_EQ(with("identity", "cert_san").options->identity, identity_source::cert_san);
}

TEST(PluginOptions, QuotedEmptyTurnsPresenceAndStatsOff) {
  // mosquitto refuses an empty value ("Empty ... value in configuration").
  EXPECT_EQ(with("presence_topic", "\"\"").options->presence_topic, "");
  EXPECT_EQ(with("stats_topic", "\"\"").options->stats_topic, "");
  EXPECT_EQ(with("stats_interval_s", "0").options->stats_interval_s, 0u);
}

struct bad_case {
  std::vector<option_line> lines;
  std::string error;
};

class PluginOptionErrors : public ::testing::TestWithParam<bad_case> {};

TEST_P(PluginOptionErrors, OneClearLine) {
  const auto p = parse(GetParam().lines);
  EXPECT_FALSE(p.options);
  EXPECT_EQ(p.error, GetParam().error);
  EXPECT_EQ(p.error.find('\n'), std::string::npos);
}

constexpr const char* ctrl = "usp/controller/acme";

// Test names from the option the case is about.
std::string case_name(const ::testing::TestParamInfo<bad_case>& info) {
  std::string key = info.param.lines.empty() ? "none" : std::string(info.param.lines.back().key);
  return key + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(
    Each, PluginOptionErrors,
    ::testing::Values(
        bad_case{{{"controller_topics", ctrl}, {"colour", "blue"}},
                 "plugin_opt_colour: unknown option (known: identity, agent_topic, controller_topics, "
                 "privileged_usernames, max_record_bytes, presence_topic, partitions, partition_prefix, stats_topic, "
                 "stats_interval_s, non_usp_acl)"},
        bad_case{{}, "plugin_opt_controller_topics: required: the topics where agents publish, separated by spaces"},
        bad_case{{{"controller_topics", ctrl}, {"identity", "mac"}},
                 "plugin_opt_identity: must be client_id, username, cert_cn or cert_san, got \"mac\""},
        bad_case{{{"controller_topics", ctrl}, {"identity", "username"}, {"identity", "client_id"}},
                 "plugin_opt_identity: given twice"},
        bad_case{{{"controller_topics", ctrl}, {"identity", "  "}}, "plugin_opt_identity: needs a value"},
        bad_case{{{"controller_topics", ctrl}, {"agent_topic", "usp/agent"}},
                 "plugin_opt_agent_topic: must contain {eid} exactly once, got \"usp/agent\""},
        bad_case{{{"controller_topics", ctrl}, {"agent_topic", "usp/{eid}/{eid}"}},
                 "plugin_opt_agent_topic: must contain {eid} exactly once, got \"usp/{eid}/{eid}\""},
        bad_case{{{"controller_topics", ctrl}, {"agent_topic", "usp/agent-{eid}"}},
                 "plugin_opt_agent_topic: {eid} must be a whole topic level (like usp/agent/{eid}), got "
                 "\"usp/agent-{eid}\""},
        bad_case{{{"controller_topics", ctrl}, {"agent_topic", "usp/+/{eid}"}},
                 "plugin_opt_agent_topic: must not contain the wildcards + or #, got \"usp/+/{eid}\""},
        bad_case{{{"controller_topics", ctrl}, {"agent_topic", "$usp/{eid}"}},
                 "plugin_opt_agent_topic: must not start with $ (reserved for the broker), got \"$usp/{eid}\""},
        bad_case{{{"controller_topics", "usp/controller/#"}},
                 "plugin_opt_controller_topics: must not contain the wildcards + or #, got \"usp/controller/#\""},
        bad_case{{{"controller_topics", "usp/c/reply-to=x"}},
                 "plugin_opt_controller_topics: must not contain /reply-to= (agents add it, R-MQTT.24), got "
                 "\"usp/c/reply-to=x\""},
        bad_case{{{"controller_topics", "usp/c/{eid}"}}, "plugin_opt_controller_topics: takes no {eid}, got \"usp/c/{eid}\""},
        bad_case{{{"controller_topics", "$SYS/c"}}, "plugin_opt_controller_topics: must not start with $, got \"$SYS/c\""},
        bad_case{{{"controller_topics", "usp/c usp/c"}}, "plugin_opt_controller_topics: \"usp/c\" is listed twice"},
        bad_case{{{"controller_topics", "usp/agent/x"}},
                 "plugin_opt_controller_topics: \"usp/agent/x\" overlaps agent_topic \"usp/agent/{eid}\""},
        bad_case{{{"controller_topics", "usp/presence/x"}, {"presence_topic", "usp/presence/{eid}"}},
                 "plugin_opt_controller_topics: \"usp/presence/x\" overlaps presence_topic \"usp/presence/{eid}\""},
        bad_case{{{"controller_topics", "usp/part/c"}, {"partitions", "2"}},
                 "plugin_opt_controller_topics: \"usp/part/c\" overlaps partition_prefix \"usp/part\""},
        bad_case{{{"controller_topics", "usp"}},
                 "plugin_opt_controller_topics: \"usp\" overlaps agent_topic \"usp/agent/{eid}\""},
        bad_case{{{"controller_topics", "usp/c usp/c/sub"}},
                 "plugin_opt_controller_topics: \"usp/c/sub\" overlaps another, controller_topics \"usp/c\""},
        bad_case{{{"controller_topics", "usp/agent/foo"}, {"agent_topic", "usp/agent/{eid}/in"}},
                 "plugin_opt_controller_topics: \"usp/agent/foo\" overlaps agent_topic \"usp/agent/{eid}/in\""},
        bad_case{{{"controller_topics", ctrl}, {"partitions", "2"}, {"partition_prefix", "usp/agent"}},
                 "plugin_opt_partition_prefix: \"usp/agent\" overlaps agent_topic \"usp/agent/{eid}\""},
        bad_case{{{"controller_topics", ctrl}, {"presence_topic", "usp/agent/{eid}"}},
                 "plugin_opt_presence_topic: \"usp/agent/{eid}\" overlaps agent_topic \"usp/agent/{eid}\""},
        bad_case{{{"controller_topics", ctrl}, {"max_record_bytes", "0"}},
                 "plugin_opt_max_record_bytes: must be an integer from 1 to 268435455, got \"0\""},
        bad_case{{{"controller_topics", ctrl}, {"max_record_bytes", "64k"}},
                 "plugin_opt_max_record_bytes: must be an integer from 1 to 268435455, got \"64k\""},
        bad_case{{{"controller_topics", ctrl}, {"partitions", "-1"}},
                 "plugin_opt_partitions: must be an integer from 1 to 1024, got \"-1\""},
        bad_case{{{"controller_topics", ctrl}, {"partitions", "99999999999999999999"}},
                 "plugin_opt_partitions: must be an integer from 1 to 1024, got \"99999999999999999999\""},
        bad_case{{{"controller_topics", ctrl}, {"partition_prefix", "usp/part/"}},
                 "plugin_opt_partition_prefix: must not end with / or start with $, got \"usp/part/\""},
        bad_case{{{"controller_topics", ctrl}, {"partition_prefix", "usp/#"}},
                 "plugin_opt_partition_prefix: must not contain the wildcards + or #, got \"usp/#\""},
        bad_case{{{"controller_topics", ctrl}, {"stats_topic", "$SYS/usp/+"}},
                 "plugin_opt_stats_topic: must not contain the wildcards + or #, got \"$SYS/usp/+\""},
        bad_case{{{"controller_topics", ctrl}, {"stats_interval_s", "often"}},
                 "plugin_opt_stats_interval_s: must be an integer from 0 to 86400, got \"often\""},
        bad_case{{{"controller_topics", ctrl}, {"non_usp_acl", "deny"}},
                 "plugin_opt_non_usp_acl: must be allow or defer, got \"deny\""}),
    case_name);

}  // namespace
}  // namespace usp::plugin

namespace usp::plugin {
namespace {

TEST(PluginOptions, TheShippedExampleConfigIsValid) {
  std::ifstream f(std::string(USP_SOURCE_DIR) + "/config/mosquitto-usp.conf");
  ASSERT_TRUE(f) << "config/mosquitto-usp.conf is missing";
  std::vector<std::string> keys, values;
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("plugin_opt_", 0) != 0) continue;
    const auto sp = line.find(' ');
    keys.push_back(line.substr(11, sp - 11));
    values.push_back(sp == std::string::npos ? "" : line.substr(sp + 1));
  }
  std::vector<option_line> lines;
  for (std::size_t i = 0; i < keys.size(); ++i) lines.push_back({keys[i], values[i]});
  EXPECT_EQ(lines.size(), 11u);  // every option, documented
  std::string error;
  const auto o = parse_options(lines, error);
  ASSERT_TRUE(o) << error;
  EXPECT_EQ(o->presence_topic, "usp/presence/{eid}");
}

}  // namespace
}  // namespace usp::plugin

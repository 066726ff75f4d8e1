// The ACL matrix and the topic space it rests on.
#include "policy/acl.hpp"

#include <gtest/gtest.h>

#include "plugin_fakes.hpp"

namespace usp::plugin {
namespace {

using test::eid_a;
using test::eid_b;

identity agent(const char* eid) { return {role::agent, eid}; }
const identity privileged{role::privileged, {}};
const identity nobody{};

class Acl : public ::testing::Test {
 protected:
  Acl() : opts_(with_partitions()), ts_(opts_) {}
  static plugin_options with_partitions() {
    auto o = test::test_options();
    o.partitions = 4;
    return o;
  }
  verdict check(const identity& id, access a, std::string_view topic) { return decide(ts_, id, a, topic).result; }

  plugin_options opts_;
  topic_space ts_;
};

TEST(TopicTemplate, MatchesItsTopicAndLevelsBelow) {
  std::string why;
  const auto t = topic_template::parse("usp/agent/{eid}", why);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->expand("os::1-2"), "usp/agent/os::1-2");
  auto m = t->match_topic("usp/agent/os::1-2");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->eid, "os::1-2");
  EXPECT_TRUE(m->exact);
  m = t->match_topic("usp/agent/os::1-2/reply-to=x");
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->exact);
  EXPECT_FALSE(t->match_topic("usp/agent/"));
  EXPECT_FALSE(t->match_topic("usp/agent"));
  EXPECT_FALSE(t->match_topic("usp/agents/x"));
}

TEST(TopicTemplate, EidInTheMiddle) {
  std::string why;
  const auto t = topic_template::parse("site/{eid}/usp", why);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->match_topic("site/os::1-2/usp")->eid, "os::1-2");
  EXPECT_FALSE(t->match_topic("site/os::1-2/other"));
  EXPECT_FALSE(t->match_topic("site/os::1-2/usper"));
  EXPECT_FALSE(t->match_topic("site/os::1-2/usp")->exact == false);
}

TEST_F(Acl, ClassifiesTheTopicSpace) {
  EXPECT_EQ(ts_.classify("usp/agent/x").kind, space::agent);
  EXPECT_EQ(ts_.classify("usp/controller/acme").kind, space::controller);
  EXPECT_TRUE(ts_.classify("usp/controller/acme").controller_form);
  const auto reply = ts_.classify("usp/controller/acme/reply-to=usp%2Fagent%2Fx");
  EXPECT_EQ(reply.kind, space::controller);
  EXPECT_TRUE(reply.controller_form);
  EXPECT_TRUE(reply.has_reply_to);
  // Below a controller topic but not its reply-to form: still USP, wrong form.
  EXPECT_EQ(ts_.classify("usp/controller/acme/extra").kind, space::controller);
  EXPECT_FALSE(ts_.classify("usp/controller/acme/extra").controller_form);
  EXPECT_FALSE(ts_.classify("usp/controller/acme/reply-to=a/reply-to=b").controller_form);
  EXPECT_EQ(ts_.classify("usp/part/3/usp/controller/acme").kind, space::partition);
  EXPECT_EQ(ts_.classify("usp/presence/x").kind, space::presence);
  EXPECT_EQ(ts_.classify("usp/controller/acmex").kind, space::none);
  EXPECT_EQ(ts_.classify("home/kitchen/temp").kind, space::none);
  EXPECT_EQ(ts_.classify("$SYS/broker/uptime").kind, space::none);
}

TEST_F(Acl, AgentSubscribesToItsOwnTopicOnly) {
  const auto a = agent(eid_a);
  EXPECT_EQ(check(a, access::subscribe, "usp/agent/os::000413-A1B2C3"), verdict::allow);
  EXPECT_EQ(check(a, access::subscribe, "usp/agent/os::000413-A1B2C3/#"), verdict::allow);  // R-MQTT.15, 3.1.1
  EXPECT_EQ(check(a, access::subscribe, "usp/agent/os::000413-B1B2C3"), verdict::deny);
  EXPECT_EQ(check(a, access::subscribe, "usp/agent/+"), verdict::deny);
  EXPECT_EQ(check(a, access::subscribe, "usp/agent/#"), verdict::deny);
  EXPECT_EQ(check(a, access::subscribe, "#"), verdict::deny);
  EXPECT_EQ(check(a, access::subscribe, "usp/agent/os::000413-A1B2C3/+"), verdict::deny);
  EXPECT_EQ(check(a, access::subscribe, "usp/controller/acme"), verdict::deny);
  EXPECT_EQ(check(a, access::subscribe, "usp/presence/os::000413-A1B2C3"), verdict::deny);
  EXPECT_EQ(check(a, access::subscribe, "$share/g/usp/agent/os::000413-A1B2C3"), verdict::deny);
  EXPECT_EQ(check(a, access::subscribe, "$SYS/#"), verdict::deny);
  EXPECT_EQ(check(a, access::subscribe, "home/kitchen"), verdict::deny);
  EXPECT_EQ(check(a, access::unsubscribe, "anything/#"), verdict::allow);
}

TEST_F(Acl, AgentReadsOnlyItsOwnTopic) {
  const auto a = agent(eid_a);
  EXPECT_EQ(check(a, access::read, "usp/agent/os::000413-A1B2C3"), verdict::allow);
  EXPECT_EQ(check(a, access::read, "usp/agent/os::000413-A1B2C3/reply-to=usp%2Fcontroller%2Facme"), verdict::allow);
  EXPECT_EQ(check(a, access::read, "usp/agent/os::000413-B1B2C3"), verdict::deny);
  EXPECT_EQ(check(a, access::read, "usp/controller/acme"), verdict::deny);
  EXPECT_EQ(check(a, access::read, "usp/presence/os::000413-A1B2C3"), verdict::deny);
  EXPECT_EQ(check(a, access::read, "$SYS/broker/clients/connected"), verdict::deny);
  EXPECT_EQ(check(a, access::read, "home/kitchen"), verdict::deny);
}

TEST_F(Acl, AgentWritesToControllerTopicsOnly) {
  const auto a = agent(eid_a);
  EXPECT_EQ(check(a, access::write, "usp/controller/acme"), verdict::allow);
  EXPECT_EQ(check(a, access::write, "usp/controller/other"), verdict::allow);
  EXPECT_EQ(check(a, access::write, "usp/controller/acme/reply-to=usp%2Fagent%2Fos::000413-A1B2C3"), verdict::allow);
  EXPECT_EQ(check(a, access::write, "usp/controller/acme/extra"), verdict::deny);
  EXPECT_EQ(check(a, access::write, "usp/controller/unknown"), verdict::deny);
  EXPECT_EQ(check(a, access::write, "usp/agent/os::000413-B1B2C3"), verdict::deny);  // no agent to agent
  EXPECT_EQ(check(a, access::write, "usp/agent/os::000413-A1B2C3"), verdict::deny);
  EXPECT_EQ(check(a, access::write, "usp/presence/os::000413-A1B2C3"), verdict::deny);
  EXPECT_EQ(check(a, access::write, "usp/part/0/usp/controller/acme"), verdict::deny);
  EXPECT_EQ(check(a, access::write, "home/kitchen"), verdict::deny);
}

TEST_F(Acl, PrivilegedHasTheWholeUspSpaceAndPassesElsewhere) {
  for (auto a : {access::subscribe, access::read, access::write}) {
    EXPECT_EQ(check(privileged, a, "usp/agent/os::000413-A1B2C3"), verdict::allow);
    EXPECT_EQ(check(privileged, a, "usp/controller/acme"), verdict::allow);
    EXPECT_EQ(check(privileged, a, "usp/presence/os::000413-A1B2C3"), verdict::allow);
    EXPECT_EQ(check(privileged, a, "usp/part/1/usp/controller/acme"), verdict::allow);
    EXPECT_EQ(check(privileged, a, "home/kitchen"), verdict::pass);
  }
  // Filters that can reach USP topics are allowed; others are not ours.
  EXPECT_EQ(check(privileged, access::subscribe, "usp/presence/+"), verdict::allow);
  EXPECT_EQ(check(privileged, access::subscribe, "usp/agent/+/#"), verdict::allow);
  EXPECT_EQ(check(privileged, access::subscribe, "usp/+/acme"), verdict::allow);
  EXPECT_EQ(check(privileged, access::subscribe, "#"), verdict::allow);
  EXPECT_EQ(check(privileged, access::subscribe, "usp/+"), verdict::allow);  // reaches "usp/part"
  EXPECT_EQ(check(privileged, access::subscribe, "home/+"), verdict::pass);
  EXPECT_EQ(check(privileged, access::subscribe, "home/#"), verdict::pass);
  EXPECT_EQ(check(privileged, access::subscribe, "$share/gw/usp/controller/acme"), verdict::allow);
  EXPECT_EQ(check(privileged, access::subscribe, "usp/part/2/#"), verdict::allow);
}

TEST_F(Acl, NoIdentityGetsNothingUspAndPassesElsewhere) {
  EXPECT_EQ(check(nobody, access::subscribe, "usp/agent/os::000413-A1B2C3"), verdict::deny);
  EXPECT_EQ(check(nobody, access::subscribe, "usp/controller/acme/#"), verdict::deny);
  EXPECT_EQ(check(nobody, access::subscribe, "$share/g/usp/controller/acme"), verdict::deny);
  // A broad filter is accepted; READ checks keep USP messages from it.
  EXPECT_EQ(check(nobody, access::subscribe, "#"), verdict::pass);
  EXPECT_EQ(check(nobody, access::subscribe, "usp/agent/+"), verdict::pass);
  EXPECT_EQ(check(nobody, access::read, "usp/agent/os::000413-A1B2C3"), verdict::deny);
  EXPECT_EQ(check(nobody, access::read, "usp/presence/os::000413-A1B2C3"), verdict::deny);
  EXPECT_EQ(check(nobody, access::write, "usp/controller/acme"), verdict::deny);
  EXPECT_EQ(check(nobody, access::write, "usp/agent/os::000413-A1B2C3"), verdict::deny);
  EXPECT_EQ(check(nobody, access::unsubscribe, "usp/agent/os::000413-A1B2C3"), verdict::allow);
  EXPECT_EQ(check(nobody, access::unsubscribe, "home/#"), verdict::pass);
  EXPECT_EQ(check(nobody, access::read, "home/kitchen"), verdict::pass);
  EXPECT_EQ(check(nobody, access::write, "home/kitchen"), verdict::pass);
  EXPECT_EQ(check(nobody, access::read, "$SYS/broker/usp/records/accepted"), verdict::pass);
}

}  // namespace
}  // namespace usp::plugin

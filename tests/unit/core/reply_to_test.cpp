#include "usp/reply_to.hpp"

#include <gtest/gtest.h>

namespace usp {
namespace {

TEST(ReplyTo, AppendsWithSlashesEscaped) {
  // The spec's example (R-MQTT.24), without the stray space.
  EXPECT_EQ(append_reply_to("usp/agents/cid:3AA3F8:my-unique-usp-id-42",
                            "usp/controllers/oui:00256D:my-unique-bbf-id-42"),
            "usp/agents/cid:3AA3F8:my-unique-usp-id-42/reply-to=usp%2Fcontrollers%2Foui:00256D:my-unique-bbf-id-42");
}

TEST(ReplyTo, ReadsWhatTheReferenceAgentSends) {
  const auto s = split_reply_to("usp/controller/test/reply-to=usp%2Fagent%2Fos::012345-OBUSPA0001");
  EXPECT_EQ(s.destination, "usp/controller/test");
  ASSERT_TRUE(s.reply_to);
  EXPECT_EQ(*s.reply_to, "usp/agent/os::012345-OBUSPA0001");
}

TEST(ReplyTo, TakesTheTextAfterTheLastMarker) {
  const auto s = split_reply_to("usp/ctl/reply-to=x/reply-to=usp%2Fagent%2Fa");
  EXPECT_EQ(s.destination, "usp/ctl/reply-to=x");
  ASSERT_TRUE(s.reply_to);
  EXPECT_EQ(*s.reply_to, "usp/agent/a");
}

TEST(ReplyTo, MarkerInsideTheReplyTopicIsEscapedAndSurvives) {
  const auto topic = append_reply_to("usp/ctl", "usp/odd/reply-to=x");
  const auto s = split_reply_to(topic);  // views into `topic`
  EXPECT_EQ(s.destination, "usp/ctl");
  EXPECT_EQ(s.reply_to.value_or(""), "usp/odd/reply-to=x");
}

TEST(ReplyTo, NoMarkerMeansNoReplyTo) {
  const auto s = split_reply_to("usp/controller/acme");
  EXPECT_EQ(s.destination, "usp/controller/acme");
  EXPECT_FALSE(s.reply_to);
}

TEST(ReplyTo, EmptyReplyToIsNone) {
  const auto s = split_reply_to("usp/controller/acme/reply-to=");
  EXPECT_EQ(s.destination, "usp/controller/acme");
  EXPECT_FALSE(s.reply_to);
}

TEST(ReplyTo, AcceptsLowerCaseEscapes) {
  EXPECT_EQ(split_reply_to("t/reply-to=a%2fb").reply_to.value_or(""), "a/b");
}

TEST(ReplyTo, PercentTwoFInsideAnEndpointIdBecomesASlash) {
  // R-MQTT.25 turns every %2F into '/', so an EID holding a literal "%2F"
  // cannot travel in a 3.1.1 reply-to; we detect such topics up front.
  const auto topic = append_reply_to("usp/ctl", "usp/agent/self::a%2Fb");
  EXPECT_EQ(split_reply_to(topic).reply_to.value_or(""), "usp/agent/self::a/b");
  EXPECT_TRUE(reply_to_is_ambiguous("usp/agent/self::a%2Fb"));
  EXPECT_TRUE(reply_to_is_ambiguous("x%2f"));
  EXPECT_FALSE(reply_to_is_ambiguous("usp/agent/os::000413-A1B2C3"));
  EXPECT_FALSE(reply_to_is_ambiguous("a%25b"));
}

TEST(ReplyTo, RoundTripsOrdinaryTopics) {
  for (const char* t : {"usp/agent/os::000413-A1B2C3", "a", "a/b/c/d", "/leading", "trailing/"}) {
    const auto topic = append_reply_to("dest", t);
    const auto s = split_reply_to(topic);
    EXPECT_EQ(s.destination, "dest");
    EXPECT_EQ(s.reply_to.value_or("<none>"), t);
  }
}

}  // namespace
}  // namespace usp

// Record checks on agent and controller topics: size, Record, from_id,
// reply-to and MQTT 5 Content Type.
#include "policy/validation.hpp"

#include <gtest/gtest.h>

#include "plugin_fakes.hpp"
#include "usp/record.hpp"

namespace usp::plugin {
namespace {

using test::ctrl_eid;
using test::eid_a;
using test::eid_b;

class Validation : public ::testing::Test {
 protected:
  Validation() : opts_(test::test_options()), ts_(opts_) {}

  std::optional<drop_reason> check(const identity& id, std::string_view topic, std::string_view payload,
                                   std::uint32_t max = 65536) {
    return check_record(ts_, id, topic, ts_.classify(topic), payload, max);
  }

  plugin_options opts_;
  topic_space ts_;
  identity a_{role::agent, eid_a};
  identity gw_{role::privileged, {}};
};

TEST_F(Validation, AnAgentsOwnRecordPasses) {
  const auto rec = usp::make_no_session_record(eid_a, ctrl_eid, std::string_view("msg"));
  EXPECT_EQ(check(a_, "usp/controller/acme", rec), std::nullopt);
  std::string_view from;
  EXPECT_EQ(check_record(ts_, a_, "usp/controller/acme", ts_.classify("usp/controller/acme"), rec, 65536, &from),
            std::nullopt);
  EXPECT_EQ(from, eid_a);
}

TEST_F(Validation, SpoofedFromIdIsDropped) {
  // R-SEC.4b: the broker enforces from_id = the authenticated identity.
  const auto rec = usp::make_no_session_record(eid_b, ctrl_eid, std::string_view("msg"));
  EXPECT_EQ(check(a_, "usp/controller/acme", rec), drop_reason::spoofed_from_id);
}

TEST_F(Validation, PrivilegedClientsSendAsAnyEndpoint) {
  const auto rec = usp::make_no_session_record(ctrl_eid, eid_a, std::string_view("msg"));
  EXPECT_EQ(check(gw_, "usp/agent/os::000413-A1B2C3", rec), std::nullopt);
}

TEST_F(Validation, GarbageIsNoRecord) {
  EXPECT_EQ(check(a_, "usp/controller/acme", "hello"), drop_reason::not_a_record);
  EXPECT_EQ(check(a_, "usp/controller/acme", ""), drop_reason::not_a_record);
  EXPECT_EQ(check(gw_, "usp/agent/os::000413-A1B2C3", std::string("\xff\xff\xff", 3)), drop_reason::not_a_record);
}

TEST_F(Validation, OversizeComesFirst) {
  const auto rec = usp::make_no_session_record(eid_a, ctrl_eid, std::string(200, 'x'));
  EXPECT_EQ(check(a_, "usp/controller/acme", rec, 100), drop_reason::too_large);
  EXPECT_EQ(check(a_, "usp/controller/acme", rec, static_cast<std::uint32_t>(rec.size())), std::nullopt);
}

TEST_F(Validation, ReplyToMustPointAtTheAgentsOwnTopic) {
  const auto rec = usp::make_no_session_record(eid_a, ctrl_eid, std::string_view("msg"));
  EXPECT_EQ(check(a_, "usp/controller/acme/reply-to=usp%2Fagent%2Fos::000413-A1B2C3", rec), std::nullopt);
  EXPECT_EQ(check(a_, "usp/controller/acme/reply-to=usp%2Fagent%2Fos::000413-B1B2C3", rec),
            drop_reason::bad_reply_to);
  EXPECT_EQ(check(a_, "usp/controller/acme/reply-to=", rec), drop_reason::bad_reply_to);
}

TEST_F(Validation, ContentTypeAndResponseTopic) {
  EXPECT_TRUE(is_usp_content_type("usp.msg"));                       // R-MQTT.27
  EXPECT_TRUE(is_usp_content_type("application/vnd.bbf.usp.msg"));   // R-MQTT.27a
  EXPECT_FALSE(is_usp_content_type("application/json"));
  EXPECT_FALSE(is_usp_content_type("usp.error"));                    // gone since 1.2
  EXPECT_EQ(check_properties(ts_, a_, std::nullopt, std::nullopt), std::nullopt);
  EXPECT_EQ(check_properties(ts_, a_, "usp.msg", "usp/agent/os::000413-A1B2C3"), std::nullopt);
  EXPECT_EQ(check_properties(ts_, a_, "text/plain", std::nullopt), drop_reason::bad_content_type);
  EXPECT_EQ(check_properties(ts_, a_, std::nullopt, "usp/agent/os::000413-B1B2C3"), drop_reason::bad_reply_to);
  EXPECT_EQ(check_properties(ts_, gw_, std::nullopt, "usp/controller/acme"), std::nullopt);
  EXPECT_EQ(check_properties(ts_, gw_, "json", std::nullopt), drop_reason::bad_content_type);
}

}  // namespace
}  // namespace usp::plugin

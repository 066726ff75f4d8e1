#include "usp/endpoint_id.hpp"

#include <gtest/gtest.h>

namespace usp {
namespace {

struct eid_case {
  const char* eid;
  bool valid;
};

class EndpointIdTable : public ::testing::TestWithParam<eid_case> {};

TEST_P(EndpointIdTable, MatchesTheSchemeRules) {
  std::string why;
  const auto parsed = parse_endpoint_id(GetParam().eid, &why);
  EXPECT_EQ(parsed.has_value(), GetParam().valid) << GetParam().eid << ": " << why;
  if (!GetParam().valid) {
    EXPECT_FALSE(why.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Spec, EndpointIdTable,
    ::testing::Values(
        // valid (R-ARC.2a examples and our phones)
        eid_case{"oui:00256D:my-unique-bbf-id-42", true}, eid_case{"cid:3AA3F8:my-unique-usp-id-42", true},
        eid_case{"pen:3561:my-unique-bbf-id-42", true}, eid_case{"self::my-Agent", true},
        eid_case{"self:abc:x", true}, eid_case{"user::x.y_z", true}, eid_case{"os::00256D-0123456789", true},
        eid_case{"os::000413-000413A1B2C3", true}, eid_case{"ops::00256D-STB-0123456789", true},
        eid_case{"uuid::f81d4fae-7dec-11d0-a765-00a0c91e6bf6", true}, eid_case{"imei::990000862471854", true},
        eid_case{"proto::my-Agent", true}, eid_case{"doc::example", true}, eid_case{"fqdn::agent.example.com", true},
        eid_case{"self::a%2Fb", true}, eid_case{"os::012345-OBUSPA0001", true},
        // invalid
        eid_case{"", false}, eid_case{"self", false}, eid_case{"self:x", false}, eid_case{"bogus::x", false},
        eid_case{"oui:0025:x", false}, eid_case{"oui:00256G:x", false}, eid_case{"cid:3AA3F8A:x", false},
        eid_case{"pen:abc:x", false}, eid_case{"self:toolong7:x", false}, eid_case{"proto:a.b:x", false},
        eid_case{"os:x:00256D-1", false}, eid_case{"os::nooui", false}, eid_case{"ops::00256D-STB", false},
        eid_case{"uuid::not-a-uuid", false}, eid_case{"imei::12ab", false}, eid_case{"fqdn::-bad.example", false},
        eid_case{"self::", false}, eid_case{"self::has space", false}, eid_case{"self::a/b", false},
        eid_case{"self::a+b", false}, eid_case{"self::a#b", false}, eid_case{"self::a:b", false},
        eid_case{"self::a%2", false}, eid_case{"self::a%zz", false},
        eid_case{"self::a/reply-to=b", false},
        eid_case{"self::012345678901234567890123456789012345678901234567890", false}));  // 51 chars

TEST(EndpointId, SplitsItsThreeParts) {
  const auto p = parse_endpoint_id("oui:00256D:my-id");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->scheme, "oui");
  EXPECT_EQ(p->authority, "00256D");
  EXPECT_EQ(p->instance, "my-id");
}

TEST(EndpointId, FiftyCharacterInstanceIsTheLimit) {
  EXPECT_TRUE(is_valid_endpoint_id("self::" + std::string(50, 'a')));
  EXPECT_FALSE(is_valid_endpoint_id("self::" + std::string(51, 'a')));
}

TEST(EndpointId, PrototypingSchemes) {
  EXPECT_TRUE(is_prototyping_scheme("proto"));
  EXPECT_TRUE(is_prototyping_scheme("doc"));
  EXPECT_FALSE(is_prototyping_scheme("os"));
}

}  // namespace
}  // namespace usp

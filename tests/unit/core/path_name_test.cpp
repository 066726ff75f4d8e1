#include "usp/path_name.hpp"

#include <gtest/gtest.h>

namespace usp {
namespace {

using kind = path_segment::kind;

TEST(PathName, ObjectAndParameterPaths) {
  auto p = parse_path("Device.DeviceInfo.");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->target, path_target::object);
  ASSERT_EQ(p->segments.size(), 2u);
  EXPECT_EQ(p->segments[1].name, "DeviceInfo");
  EXPECT_FALSE(p->is_search());

  p = parse_path("Device.DeviceInfo.SoftwareVersion");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->target, path_target::parameter);
  EXPECT_EQ(p->segments.back().name, "SoftwareVersion");
}

TEST(PathName, InstanceNumbersAndWildcards) {
  auto p = parse_path("Device.LocalAgent.Controller.2.MTP.*.MQTT.Topic");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->segments[3].type, kind::instance);
  EXPECT_EQ(p->segments[3].instance, 2u);
  EXPECT_EQ(p->segments[5].type, kind::wildcard);
  EXPECT_TRUE(p->is_search());
  EXPECT_EQ(p->to_string(), "Device.LocalAgent.Controller.2.MTP.*.MQTT.Topic");
}

TEST(PathName, SearchExpressions) {
  auto p = parse_path("Device.LocalAgent.Subscription.[Enable==true&&NotifType==\"ValueChange\"].ID");
  ASSERT_TRUE(p);
  const auto& s = p->segments[3];
  ASSERT_EQ(s.type, kind::search);
  ASSERT_EQ(s.conditions.size(), 2u);
  EXPECT_EQ(s.conditions[0].param, "Enable");
  EXPECT_EQ(s.conditions[0].op, cmp_op::eq);
  EXPECT_EQ(s.conditions[0].value, "true");
  EXPECT_FALSE(s.conditions[0].quoted);
  EXPECT_EQ(s.conditions[1].value, "ValueChange");
  EXPECT_TRUE(s.conditions[1].quoted);
  EXPECT_TRUE(p->is_search());
}

TEST(PathName, AllOperatorsAndRelativeParameters) {
  auto p = parse_path("Device.IP.Interface.[Stats.ErrorsSent>=10&&MaxMTUSize<1500&&Type!=\"Loopback\"].Name");
  ASSERT_TRUE(p);
  const auto& c = p->segments[3].conditions;
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].param, "Stats.ErrorsSent");
  EXPECT_EQ(c[0].op, cmp_op::ge);
  EXPECT_EQ(c[1].op, cmp_op::lt);
  EXPECT_EQ(c[2].op, cmp_op::ne);
  for (const char* op : {"==", "!=", "<", ">", "<=", ">="}) {
    const std::string text = std::string("Device.X.[A") + op + "1].";
    auto q = parse_path(text);
    ASSERT_TRUE(q) << text;
    EXPECT_EQ(q->to_string(), text);
  }
}

TEST(PathName, UniqueKeyAddressingWithEscapes) {
  // Quotes and percent signs inside strings are written %22 and %25.
  auto p = parse_path("Device.LocalAgent.Controller.[EndpointID==\"self::say%22hi%22%25\"].Enable");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->segments[3].conditions[0].value, "self::say\"hi\"%");
  EXPECT_EQ(p->to_string(), "Device.LocalAgent.Controller.[EndpointID==\"self::say%22hi%22%25\"].Enable");
  // Characters that would end the expression are fine inside quotes.
  p = parse_path("Device.X.[Name==\"a]&&b\"].");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->segments[2].conditions[0].value, "a]&&b");
}

TEST(PathName, CommandsEventsAndPlaceholders) {
  auto p = parse_path("Device.Reboot()");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->target, path_target::command);
  EXPECT_EQ(p->segments.back().name, "Reboot");
  p = parse_path("Device.Boot!");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->target, path_target::event);
  p = parse_path("Device.DeviceInfo.FirmwareImage.{i}.Download()");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->has_placeholder());
  EXPECT_EQ(p->to_string(), "Device.DeviceInfo.FirmwareImage.{i}.Download()");
}

TEST(PathName, ReferenceFollowing) {
  auto p = parse_path("Device.NAT.PortMapping.1.Interface+.Name");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->segments[4].follow_reference);
  EXPECT_EQ(p->to_string(), "Device.NAT.PortMapping.1.Interface+.Name");
}

struct bad_path {
  const char* text;
};
class PathNameRejects : public ::testing::TestWithParam<bad_path> {};

TEST_P(PathNameRejects, WithAReason) {
  std::string why;
  EXPECT_FALSE(parse_path(GetParam().text, &why)) << GetParam().text;
  EXPECT_FALSE(why.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, PathNameRejects,
    ::testing::Values(bad_path{""}, bad_path{"Device"}, bad_path{"Devices.X."}, bad_path{"Device..X"},
                      bad_path{".Device."}, bad_path{"Device.X.0."}, bad_path{"Device.X.01."},
                      bad_path{"Device.X.99999999999."}, bad_path{"Device.X.["}, bad_path{"Device.X.[]."},
                      bad_path{"Device.X.[A==1"}, bad_path{"Device.X.[A=1]."}, bad_path{"Device.X.[A==]."},
                      bad_path{"Device.X.[A==\"x]."}, bad_path{"Device.X.[A==1||B==2]."},
                      bad_path{"Device.X.[A==x y]."}, bad_path{"Device.X.*"}, bad_path{"Device.X.1"},
                      bad_path{"Device.X.{j}."}, bad_path{"Device.X.Y()Z"}, bad_path{"Device.X!Y"},
                      bad_path{"Device.X+"}, bad_path{"Device.X.Y+()"}, bad_path{"Device.9X."},
                      bad_path{"Device.X.[A==\"%zz\"]."}, bad_path{"Device.X Y."}));

}  // namespace
}  // namespace usp

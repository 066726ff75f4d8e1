// The data-model engine's leaves: typed values (value.hpp) and the supported
// data model (schema.hpp).
#include <gtest/gtest.h>

#include <vector>

#include "dm/schema.hpp"
#include "dm/value.hpp"

namespace usp::agent::dm {
namespace {

std::optional<std::string> canon(value_type t, std::string_view v) { return canonical(t, v); }

// ---- canonical ---------------------------------------------------------------

TEST(DmValue, BooleansTakeXmlSchemaFormsAndCanonicaliseToWords) {
  EXPECT_EQ(canon(value_type::boolean, "true"), "true");
  EXPECT_EQ(canon(value_type::boolean, "1"), "true");
  EXPECT_EQ(canon(value_type::boolean, "false"), "false");
  EXPECT_EQ(canon(value_type::boolean, "0"), "false");
  std::string why;
  EXPECT_EQ(canonical(value_type::boolean, "True", &why), std::nullopt);  // XML Schema is case-sensitive
  EXPECT_EQ(why, "must be true or false");
  EXPECT_EQ(canon(value_type::boolean, "yes"), std::nullopt);
  EXPECT_EQ(canon(value_type::boolean, ""), std::nullopt);
}

TEST(DmValue, IntegersDropPlusSignAndLeadingZerosAndKeepTheirRange) {
  EXPECT_EQ(canon(value_type::int_, "+42"), "42");
  EXPECT_EQ(canon(value_type::int_, "007"), "7");
  EXPECT_EQ(canon(value_type::int_, "-2147483648"), "-2147483648");
  EXPECT_EQ(canon(value_type::int_, "2147483648"), std::nullopt);
  EXPECT_EQ(canon(value_type::unsigned_int, "4294967295"), "4294967295");
  EXPECT_EQ(canon(value_type::unsigned_int, "4294967296"), std::nullopt);
  EXPECT_EQ(canon(value_type::unsigned_int, "-1"), std::nullopt);
  EXPECT_EQ(canon(value_type::long_, "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(canon(value_type::unsigned_long, "18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(canon(value_type::unsigned_long, "18446744073709551616"), std::nullopt);
  for (const char* bad : {"", "+", "1.5", "12a", " 1", "0x10"}) {
    std::string why;
    EXPECT_EQ(canonical(value_type::int_, bad, &why), std::nullopt) << bad;
    EXPECT_EQ(why, "must be an int") << bad;
  }
}

TEST(DmValue, DateTimeNeedsAZone) {
  EXPECT_EQ(canon(value_type::date_time, "2024-07-01T12:00:00Z"), "2024-07-01T12:00:00Z");
  EXPECT_EQ(canon(value_type::date_time, "2024-07-01T12:00:00.125+02:00"), "2024-07-01T12:00:00.125+02:00");
  EXPECT_EQ(canon(value_type::date_time, std::string(unknown_time)), std::string(unknown_time));
  for (const char* bad : {"2024-07-01T12:00:00", "2024-07-01 12:00:00Z", "2024-07-01T12:00:00.Z",
                          "2024-7-01T12:00:00Z", "2024-07-01T12:00:00+0200", "yesterday"}) {
    EXPECT_EQ(canon(value_type::date_time, bad), std::nullopt) << bad;
  }
  const auto now = now_date_time();
  EXPECT_TRUE(canon(value_type::date_time, now)) << now;
  EXPECT_EQ(now.back(), 'Z');
}

TEST(DmValue, Base64HexBinaryDecimalAndStrings) {
  EXPECT_EQ(canon(value_type::base64, "QUJD"), "QUJD");
  EXPECT_EQ(canon(value_type::base64, "QQ=="), "QQ==");
  EXPECT_EQ(canon(value_type::base64, ""), "");
  EXPECT_EQ(canon(value_type::base64, "QQ="), std::nullopt);    // not a multiple of 4
  EXPECT_EQ(canon(value_type::base64, "Q=Q="), std::nullopt);   // padding inside
  EXPECT_EQ(canon(value_type::base64, "QQ?="), std::nullopt);
  EXPECT_EQ(canon(value_type::hex_binary, "00aFff"), "00aFff");
  EXPECT_EQ(canon(value_type::hex_binary, "abc"), std::nullopt);
  EXPECT_EQ(canon(value_type::hex_binary, "zz"), std::nullopt);
  EXPECT_EQ(canon(value_type::decimal, "-1.25"), "-1.25");
  EXPECT_EQ(canon(value_type::decimal, "1.2.3"), std::nullopt);
  EXPECT_EQ(canon(value_type::string, " any\ttext "), " any\ttext ");
}

TEST(DmValue, TypeNamesAreTr106Names) {
  EXPECT_EQ(to_string(value_type::unsigned_int), "unsignedInt");
  EXPECT_EQ(to_string(value_type::date_time), "dateTime");
  EXPECT_EQ(to_string(value_type::hex_binary), "hexBinary");
  EXPECT_EQ(to_string(value_type::int_), "int");
}

// ---- compare -------------------------------------------------------------------

TEST(DmValue, NumbersCompareByValueWithEveryOperator) {
  struct row {
    cmp_op op;
    bool expect;
  };
  // 9 against 10: a string comparison would get every ordering wrong.
  for (const auto& [op, expect] : std::vector<row>{{cmp_op::eq, false},
                                                   {cmp_op::ne, true},
                                                   {cmp_op::lt, true},
                                                   {cmp_op::gt, false},
                                                   {cmp_op::le, true},
                                                   {cmp_op::ge, false}}) {
    EXPECT_EQ(compare(value_type::unsigned_int, op, "9", "10"), expect) << to_string(op);
    EXPECT_EQ(compare(value_type::int_, op, "-10", "+9"), expect) << to_string(op);
    EXPECT_EQ(compare(value_type::decimal, op, "9.5", "10"), expect) << to_string(op);
  }
  EXPECT_EQ(compare(value_type::long_, cmp_op::le, "5", "5"), true);
  EXPECT_EQ(compare(value_type::unsigned_long, cmp_op::ge, "5", "5"), true);
  EXPECT_EQ(compare(value_type::int_, cmp_op::eq, "007", "7"), true);
}

TEST(DmValue, StringsBooleansAndBinaryTakeOnlyEquality) {
  EXPECT_EQ(compare(value_type::string, cmp_op::eq, "a", "a"), true);
  EXPECT_EQ(compare(value_type::string, cmp_op::ne, "a", "b"), true);
  EXPECT_EQ(compare(value_type::string, cmp_op::lt, "a", "b"), std::nullopt);
  EXPECT_EQ(compare(value_type::base64, cmp_op::ge, "QQ==", "QQ=="), std::nullopt);
  EXPECT_EQ(compare(value_type::hex_binary, cmp_op::gt, "00", "01"), std::nullopt);
  EXPECT_EQ(compare(value_type::boolean, cmp_op::eq, "true", "1"), true);  // canonical forms compared
  EXPECT_EQ(compare(value_type::boolean, cmp_op::ne, "0", "false"), false);
  EXPECT_EQ(compare(value_type::boolean, cmp_op::lt, "false", "true"), std::nullopt);
}

TEST(DmValue, UnparseableSidesGiveNoAnswer) {
  EXPECT_EQ(compare(value_type::int_, cmp_op::eq, "1", "one"), std::nullopt);
  EXPECT_EQ(compare(value_type::unsigned_int, cmp_op::lt, "", "1"), std::nullopt);
  EXPECT_EQ(compare(value_type::boolean, cmp_op::eq, "true", "maybe"), std::nullopt);
  EXPECT_EQ(compare(value_type::date_time, cmp_op::lt, "2024-01-01T00:00:00Z", "soon"), std::nullopt);
  EXPECT_EQ(compare(value_type::date_time, cmp_op::lt, "2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z"), true);
}

// ---- schema ----------------------------------------------------------------------

TEST(DmSchema, ObjectCreatesParentsAndMarksTables) {
  schema s;
  auto& mtp = s.object("Device.LocalAgent.Controller.{i}.MTP.{i}.");
  EXPECT_EQ(mtp.name, "MTP");
  EXPECT_TRUE(mtp.multi);
  EXPECT_EQ(mtp.supported_path, "Device.LocalAgent.Controller.{i}.MTP.{i}.");
  const auto* la = s.root().find_child("LocalAgent");
  ASSERT_NE(la, nullptr);
  EXPECT_FALSE(la->multi);
  EXPECT_EQ(la->supported_path, "Device.LocalAgent.");
  const auto* ctl = la->find_child("Controller");
  ASSERT_NE(ctl, nullptr);
  EXPECT_TRUE(ctl->multi);
  EXPECT_EQ(ctl->parent, la);
  EXPECT_EQ(mtp.parent, ctl);
  // The same object again, by instance numbers as a param_map names it.
  EXPECT_EQ(&s.object("Device.LocalAgent.Controller.2.MTP.1."), &mtp);
  EXPECT_EQ(la->children.size(), 1U);
}

TEST(DmSchema, ObjectRefusesNonObjectPaths) {
  schema s;
  EXPECT_THROW(s.object("Device.LocalAgent"), std::invalid_argument);
  EXPECT_THROW(s.object("Other.LocalAgent."), std::invalid_argument);
  EXPECT_THROW(s.object("Device"), std::invalid_argument);
}

TEST(DmSchema, ASingleObjectLaterNamedWithInstancesBecomesATable) {
  schema s;
  auto& x = s.object("Device.X.");
  EXPECT_FALSE(x.multi);
  auto& again = s.object("Device.X.{i}.");
  EXPECT_EQ(&again, &x);
  EXPECT_TRUE(x.multi);
  EXPECT_EQ(x.supported_path, "Device.X.{i}.");
}

TEST(DmSchema, FindTakesSupportedOrInstancePathsWithOrWithoutTheLastPlaceholder) {
  schema s;
  auto& mtp = s.object("Device.LocalAgent.Controller.{i}.MTP.{i}.");
  auto& info = s.object("Device.DeviceInfo.");
  EXPECT_EQ(s.find("Device.LocalAgent.Controller.{i}.MTP.{i}."), &mtp);
  EXPECT_EQ(s.find("Device.LocalAgent.Controller.{i}.MTP."), &mtp);
  EXPECT_EQ(s.find("Device.LocalAgent.Controller.3.MTP.1."), &mtp);
  EXPECT_EQ(s.find("Device.DeviceInfo."), &info);
  EXPECT_EQ(s.find("Device."), &s.root());
  EXPECT_EQ(s.find("Device.DeviceInfo.{i}."), nullptr);  // not a table
  EXPECT_EQ(s.find("Device.Nothing."), nullptr);
  EXPECT_EQ(s.find("Other."), nullptr);
}

TEST(DmSchema, ParamsKeepTheirOrderAndAreFoundByName) {
  schema s;
  auto& o = s.object("Device.Box.");
  auto& a = o.add_param("A", value_type::string, param_access::read_write);
  auto& b = o.add_param("B", value_type::boolean);
  EXPECT_EQ(a.index, 0U);
  EXPECT_EQ(b.index, 1U);
  EXPECT_EQ(o.find_param("B"), &b);
  EXPECT_EQ(o.find_param("C"), nullptr);
  EXPECT_TRUE(a.writable());
  EXPECT_FALSE(b.writable());
  // Adding it again redefines type and access in place.
  auto& a2 = o.add_param("A", value_type::int_, param_access::read_only);
  EXPECT_EQ(&a2, &a);
  EXPECT_EQ(a.type, value_type::int_);
  EXPECT_FALSE(a.writable());
  EXPECT_EQ(o.params.size(), 2U);

  o.commands.push_back({"Run", false, {}, {}, {}, {}, {}});
  o.events.push_back({"Done", {}});
  EXPECT_NE(o.find_command("Run"), nullptr);
  EXPECT_EQ(o.find_command("Run()"), nullptr);
  EXPECT_NE(o.find_event("Done"), nullptr);
  EXPECT_EQ(o.find_event("Boot"), nullptr);
}

TEST(DmSchema, ForEachVisitsParentsBeforeChildren) {
  schema s;
  s.object("Device.A.B.");
  s.object("Device.C.{i}.");
  std::vector<std::string> seen;
  s.for_each([&](const object_def& o) { seen.push_back(o.supported_path); });
  EXPECT_EQ(seen, (std::vector<std::string>{"Device.", "Device.A.", "Device.A.B.", "Device.C.{i}."}));
}

TEST(DmSchema, SupportedFormReplacesInstanceNumbers) {
  EXPECT_EQ(supported_form("Device.LocalAgent.Controller.2.MTP.1."), "Device.LocalAgent.Controller.{i}.MTP.{i}.");
  EXPECT_EQ(supported_form("Device.LocalAgent.Controller.12.Enable"), "Device.LocalAgent.Controller.{i}.Enable");
  EXPECT_EQ(supported_form("Device.LocalAgent.Controller.{i}."), "Device.LocalAgent.Controller.{i}.");
  EXPECT_EQ(supported_form("Device.DeviceInfo."), "Device.DeviceInfo.");
  EXPECT_EQ(supported_form("Device.X_000413_UI.Language"), "Device.X_000413_UI.Language");
}

}  // namespace
}  // namespace usp::agent::dm

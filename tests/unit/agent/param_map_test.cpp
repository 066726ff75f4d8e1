#include "config/param_map.hpp"

#include <gtest/gtest.h>

namespace usp::agent {
namespace {

std::vector<std::string> problems_of(std::string_view text) {
  std::vector<std::string> problems;
  const auto bindings = parse_param_map(text, "param_map", problems);
  if (!problems.empty()) {
    EXPECT_TRUE(bindings.empty()) << "nothing half-loads";
  }
  return problems;
}

std::string problem_of(std::string_view line) {
  const auto p = problems_of(line);
  return p.size() == 1 ? p[0] : "(" + std::to_string(p.size()) + " problems)";
}

TEST(ParamMap, TypeNamesRoundTrip) {
  for (const char* n : {"string", "boolean", "int", "unsignedInt", "long", "unsignedLong", "dateTime", "base64"}) {
    const auto t = param_type_from_name(n);
    ASSERT_TRUE(t) << n;
    EXPECT_EQ(to_string(*t), n);
  }
  EXPECT_EQ(param_type_from_name("String"), std::nullopt);
  EXPECT_EQ(param_type_from_name("unsignedint"), std::nullopt);
  EXPECT_EQ(param_type_from_name(""), std::nullopt);
  EXPECT_EQ(param_type_from_name("int"), param_type::int_);
}

TEST(ParamMap, DerivedNamesRoundTrip) {
  const std::vector<std::pair<const char*, derived_id>> all = {
      {"TR369_WEBSOCKETHOST", derived_id::websocket_host},
      {"TR369_WEBSOCKETPORT", derived_id::websocket_port},
      {"TR369_WEBSOCKETPATH", derived_id::websocket_path},
      {"TR369_WEBSOCKETSECURED", derived_id::websocket_secured},
      {"TR369_MQTTADDRESS", derived_id::mqtt_address},
      {"TR369_MQTTPORT", derived_id::mqtt_port},
      {"TR369_MQTTENABLE", derived_id::mqtt_enable},
      {"TR369_MQTTTOPIC_CTRL", derived_id::mqtt_topic_ctrl},
      {"TR369_MQTTTOPIC_RESP", derived_id::mqtt_topic_resp},
      {"TR369_MTPPROTOCOL", derived_id::mtp_protocol},
  };
  for (const auto& [name, id] : all) {
    EXPECT_EQ(derived_from_name(name), id) << name;
    EXPECT_EQ(to_string(id), name);
  }
  EXPECT_EQ(derived_from_name("tr369_mqttport"), std::nullopt);
  EXPECT_EQ(derived_from_name("TR369_MQTT"), std::nullopt);
}

TEST(ParamMap, IndexedSettingNames) {
  EXPECT_EQ(indexed_setting("tr369_enable", 1), "tr369_enable");
  EXPECT_EQ(indexed_setting("tr369_enable", 2), "tr369_enable2");
  EXPECT_EQ(indexed_setting("user_name", 12), "user_name12");
  param_binding b;
  b.name = "tr369_mqtt_topic";
  b.index = 2;
  EXPECT_EQ(b.setting_name(), "tr369_mqtt_topic2");
  b.index = 1;
  EXPECT_EQ(b.setting_name(), "tr369_mqtt_topic");
}

TEST(ParamMap, ParsesTheThreeLineForms) {
  std::vector<std::string> problems;
  const auto b = parse_param_map(
      "# Device info\r\n"
      "string:Device.DeviceInfo.Manufacturer=Snom\r\n"
      "\r\n"
      "  boolean:Device.LocalAgent.Controller.2.Enable={tr369_enable|2}  \n"
      "string:Device.LocalAgent.Controller.1.EndpointID={tr369_controller_endpointid|1}\n"
      "unsignedInt:Device.LocalAgent.Controller.2.MTP.1.WebSocket.Port!={TR369_WEBSOCKETPORT|2}\n"
      "string:Device.DeviceInfo.Description=a=b {not a reference\n"
      "string:Device.DeviceInfo.ProductClass=\n"
      "string:Device.UserInterface.CurrentLanguage={language}\n",
      "param_map", problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  ASSERT_EQ(b.size(), 7U);

  EXPECT_EQ(b[0].type, param_type::string);
  EXPECT_EQ(b[0].path, "Device.DeviceInfo.Manufacturer");
  EXPECT_EQ(b[0].source, param_binding::kind::literal);
  EXPECT_EQ(b[0].literal, "Snom");
  EXPECT_EQ(b[0].line, 2);

  EXPECT_EQ(b[1].type, param_type::boolean);
  EXPECT_EQ(b[1].path, "Device.LocalAgent.Controller.2.Enable");
  EXPECT_EQ(b[1].source, param_binding::kind::setting);
  EXPECT_EQ(b[1].name, "tr369_enable");
  EXPECT_EQ(b[1].index, 2U);
  EXPECT_EQ(b[1].setting_name(), "tr369_enable2");
  EXPECT_EQ(b[1].line, 4);

  EXPECT_EQ(b[2].setting_name(), "tr369_controller_endpointid");

  EXPECT_EQ(b[3].type, param_type::unsigned_int);
  EXPECT_EQ(b[3].path, "Device.LocalAgent.Controller.2.MTP.1.WebSocket.Port");
  EXPECT_EQ(b[3].source, param_binding::kind::derived);
  EXPECT_EQ(b[3].derived, derived_id::websocket_port);
  EXPECT_EQ(b[3].index, 2U);

  EXPECT_EQ(b[4].literal, "a=b {not a reference");  // only the first '=' separates
  EXPECT_EQ(b[5].literal, "");
  EXPECT_EQ(b[6].name, "language");  // {name} reads as {name|1}
  EXPECT_EQ(b[6].index, 1U);
}

TEST(ParamMap, LiteralsMustFitTheirType) {
  std::vector<std::string> problems;
  const auto b = parse_param_map(
      "boolean:Device.A.B=true\n"
      "boolean:Device.A.C=0\n"
      "int:Device.A.D=-2147483648\n"
      "unsignedInt:Device.A.E=4294967295\n"
      "long:Device.A.F=-9223372036854775808\n"
      "unsignedLong:Device.A.G=18446744073709551615\n"
      "dateTime:Device.A.H=0001-01-01T00:00:00Z\n"
      "dateTime:Device.A.I=2024-02-29T12:30:00.123+01:00\n"
      "base64:Device.A.J=U25vbQ==\n"
      "base64:Device.A.K=\n",
      "param_map", problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  EXPECT_EQ(b.size(), 10U);

  EXPECT_EQ(problem_of("boolean:Device.A.B=yes"), "param_map:1: \"yes\" is not a valid boolean");
  EXPECT_EQ(problem_of("boolean:Device.A.B="), "param_map:1: \"\" is not a valid boolean");
  EXPECT_EQ(problem_of("int:Device.A.B=2147483648"), "param_map:1: \"2147483648\" is not a valid int");
  EXPECT_EQ(problem_of("unsignedInt:Device.A.B=-1"), "param_map:1: \"-1\" is not a valid unsignedInt");
  EXPECT_EQ(problem_of("long:Device.A.B=1.5"), "param_map:1: \"1.5\" is not a valid long");
  EXPECT_EQ(problem_of("unsignedLong:Device.A.B=+1"), "param_map:1: \"+1\" is not a valid unsignedLong");
  EXPECT_EQ(problem_of("dateTime:Device.A.B=2024-01-01"), "param_map:1: \"2024-01-01\" is not a valid dateTime");
  EXPECT_EQ(problem_of("dateTime:Device.A.B=2024-01-01T00:00:00+0100"),
            "param_map:1: \"2024-01-01T00:00:00+0100\" is not a valid dateTime");
  EXPECT_EQ(problem_of("base64:Device.A.B=abc"), "param_map:1: \"abc\" is not a valid base64");
  EXPECT_EQ(problem_of("base64:Device.A.B=ab!="), "param_map:1: \"ab!=\" is not a valid base64");
}

TEST(ParamMap, ReportsMalformedLines) {
  EXPECT_EQ(problem_of("Device.A.B=x"), "param_map:1: expected type:Path=value");
  EXPECT_EQ(problem_of("string=Device.A:B"), "param_map:1: expected type:Path=value");
  EXPECT_EQ(problem_of("text:Device.A.B=x"), "param_map:1: unknown type \"text\"");
  EXPECT_EQ(problem_of("String:Device.A.B=x"), "param_map:1: unknown type \"String\"");
  EXPECT_EQ(problem_of("string:Device.A.B"), "param_map:1: expected '=' or '!=' after the path");
}

TEST(ParamMap, ReportsPathsThatAreNotPlainParameterPaths) {
  EXPECT_EQ(problem_of("string:Device.A.=x"), "param_map:1: \"Device.A.\" is not a parameter path");
  EXPECT_EQ(problem_of("string:Device.Reboot()=x"), "param_map:1: \"Device.Reboot()\" is not a parameter path");
  EXPECT_EQ(problem_of("string:Device.A.*.B=x"),
            "param_map:1: \"Device.A.*.B\": wildcards and search expressions are not allowed");
  EXPECT_EQ(problem_of("string:Device.A.[Alias==\"x\"].B=x"),
            "param_map:1: \"Device.A.[Alias==\"x\"].B\": wildcards and search expressions are not allowed");
  EXPECT_EQ(problem_of("string:Device.A.{i}.B=x"), "param_map:1: \"Device.A.{i}.B\": {i} placeholders are not allowed");
  EXPECT_EQ(problem_of("string:Device.A.Ref+.B=x"),
            "param_map:1: \"Device.A.Ref+.B\": reference following ('+') is not allowed");
  EXPECT_EQ(problem_of("string:Other.A=x"), "param_map:1: bad path \"Other.A\": a path starts with \"Device.\"");
  EXPECT_EQ(problem_of("string:Device.A.01.B=x"),
            "param_map:1: bad path \"Device.A.01.B\": instance numbers start at 1 without leading zeros");
  EXPECT_EQ(problem_of("string:=x"), "param_map:1: bad path \"\": empty path");
}

TEST(ParamMap, ReportsWrongReferences) {
  EXPECT_EQ(problem_of("unsignedInt:Device.A.B={TR369_MQTTPORT|1}"),
            "param_map:1: {TR369_MQTTPORT|1} is a derived value: write '!=' instead of '='");
  EXPECT_EQ(problem_of("boolean:Device.A.B!={tr369_enable|1}"),
            "param_map:1: '!=' takes a derived value {NAME|index}, not the setting {tr369_enable|1} (use '=')");
  EXPECT_EQ(problem_of("string:Device.A.B!=Snom"),
            "param_map:1: '!=' takes a derived value {NAME|index}, not a literal");
  EXPECT_EQ(problem_of("string:Device.A.B!={TR369_NOPE|1}"), "param_map:1: unknown derived value \"TR369_NOPE\"");
  EXPECT_EQ(problem_of("string:Device.A.B={tr369 enable|1}"),
            "param_map:1: bad setting name \"tr369 enable\" in {tr369 enable|1}");
  EXPECT_EQ(problem_of("string:Device.A.B={|1}"), "param_map:1: bad setting name \"\" in {|1}");
  for (const char* index : {"0", "", "x", "-1", "1.5", "99999999999", "1|2"}) {
    const std::string ref = std::string("{tr369_enable|") + index + "}";
    EXPECT_EQ(problem_of("boolean:Device.A.B=" + ref), "param_map:1: bad index in " + ref + " (must be an integer >= 1)");
  }
  EXPECT_EQ(problem_of("unsignedInt:Device.A.B!={TR369_MQTTPORT|0}"),
            "param_map:1: bad index in {TR369_MQTTPORT|0} (must be an integer >= 1)");
}

TEST(ParamMap, ReportsDuplicatePathsAndEveryProblemWithItsLine) {
  const auto p = problems_of(
      "# header\n"
      "string:Device.A.B=x\n"
      "nonsense\n"
      "string:Device.A.C=y\n"
      "int:Device.A.B={counter|1}\n");
  const std::vector<std::string> expected = {
      "param_map:3: expected type:Path=value",
      "param_map:5: duplicate path Device.A.B (first on line 2)",
  };
  EXPECT_EQ(p, expected);
}

TEST(ParamMap, AppendsToExistingProblemsAndStillRefusesTheWholeFile) {
  std::vector<std::string> problems = {"earlier"};
  EXPECT_TRUE(parse_param_map("string:Device.A.B=x\n", "m", problems).size() == 1U);  // earlier problems are not ours
  EXPECT_EQ(problems.size(), 1U);
  EXPECT_TRUE(parse_param_map("string:Device.A.B=x\nbad\n", "m", problems).empty());
  EXPECT_EQ(problems.size(), 2U);
}

}  // namespace
}  // namespace usp::agent

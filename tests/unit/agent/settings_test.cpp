#include "config/settings.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <tuple>

#include "usp/yaml_reader.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp::agent {
namespace {

namespace fs = std::filesystem;

// ---- parse_settings ---------------------------------------------------------

TEST(ParseSettings, ReadsFlagsCommentsBlankLinesAndCrlf) {
  std::vector<std::string> problems;
  const auto s = parse_settings(
      "# a comment\r\n"
      "<html> also a comment\r\n"
      "\r\n"
      "   \t\n"
      "language!: English\r\n"
      "timezone$:GMT  \n"
      "ring_sound&: Ringer1\n"
      "phone_name:   snom-{mac}\t\n"
      "custom_bg_image_url!:\n"
      "tr369_websocket_uri: wss://h:8443/a:b\n",
      "settings.txt", problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(s.size(), 6U);
  EXPECT_EQ(s[0].name, "language");
  EXPECT_EQ(s[0].value, "English");
  EXPECT_EQ(s[0].flag, setting_flag::keep);
  EXPECT_EQ(s[0].line, 5);
  EXPECT_EQ(s[1].name, "timezone");
  EXPECT_EQ(s[1].value, "GMT");
  EXPECT_EQ(s[1].flag, setting_flag::volatile_);
  EXPECT_EQ(s[2].flag, setting_flag::read_only);  // '&'
  EXPECT_EQ(s[3].value, "snom-{mac}");
  EXPECT_EQ(s[3].flag, setting_flag::read_only);  // no flag
  EXPECT_EQ(s[4].value, "");
  EXPECT_EQ(s[5].value, "wss://h:8443/a:b");  // only the first ':' separates
}

TEST(ParseSettings, LaterLinesWin) {
  std::vector<std::string> problems;
  const auto s = parse_settings("a!: 1\nb: 2\na$: 3\n", "f", problems);
  ASSERT_EQ(s.size(), 2U);
  EXPECT_EQ(s[0].name, "a");
  EXPECT_EQ(s[0].value, "3");
  EXPECT_EQ(s[0].flag, setting_flag::volatile_);
  EXPECT_EQ(s[0].line, 3);
  EXPECT_EQ(s[1].name, "b");
}

TEST(ParseSettings, SkipsAUtf8ByteOrderMark) {
  std::vector<std::string> problems;
  const auto s = parse_settings("\xEF\xBB\xBFlanguage!: English\n", "f", problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(s.size(), 1U);
  EXPECT_EQ(s[0].name, "language");
}

TEST(ParseSettings, ReportsEveryMalformedLineWithFileAndLine) {
  std::vector<std::string> problems;
  const auto s = parse_settings(
      "no colon here\n"
      ": value\n"
      "!: value\n"
      "bad-name: x\n"
      "two!!: x\n"
      "spa ce: x\n"
      "tr369_mqtt_version2!: 3.1\n"
      "ok!: fine\n",
      "settings.txt", problems);
  ASSERT_EQ(s.size(), 1U);
  EXPECT_EQ(s[0].name, "ok");
  const std::vector<std::string> expected = {
      "settings.txt:1: expected name: value",
      "settings.txt:2: missing the setting name before ':'",
      "settings.txt:3: missing the setting name before ':'",
      "settings.txt:4: bad setting name \"bad-name\" (letters, digits and _, then one of the flags ! $ &)",
      "settings.txt:5: bad setting name \"two!\" (letters, digits and _, then one of the flags ! $ &)",
      "settings.txt:6: bad setting name \"spa ce\" (letters, digits and _, then one of the flags ! $ &)",
      "settings.txt:7: tr369_mqtt_version2: must be 3.1.1 or 5.0",
  };
  EXPECT_EQ(problems, expected);
}

TEST(ParseSettings, ABadValueDoesNotReplaceAnEarlierGoodOne) {
  std::vector<std::string> problems;
  const auto s = parse_settings("tr369_enable!: on\ntr369_enable!: maybe\n", "f", problems);
  ASSERT_EQ(s.size(), 1U);
  EXPECT_EQ(s[0].value, "on");
  EXPECT_EQ(problems, std::vector<std::string>{"f:2: tr369_enable: must be on or off"});
}

// ---- validate_setting -------------------------------------------------------

TEST(ValidateSetting, ChoicesOfEveryKnownSettingAndItsSecondForm) {
  struct choice {
    const char* name;
    std::vector<const char*> good;
    std::vector<const char*> bad;
    const char* message;
  };
  const std::vector<choice> choices = {
      {"tr369_enable", {"on", "off"}, {"", "On", "true", "1"}, "must be on or off"},
      {"tr369_mtp_protocol", {"mqtt", "websocket"}, {"", "MQTT", "ws"}, "must be mqtt or websocket"},
      {"tr369_mqtt_version", {"3.1.1", "5.0"}, {"", "5", "3.1", "5.0.0"}, "must be 3.1.1 or 5.0"},
      {"tr369_mqtt_transport", {"TCP/IP", "TLS"}, {"", "tls", "TCP"}, "must be TCP/IP or TLS"},
      {"tr369_controller_e2emode", {"Require", "Allow", "Forbid"}, {"", "allow"}, "must be Require, Allow or Forbid"},
      {"tr369_controller_e2esize", {"0", "512", "65536", "4294967295"},
       {"", "1", "511", "-1", "+512", "512 ", "4294967296", "x"}, "must be 0 or an integer from 512 to 4294967295"},
  };
  for (const auto& c : choices) {
    for (const auto& name : {std::string(c.name), std::string(c.name) + "2"}) {
      for (const auto* v : c.good) EXPECT_EQ(validate_setting(name, v), std::nullopt) << name << "=" << v;
      for (const auto* v : c.bad) EXPECT_EQ(validate_setting(name, v), c.message) << name << "=" << v;
    }
  }
}

TEST(ValidateSetting, MqttHostPort) {
  for (const auto* v : {"", "broker", "broker.example:1883", "10.0.0.1:65535", "[::1]", "[2001:db8::1]:8883",
                        "{mac}.fleet.example:1"}) {
    EXPECT_EQ(validate_setting("tr369_mqtt_hostport2", v), std::nullopt) << v;
  }
  const auto bad = [](const char* v) { return validate_setting("tr369_mqtt_hostport", v).value_or("(fine)"); };
  EXPECT_EQ(bad("h:0"), "must be empty or host[:port] (port must be 1..65535)");
  EXPECT_EQ(bad("h:65536"), "must be empty or host[:port] (port must be 1..65535)");
  EXPECT_EQ(bad("h:"), "must be empty or host[:port] (port must be 1..65535)");
  EXPECT_EQ(bad("h:01883"), "must be empty or host[:port] (port must be 1..65535)");
  EXPECT_EQ(bad(":1883"), "must be empty or host[:port] (the host is missing)");
  EXPECT_EQ(bad("::1"), "must be empty or host[:port] (an IPv6 address needs brackets)");
  EXPECT_EQ(bad("[::1"), "must be empty or host[:port] (unterminated IPv6 address)");
  EXPECT_EQ(bad("[::1]1883"), "must be empty or host[:port] (unexpected text after the IPv6 address)");
  EXPECT_EQ(bad("[zz::1]"), "must be empty or host[:port] (bad IPv6 address)");
  EXPECT_EQ(bad("a b:1"), "must be empty or host[:port] (bad character in the host name)");
  EXPECT_EQ(bad("{eid}:1"), "must be empty or host[:port] (bad character in the host name)");
}

TEST(ValidateSetting, WebSocketUri) {
  for (const auto* v : {"", "ws://h", "wss://h/", "ws://h:8080/usp", "wss://[::1]:443/a/b?x=1", "ws://h?q",
                        "wss://{mac}.example/usp/{eid}"}) {
    EXPECT_EQ(validate_setting("tr369_websocket_uri", v), std::nullopt) << v;
  }
  const auto bad = [](const char* v) { return validate_setting("tr369_websocket_uri2", v).value_or("(fine)"); };
  const std::string form = "must be empty or ws[s]://host[:port][/path] ";
  EXPECT_EQ(bad("http://h/"), form + "(a WebSocket URI starts with ws:// or wss://)");
  EXPECT_EQ(bad("WS://h/"), form + "(a WebSocket URI starts with ws:// or wss://)");
  EXPECT_EQ(bad("ws://h/#frag"), form + "(a WebSocket URI has no fragment)");
  EXPECT_EQ(bad("ws://u@h/"), form + "(user information is not supported)");
  EXPECT_EQ(bad("ws:///usp"), form + "(the host is missing)");
  EXPECT_EQ(bad("ws://h:99999/"), form + "(port must be 1..65535)");
  EXPECT_EQ(bad("ws://h/a b"), form + "(spaces and control characters must be percent-encoded)");
  EXPECT_EQ(bad("ws://h_!/"), form + "(bad character in the host name)");
}

TEST(ValidateSetting, PublishTopicHasNoWildcards) {
  for (const auto* v : {"", "usp/controller/sraps", "usp/agent/{eid}", "caf\xC3\xA9"}) {
    EXPECT_EQ(validate_setting("tr369_mqtt_topic", v), std::nullopt) << v;
  }
  for (const auto* v : {"usp/+/x", "usp/#", "bad\xFF"}) {
    EXPECT_EQ(validate_setting("tr369_mqtt_topic2", v),
              "must be a UTF-8 topic name without + or # (the agent publishes to it)")
        << v;
  }
}

TEST(ValidateSetting, FreeTextAndUnknownSettingsTakeAnything) {
  for (const auto* name : {"tr369_mqtt_username", "tr369_mqtt_password2", "tr369_mqtt_clientid",
                           "tr369_controller_endpointid2", "tr369_controller_subscriptionid", "language",
                           "tr369_enable3", "tr369_enable22", "Tr369_enable"}) {
    EXPECT_EQ(validate_setting(name, "anything + # : at all"), std::nullopt) << name;
  }
}

// ---- format_settings --------------------------------------------------------

TEST(FormatSettings, WritesFlagsAndRoundTrips) {
  const std::vector<parsed_setting> in = {
      {"a", "x y", setting_flag::keep, 0},
      {"b", "", setting_flag::volatile_, 0},
      {"c", "ws://h:1/p", setting_flag::read_only, 0},
  };
  const auto text = format_settings(in);
  EXPECT_EQ(text, "a!: x y\nb$:\nc: ws://h:1/p\n");
  std::vector<std::string> problems;
  const auto out = parse_settings(text, "f", problems);
  ASSERT_EQ(out.size(), 3U);
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].name, in[i].name);
    EXPECT_EQ(out[i].value, in[i].value);
    EXPECT_EQ(out[i].flag, in[i].flag);
  }
}

// ---- settings_store ---------------------------------------------------------

constexpr const char* factory_text =
    "# controller 1: fixed\n"
    "tr369_mqtt_topic: usp/controller/sraps\n"
    "tr369_enable!: off\n"
    "# controller 2\n"
    "tr369_enable2!: off\n"
    "tr369_mqtt_topic2!: usp/controller/default\n"
    "tr369_mqtt_hostport2!:\n"
    "language!: English\n"
    "timezone$: GMT\n"
    "phone_name!: snom-{mac}\n"
    "firmware_url&: http://fw/{mac}/{eid}\n";

class SettingsStore : public ::testing::Test {
 protected:
  settings_store::paths paths(const std::string& user_text) {
    return {dir_.write("factory.txt", factory_text), dir_.write("settings.txt", user_text),
            dir_.file("state/settings.state")};
  }
  settings_store load(const std::string& user_text = "") {
    return settings_store::load(paths(user_text), {"000413A1B2C3", "os::000413-000413A1B2C3"});
  }
  static std::vector<std::string> load_problems(const settings_store::paths& p) {
    try {
      settings_store::load(p, {});
    } catch (const usp::config_error& e) {
      return e.problems();
    }
    return {};
  }

  usp::test::temp_dir dir_;
};

TEST_F(SettingsStore, UserFileOverridesFactoryDefaultsAndMayChangeTheirFlag) {
  auto s = load("language$: Deutsch\ntr369_enable2: on\nextra!: 1\n");
  EXPECT_EQ(s.get("language"), "Deutsch");
  EXPECT_TRUE(s.writable("language"));
  EXPECT_EQ(s.get("tr369_enable2"), "on");
  EXPECT_FALSE(s.writable("tr369_enable2"));  // the user file made it read-only
  EXPECT_EQ(s.get("extra"), "1");
  EXPECT_EQ(s.get("timezone"), "GMT");
  EXPECT_EQ(s.get("nothing"), std::nullopt);
  EXPECT_EQ(s.raw("nothing"), std::nullopt);
  EXPECT_FALSE(s.writable("nothing"));
  const auto names = s.names();
  EXPECT_EQ(names.front(), "extra");  // sorted
  EXPECT_EQ(names.size(), 10U);
}

TEST_F(SettingsStore, FixedFactoryEntriesCannotBeTouchedByTheUserFile) {
  const auto p = paths("# user\n\ntr369_mqtt_topic!: usp/controller/mine\nfirmware_url: x\ntr369_enable!: on\n");
  const std::vector<std::string> expected = {
      p.user + ":3: tr369_mqtt_topic: fixed by the factory settings",
      p.user + ":4: firmware_url: fixed by the factory settings",
  };
  EXPECT_EQ(load_problems(p), expected);  // tr369_enable is '!', so not fixed
}

TEST_F(SettingsStore, ReportsEveryProblemOfEveryFile) {
  settings_store::paths p{dir_.write("factory.txt", "tr369_enable: yes\n"), dir_.write("settings.txt", "x\n"),
                          dir_.write("state.txt", "tr369_mqtt_version!: 4\n")};
  const std::vector<std::string> expected = {
      p.factory + ":1: tr369_enable: must be on or off",
      p.user + ":1: expected name: value",
      p.state + ":1: tr369_mqtt_version: must be 3.1.1 or 5.0",
  };
  EXPECT_EQ(load_problems(p), expected);
}

TEST_F(SettingsStore, MissingFilesGivenByPathAreProblemsButAMissingStateFileIsNot) {
  const settings_store::paths p{dir_.file("no-factory.txt"), dir_.file("no-settings.txt"), dir_.file("no-state")};
  const std::vector<std::string> expected = {
      p.factory + ": cannot read the file",
      p.user + ": cannot read the file",
  };
  EXPECT_EQ(load_problems(p), expected);

  const auto s = settings_store::load({"", "", dir_.file("no-state")}, {});  // empty paths: no such layer
  EXPECT_TRUE(s.names().empty());
}

TEST_F(SettingsStore, GetExpandsMacAndEidButRawDoesNot) {
  const auto s = load();
  EXPECT_EQ(s.get("phone_name"), "snom-000413A1B2C3");
  EXPECT_EQ(s.raw("phone_name"), "snom-{mac}");
  EXPECT_EQ(s.get("firmware_url"), "http://fw/000413A1B2C3/os::000413-000413A1B2C3");
}

TEST_F(SettingsStore, ExpansionIsOnePass) {
  const auto p = paths("a!: {eid}{mac}{ma{mac}c}{EID}\n");
  const auto s = settings_store::load(p, {"{eid}", "{mac}"});
  EXPECT_EQ(s.get("a"), "{mac}{eid}{ma{eid}c}{EID}");
}

TEST_F(SettingsStore, SetRefusesUnknownReadOnlyFixedAndInvalid) {
  auto s = load("tr369_enable2: off\n");
  const auto expect_refused = [&](std::string_view name, std::string_view value, usp::err_code code,
                                  const std::string& message) {
    const auto r = s.set(name, value);
    EXPECT_FALSE(r.ok) << name;
    EXPECT_EQ(r.code, code) << name;
    EXPECT_EQ(r.message, message);
  };
  expect_refused("nothing", "x", usp::err_code::invalid_path, "nothing: no such setting");
  expect_refused("tr369_mqtt_topic", "x", usp::err_code::param_read_only,
                 "tr369_mqtt_topic: fixed by the factory settings");
  expect_refused("tr369_enable2", "on", usp::err_code::param_read_only, "tr369_enable2: read-only");
  expect_refused("tr369_enable", "yes", usp::err_code::invalid_value, "tr369_enable: must be on or off");
  expect_refused("tr369_mqtt_hostport2", "h:0", usp::err_code::invalid_value,
                 "tr369_mqtt_hostport2: must be empty or host[:port] (port must be 1..65535)");
  expect_refused("language", "two\nlines", usp::err_code::invalid_value, "language: must be a single line of text");
  expect_refused("language", "cr\r", usp::err_code::invalid_value, "language: must be a single line of text");
  expect_refused("language", std::string_view("nul\0", 4), usp::err_code::invalid_value,
                 "language: must be a single line of text");
  expect_refused("language", " padded", usp::err_code::invalid_value,
                 "language: must not start or end with a space or tab");
  expect_refused("language", "padded\t", usp::err_code::invalid_value,
                 "language: must not start or end with a space or tab");
  EXPECT_EQ(s.get("language"), "English");
  EXPECT_FALSE(fs::exists(dir_.file("state/settings.state")));  // nothing was persisted
}

TEST_F(SettingsStore, SetStoresPersistsAndSurvivesAReload) {
  {
    auto s = load();
    const auto r = s.set("language", "Deutsch");
    EXPECT_TRUE(r.ok) << r.message;
    EXPECT_EQ(s.get("language"), "Deutsch");
    EXPECT_TRUE(s.set("tr369_mqtt_hostport2", "[::1]:1883").ok);
    EXPECT_TRUE(s.set("phone_name", "desk-{mac}").ok);
    EXPECT_EQ(s.get("phone_name"), "desk-000413A1B2C3");
  }
  // The folder was created; the file holds the values with their flags.
  const auto text = usp::test::read_file(dir_.file("state/settings.state"));
  EXPECT_NE(text.find("language!: Deutsch\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tr369_mqtt_hostport2!: [::1]:1883\n"), std::string::npos) << text;

  const auto s = load();
  EXPECT_EQ(s.get("language"), "Deutsch");
  EXPECT_EQ(s.get("tr369_mqtt_hostport2"), "[::1]:1883");
  EXPECT_EQ(s.raw("phone_name"), "desk-{mac}");
}

TEST_F(SettingsStore, KeepValuesWinOnReloadButVolatileOnesReturnToTheFileValue) {
  {
    auto s = load();
    ASSERT_TRUE(s.set("language", "Deutsch").ok);  // '!'
    ASSERT_TRUE(s.set("timezone", "CET").ok);      // '$'
    EXPECT_EQ(s.get("timezone"), "CET");           // until the next start
    const auto text = usp::test::read_file(dir_.file("state/settings.state"));
    EXPECT_NE(text.find("timezone$: CET\n"), std::string::npos) << text;  // persisted too
  }
  auto s = load();
  EXPECT_EQ(s.get("language"), "Deutsch");
  EXPECT_EQ(s.get("timezone"), "GMT");  // "overwritten on reboot"

  // The next change rewrites the state file without the dropped '$' value.
  ASSERT_TRUE(s.set("tr369_enable2", "on").ok);
  const auto text = usp::test::read_file(dir_.file("state/settings.state"));
  EXPECT_EQ(text.find("timezone"), std::string::npos) << text;
  EXPECT_NE(text.find("language!: Deutsch\n"), std::string::npos) << text;
}

TEST_F(SettingsStore, StateValuesForSettingsNoLongerWritableOrKnownAreIgnored) {
  {
    auto s = load();
    ASSERT_TRUE(s.set("language", "Deutsch").ok);
    ASSERT_TRUE(s.set("tr369_enable2", "on").ok);
  }
  // The user file now pins language read-only; tr369_enable2's factory line is gone.
  fs::remove(dir_.file("factory.txt"));
  const auto s = settings_store::load(
      {"", dir_.write("settings.txt", "language: Francais\n"), dir_.file("state/settings.state")}, {});
  EXPECT_EQ(s.get("language"), "Francais");
  EXPECT_EQ(s.get("tr369_enable2"), std::nullopt);
}

TEST_F(SettingsStore, AtomicWriteLeavesOnlyTheStateFile) {
  auto s = load();
  ASSERT_TRUE(s.set("language", "Deutsch").ok);
  ASSERT_TRUE(s.set("language", "Italiano").ok);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir_.file("state"))) files.push_back(e.path().filename().string());
  EXPECT_EQ(files, std::vector<std::string>{"settings.state"});
  // Owner-only: the file may hold a broker password.
  const auto perms = fs::status(dir_.file("state/settings.state")).permissions();
  EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
}

TEST_F(SettingsStore, APersistFailureIsAnInternalErrorAndChangesNothing) {
  // The state folder is a regular file, so neither it nor a temp file can be made.
  dir_.write("blocker", "");
  auto s = settings_store::load({dir_.write("factory.txt", factory_text), "", dir_.file("blocker/settings.state")}, {});
  int calls = 0;
  s.on_change([&](const std::string&, const std::string&, const std::string&) { ++calls; });
  const auto r = s.set("language", "Deutsch");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.code, usp::err_code::internal_error);
  EXPECT_EQ(r.message.rfind("language: cannot save " + dir_.file("blocker/settings.state") + ": cannot create ", 0),
            0U)
      << r.message;
  EXPECT_EQ(s.get("language"), "English");
  EXPECT_EQ(calls, 0);
}

TEST_F(SettingsStore, ListenersHearRealChangesOnly) {
  auto s = load();
  std::vector<std::tuple<std::string, std::string, std::string>> heard;
  s.on_change([&](const std::string& n, const std::string& o, const std::string& v) { heard.emplace_back(n, o, v); });
  int second = 0;
  s.on_change([&](const std::string&, const std::string&, const std::string&) { ++second; });
  ASSERT_TRUE(s.set("language", "Deutsch").ok);
  ASSERT_TRUE(s.set("language", "Deutsch").ok);  // same value: no event
  EXPECT_FALSE(s.set("tr369_enable", "maybe").ok);  // refused: no event
  ASSERT_TRUE(s.set("phone_name", "snom-{mac}").ok);  // raw value unchanged: no event
  ASSERT_EQ(heard.size(), 1U);
  EXPECT_EQ(heard[0], std::make_tuple(std::string("language"), std::string("English"), std::string("Deutsch")));
  EXPECT_EQ(second, 1);
}

TEST_F(SettingsStore, SettingTheFileValueExplicitlyIsKeptAcrossAFileChange) {
  {
    auto s = load();
    ASSERT_TRUE(s.set("language", "English").ok);  // a controller's choice, equal to the default
  }
  const auto text = usp::test::read_file(dir_.file("state/settings.state"));
  EXPECT_NE(text.find("language!: English\n"), std::string::npos) << text;
  const auto s = load("language!: Deutsch\n");  // the user file's default moved
  EXPECT_EQ(s.get("language"), "English");
}

TEST_F(SettingsStore, FactoryResetDropsControllerChangesAndKeepsListeners) {
  auto s = load("timezone$: CET\n");
  ASSERT_TRUE(s.set("language", "Deutsch").ok);
  ASSERT_TRUE(s.set("tr369_enable2", "on").ok);
  ASSERT_TRUE(fs::exists(dir_.file("state/settings.state")));
  std::vector<std::tuple<std::string, std::string, std::string>> heard;
  s.on_change([&](const std::string& n, const std::string& o, const std::string& v) { heard.emplace_back(n, o, v); });

  s.factory_reset();
  EXPECT_FALSE(fs::exists(dir_.file("state/settings.state")));
  EXPECT_EQ(s.get("language"), "English");
  EXPECT_EQ(s.get("tr369_enable2"), "off");
  EXPECT_EQ(s.get("timezone"), "CET");  // the user file is a layer of its own, not a change
  const decltype(heard) expected = {{"language", "Deutsch", "English"}, {"tr369_enable2", "on", "off"}};
  EXPECT_EQ(heard, expected);

  heard.clear();
  ASSERT_TRUE(s.set("language", "Svenska").ok);  // listeners survive the reset
  EXPECT_EQ(heard.size(), 1U);
  const auto reloaded = load("timezone$: CET\n");
  EXPECT_EQ(reloaded.get("language"), "Svenska");
  EXPECT_EQ(reloaded.get("tr369_enable2"), "off");
}

TEST_F(SettingsStore, FactoryResetRereadsTheFiles) {
  auto s = load();
  dir_.write("factory.txt", std::string(factory_text) + "new_setting!: 1\n");
  std::vector<std::string> heard;
  s.on_change([&](const std::string& n, const std::string& o, const std::string& v) { heard.push_back(n + ":" + o + ">" + v); });
  s.factory_reset();
  EXPECT_EQ(s.get("new_setting"), "1");
  EXPECT_EQ(heard, std::vector<std::string>{"new_setting:>1"});
}

TEST_F(SettingsStore, WithoutAStatePathChangesLiveInMemoryOnly) {
  auto s = settings_store::load({dir_.write("factory.txt", factory_text), "", ""}, {});
  EXPECT_TRUE(s.set("language", "Deutsch").ok);
  EXPECT_EQ(s.get("language"), "Deutsch");
}


// ---- the files we ship ------------------------------------------------------

TEST(ShippedSettings, FactoryAndExampleFilesLoadAndFixController1) {
  usp::test::temp_dir dir;
  const std::string config = std::string(USP_SOURCE_DIR) + "/config/agent/";
  auto s = settings_store::load({config + "factory.txt", config + "settings.txt", dir.file("state")},
                                {"000413A1B2C3", "os::000413-000413A1B2C3"});
  // Controller 1: every tr369_* entry fixed except the switch.
  for (const auto& name : s.names()) {
    if (name.rfind("tr369_", 0) != 0 || name.back() == '2') continue;
    EXPECT_EQ(s.writable(name), name == "tr369_enable") << name;
  }
  EXPECT_EQ(s.get("tr369_controller_endpointid"), "self::snom-sraps");
  EXPECT_EQ(s.get("tr369_mqtt_hostport"), "usp.sraps.example:8883");
  EXPECT_EQ(s.get("tr369_mqtt_transport"), "TLS");
  // Controller 2 from the example user file, still writable.
  EXPECT_EQ(s.get("tr369_enable2"), "on");
  EXPECT_EQ(s.get("tr369_mqtt_hostport2"), "127.0.0.1:1883");
  EXPECT_EQ(s.get("tr369_mqtt_topic2"), "usp/controller/demo");
  EXPECT_EQ(s.get("tr369_controller_endpointid2"), "self::demo-controller");
  EXPECT_EQ(s.get("tr369_controller_subscriptionid2"), "boot-2");
  for (const auto& name : s.names()) {
    if (name.back() == '2') {
      EXPECT_TRUE(s.writable(name)) << name;
    }
  }
  // Look and feel.
  EXPECT_EQ(s.get("phone_name"), "snom-000413A1B2C3");
  EXPECT_TRUE(s.set("display_brightness", "7").ok);
  EXPECT_EQ(s.get("tone_scheme"), "GBR");
}

}  // namespace
}  // namespace usp::agent

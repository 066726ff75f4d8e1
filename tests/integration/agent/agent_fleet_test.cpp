// usp-agent --fleet: several phones in one process, each one like a single
// agent, against a real mosquitto and a scripted controller.
#include <signal.h>

#include <filesystem>
#include <set>

#include "agent_fixture.hpp"

namespace usp::test {
namespace {

namespace fs = std::filesystem;

// Counting from ...0F crosses a hex digit: 0F, 10, 11.
const std::vector<std::string> macs = {"000413F0000F", "000413F00010", "000413F00011"};

std::string eid_of(const std::string& mac) { return "os::000413-" + mac; }

std::vector<std::string> fleet_args(const std::string& count, const std::string& base) {
  return {"--fleet", count, "--threads", "2", "--mac-base", base, "--connect-rate", "100"};
}

class AgentFleet : public ::testing::Test {
 protected:
  AgentFleet() : f_(mqtt_version::v5) {}

  // Waits until every phone sent `what`; true when all did.
  bool wait_all(const std::function<bool(const ctl::received_record&)>& what, std::set<std::string>& seen) {
    return f_.wait_for(
               [&](const ctl::received_record& r) {
                 if (what(r)) seen.insert(r.record.from_id());
                 return seen.size() == macs.size();
               },
               std::chrono::seconds(30))
        .has_value();
  }

  agent_fixture f_;
};

TEST_F(AgentFleet, EveryPhoneIsAnAgentOfItsOwn) {
  // One template; {mac} gives every phone its own MQTT client id (the same
  // one would make the broker throw the phones off each other).
  f_.write_settings("tr369_mqtt_clientid2!: fleet-{mac}\n");
  f_.launch(fleet_args("3", macs[0]));

  std::set<std::string> connected, booted;
  ASSERT_TRUE(f_.wait_for(
      [&](const ctl::received_record& r) {
        if (r.record.has_mqtt_connect()) connected.insert(r.record.from_id());
        // R-MTP.6: each phone's Connect Record comes before its Boot!.
        if (agent_fixture::is_boot(r) && connected.count(r.record.from_id())) booted.insert(r.record.from_id());
        return connected.size() == macs.size() && booted.size() == macs.size();
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(connected, (std::set<std::string>{eid_of(macs[0]), eid_of(macs[1]), eid_of(macs[2])}));
  EXPECT_EQ(booted, connected);

  for (const auto& mac : macs) {
    // The controller reaches each phone on the topic its Connect Record named.
    const auto info = f_.ctl->agent(eid_of(mac));
    ASSERT_TRUE(info && info->connected);
    EXPECT_EQ(info->topic, "usp/agent/" + eid_of(mac));
    auto get = f_.request_to(eid_of(mac), get_msg({"Device.DeviceInfo.SerialNumber", "Device.MQTT.Client.2.ClientID"}));
    ASSERT_TRUE(get) << mac;
    EXPECT_EQ(value_in(*get, "Device.DeviceInfo.", "SerialNumber"), mac);
    EXPECT_EQ(value_in(*get, "Device.MQTT.Client.2.", "ClientID"), "fleet-" + mac);
  }

  // A Set on one phone changes that phone only, and its own state folder.
  auto set = f_.request_to(eid_of(macs[1]), set_msg("Device.X_000413_UI.", {{"Language", "Deutsch"}}));
  ASSERT_TRUE(set && set->body().has_response()) << (set ? set->DebugString() : "no answer");
  for (const auto& mac : macs) {
    auto get = f_.request_to(eid_of(mac), get_msg({"Device.X_000413_UI.Language"}));
    ASSERT_TRUE(get) << mac;
    EXPECT_EQ(value_in(*get, "Device.X_000413_UI.", "Language") == "Deutsch", mac == macs[1]) << mac;
  }
  for (const auto& mac : macs) EXPECT_TRUE(fs::is_directory(f_.dir.file("state/" + mac))) << mac;
  const auto changed = f_.dir.file("state/" + macs[1] + "/settings.txt");
  ASSERT_TRUE(fs::exists(changed));
  EXPECT_NE(read_file(changed).find("Deutsch"), std::string::npos);
  EXPECT_FALSE(fs::exists(f_.dir.file("state/" + macs[0] + "/settings.txt")));

  // SIGTERM: a clean exit, and a goodbye from every phone.
  EXPECT_EQ(f_.stop_agent(), 0) << f_.agent_log();
  std::set<std::string> gone;
  EXPECT_TRUE(wait_all([](const ctl::received_record& r) { return r.record.has_disconnect(); }, gone));
}

TEST_F(AgentFleet, SighupReloadsEveryPhone) {
  f_.write_settings("tr369_mqtt_clientid2!: fleet-{mac}\n");
  f_.launch(fleet_args("3", macs[0]));
  std::set<std::string> booted;
  ASSERT_TRUE(wait_all(agent_fixture::is_boot, booted));
  for (const auto& mac : macs) {
    auto add = f_.request_to(eid_of(mac), add_msg("Device.LocalAgent.Subscription.",
                                                  {{"ID", "vc-ui"},
                                                   {"NotifType", "ValueChange"},
                                                   {"ReferenceList", "Device.X_000413_UI."},
                                                   {"Enable", "true"}}));
    ASSERT_TRUE(add && add->body().has_response()) << mac;
  }
  // The template is re-provisioned: every phone re-reads it.
  f_.write_settings("tr369_mqtt_clientid2!: fleet-{mac}\nlanguage!: Francais\n");
  ASSERT_EQ(f_.agent.signal(SIGHUP), 0);
  std::set<std::string> changed;
  EXPECT_TRUE(wait_all(
      [](const ctl::received_record& r) {
        return r.msg && r.msg->body().request().notify().value_change().param_value() == "Francais";
      },
      changed));
}

TEST_F(AgentFleet, OptionsThatNameOnePhoneAreRefused) {
  f_.write_settings();
  const auto identity = f_.dir.write("identity.yaml", "mac: 000413A1B2C3\n");
  const std::vector<std::vector<std::string>> bad = {
      {"--mac", "000413A1B2C3"},
      {"--identity", identity},
      {"--endpoint-id", "os::000413-X"},
      {"--serial", "S1"},
      {"--ws-listen", "127.0.0.1:8443"},
      {"--connect-rate", "0"},
  };
  // Only what this start wrote (the log file collects every start).
  auto refused = [&](const std::vector<std::string>& args, const std::string& why) {
    const auto before = f_.agent_log().size();
    f_.launch(args);
    EXPECT_EQ(f_.agent.wait(std::chrono::seconds(10)), 2) << why;
    const auto said = f_.agent_log().substr(before);
    EXPECT_NE(said.find(why), std::string::npos) << said;
  };
  for (const auto& extra : bad) {
    auto args = fleet_args("2", "000413000000");
    args.insert(args.end(), extra.begin(), extra.end());
    refused(args, extra[0] + ": ");
  }
  refused(fleet_args("2", "FFFFFFFFFFFF"), "--mac-base: 2 phones from FFFFFFFFFFFF run past FFFFFFFFFFFF");
  refused(fleet_args("2", "00041300000"), "--mac-base: '00041300000' is not a MAC address");
  refused(fleet_args("2", "000413GG0000"), "--mac-base: '000413GG0000' is not a MAC address");
  refused({"--fleet", "2"}, "--mac-base: required with --fleet");
}

}  // namespace
}  // namespace usp::test

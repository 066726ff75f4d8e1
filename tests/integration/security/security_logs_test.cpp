// Secrets never reach a log: usp-gateway, usp-agent and usp-ctl at debug
// level with MQTT passwords, through connect, refusal (wrong passwords),
// settings reload, broker restart and reconnect, and a controller setting
// the phone's MQTT password over USP; then every log (the broker's too) is
// searched for every secret.
#include <signal.h>
#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "gateway_fixture.hpp"
#include "plugin_fixture.hpp"
#include "usp_test/wait.hpp"

namespace usp::test {
namespace {

const std::string gw_secret = "gw-Pa55-7f3a9c";
const std::string gw_wrong = "gw-Wr0ng-51be02";
const std::string agent_secret = "agent-Pa55-c0ffee";
const std::string agent_wrong = "agent-Wr0ng-d00d42";
const std::string dm_secret = "dm-Pa55-facade";
const std::string mac = "000413D00001";

// A private file (mode 0600) in `dir`.
std::string private_file(const temp_dir& dir, const std::string& name, const std::string& content) {
  const auto p = dir.write(name, content);
  ::chmod(p.c_str(), 0600);
  return p;
}

// mosquitto's password file, hashed by mosquitto_passwd.
std::string make_passwd(const temp_dir& dir) {
  const auto path = private_file(dir, "passwd", "");
  for (const auto& [user, pw] : {std::pair{"usp-gateway", gw_secret}, std::pair{"phone", agent_secret}}) {
    child_process p({"mosquitto_passwd", "-b", path, user, pw}, dir.file("mosquitto_passwd.log"));
    if (p.wait(std::chrono::seconds(20)) != 0) throw std::runtime_error("mosquitto_passwd: " + p.output());
  }
  return path;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

class SecretsInLogs : public ::testing::Test {
 protected:
  SecretsInLogs()
      : passwd_(make_passwd(secrets_)), f_({"allow_anonymous false", "password_file " + passwd_}) {}

  std::string agent_settings(const std::string& password) const {
    return "tr369_enable2!: on\n"
           "tr369_mtp_protocol2!: mqtt\n"
           "tr369_mqtt_hostport2!: 127.0.0.1:" + std::to_string(f_.broker.port()) + "\n"
           "tr369_mqtt_version2!: 5.0\n"
           "tr369_mqtt_clientid2!: {eid}\n"
           "tr369_mqtt_username2!: phone\n"
           "tr369_mqtt_password2!: " + password + "\n"
           "tr369_mqtt_topic2!: " + std::string(gw_controller_topic) + "\n"
           "tr369_controller_endpointid2!: " + gw_controller_eid + "\n";
  }

  // How many times the agent's log says the broker refused it.
  std::size_t agent_refusals() {
    return count_of(f_.agents.at(mac).output(), "refused the connection");
  }

  child_process ctl(const std::string& password_file, const std::string& name) {
    return child_process({USP_CTL_BIN, "--mqtt", "127.0.0.1:" + std::to_string(f_.broker.port()), "--topic",
                          "usp/controller/other", "--eid", gw_controller_eid, "--to", eid_of(mac), "--username",
                          "usp-gateway", "--password-file", password_file, "--timeout", "5", "--log-level",
                          "debug", "get", "Device.DeviceInfo.SerialNumber"},
                         f_.dir.file(name));
  }

  temp_dir secrets_;
  std::string passwd_;
  gateway_fixture f_;
};

std::string dial_yaml(std::uint16_t port) {
  return "      mode: dial\n"
         "      url: ws://127.0.0.1:" + std::to_string(port) + "/usp\n"
         "      retry_min_wait_s: 1\n"
         "      retry_multiplier: 1000\n"
         "      retry_max_wait_s: 1\n";
}

TEST_F(SecretsInLogs, NoProgramLogsAPasswordOnAnyPath) {
  const auto gw_pw = private_file(secrets_, "gw.password", gw_secret + "\n");
  const auto gw_bad_pw = private_file(secrets_, "gw-wrong.password", gw_wrong + "\n");
  const auto eid = eid_of(mac);
  f_.controller_listens();
  ASSERT_TRUE(f_.start_gateway(dial_yaml(f_.controller->port()), {}, "gw", "  password_file: " + gw_pw + "\n"));

  // Error path first: the phone's password is wrong.
  const auto settings = private_file(f_.dir, "agent.txt", agent_settings(agent_wrong));
  f_.agents[mac] = child_process(
      {USP_AGENT_BIN, "--mac", mac, "--settings", settings, "--state-dir", f_.dir.file("state"), "--factory",
       std::string(USP_SOURCE_DIR) + "/config/agent/factory.txt", "--param-map",
       std::string(USP_SOURCE_DIR) + "/config/agent/param_map", "--retry-s", "1", "--log-level", "debug"},
      f_.dir.file("agent.log"));
  auto& agent = f_.agents.at(mac);
  ASSERT_TRUE(wait_for_text(agent.log_path(), "refused the connection", std::chrono::seconds(15), agent.pid()))
      << agent.output();
  // Re-provisioned with the right password (SIGHUP re-reads the settings).
  private_file(f_.dir, "agent.txt", agent_settings(agent_secret));
  ASSERT_EQ(agent.signal(SIGHUP), 0);
  ASSERT_TRUE(f_.wait_boot(eid));
  auto get = f_.request(eid, ctl::get_msg({"Device.DeviceInfo.SerialNumber"}));
  ASSERT_TRUE(get);

  // Reconnect path: the broker restarts; gateway and phone log in again.
  f_.broker.stop();
  f_.broker.start();
  ASSERT_TRUE(f_.wait_for(eid, [](const ctl::received_record& r) { return r.record.has_websocket_connect(); },
                          std::chrono::seconds(30)));
  get = f_.request(eid, ctl::get_msg({"Device.DeviceInfo.SerialNumber"}), std::chrono::seconds(20));
  ASSERT_TRUE(get) << f_.logs();

  // A second gateway with a wrong password: refused, retrying.
  auto& bad = f_.gateways["bad"];
  bad.mqtt_extra = "  password_file: " + gw_bad_pw + "\n";
  f_.write_config("bad", dial_yaml(f_.controller->port()));
  bad.proc = child_process({USP_GATEWAY_BIN, "--config", f_.dir.file("bad.yaml"), "--log-level", "debug"},
                           f_.dir.file("bad.log"));
  EXPECT_TRUE(wait_for_text(bad.proc.log_path(), "refused the connection", std::chrono::seconds(15), bad.proc.pid()))
      << bad.proc.output();

  // usp-ctl: the right password gets an answer, a wrong one an error.
  const auto ctl_bad_pw = private_file(secrets_, "ctl-wrong.password", gw_wrong + "\n");
  auto good_ctl = ctl(gw_pw, "ctl-good.log");
  EXPECT_TRUE(run_until_exited(f_.io, good_ctl.pid(), std::chrono::seconds(20)));
  EXPECT_EQ(good_ctl.wait(std::chrono::seconds(1)), 0) << good_ctl.output();
  EXPECT_NE(good_ctl.output().find(mac), std::string::npos) << good_ctl.output();
  auto bad_ctl = ctl(ctl_bad_pw, "ctl-bad.log");
  EXPECT_TRUE(run_until_exited(f_.io, bad_ctl.pid(), std::chrono::seconds(20)));
  EXPECT_NE(bad_ctl.wait(std::chrono::seconds(1)), 0) << bad_ctl.output();

  // A controller sets the phone's MQTT password over USP (through the
  // gateway, at debug level): the phone reconnects with it and is refused.
  const auto refusals = agent_refusals();
  auto set = f_.request(eid, ctl::set_msg("Device.MQTT.Client.2.", {{"Password", dm_secret}}));
  ASSERT_TRUE(set && set->body().response().has_set_resp()) << (set ? set->DebugString() : f_.logs());
  EXPECT_TRUE(run_until(f_.io, [&] { return agent_refusals() > refusals; }, std::chrono::seconds(15)))
      << agent.output();

  f_.stop_agent(mac);
  f_.stop_gateway("bad");
  f_.stop_gateway("gw");
  std::string all = f_.logs() + "---- mosquitto ----\n" + f_.broker.log() + "---- usp-ctl ----\n" +
                    good_ctl.output() + bad_ctl.output();
  for (const auto& secret : {gw_secret, gw_wrong, agent_secret, agent_wrong, dm_secret}) {
    const auto at = all.find(secret);
    EXPECT_EQ(at, std::string::npos) << "secret '" << secret << "' in a log: ..."
                                     << all.substr(at == std::string::npos ? 0 : (at > 200 ? at - 200 : 0), 400);
  }
  // The logs did cover those paths (debug level, refusals, reconnects).
  EXPECT_NE(all.find("debug"), std::string::npos);
  EXPECT_NE(all.find("refused the connection"), std::string::npos);
  EXPECT_GT(all.size(), 4000u);
}

}  // namespace
}  // namespace usp::test

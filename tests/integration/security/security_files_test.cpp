// Secret files readable by group or others: usp/file_secrets.hpp, and the
// warning each program (usp-gateway, usp-agent, usp-ctl) logs, naming the
// file, when a password file, a private key or a settings file with a
// password is not private. Private files give no warning.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "usp/file_secrets.hpp"
#include "usp_test/mosquitto_broker.hpp"
#include "usp_test/process.hpp"
#include "usp_test/temp_dir.hpp"
#include "usp_test/wait.hpp"

namespace usp::test {
namespace {

std::string secret_file(const temp_dir& dir, const std::string& name, const std::string& content, mode_t mode) {
  const auto path = dir.write(name, content);
  ::chmod(path.c_str(), mode);
  return path;
}

TEST(FileSecrets, ModeBitsForGroupAndOthers) {
  temp_dir dir;
  const auto f = secret_file(dir, "pw", "x\n", 0600);
  EXPECT_EQ(exposed_mode_bits(f), 0u);
  EXPECT_EQ(exposed_secret_warning(f, "password file"), "");
  ::chmod(f.c_str(), 0640);
  EXPECT_EQ(exposed_mode_bits(f), 040u);
  EXPECT_EQ(exposed_secret_warning(f, "password file"),
            "password file " + f + " is accessible by group (mode 0640); it holds a secret: chmod go-rwx " + f);
  ::chmod(f.c_str(), 0604);
  EXPECT_NE(exposed_secret_warning(f, "k").find("accessible by others (mode 0604)"), std::string::npos);
  ::chmod(f.c_str(), 0666);
  EXPECT_NE(exposed_secret_warning(f, "k").find("accessible by group and others (mode 0666)"), std::string::npos);
  // Absent or unnamed files are someone else's problem (the loader's).
  EXPECT_EQ(exposed_mode_bits(dir.file("missing")), 0u);
  EXPECT_EQ(exposed_secret_warning("", "k"), "");
}

const std::string warning = "is accessible by";

TEST(SecretFileWarnings, GatewayNamesItsPasswordFileAndKeys) {
  temp_dir dir;
  const auto pw = secret_file(dir, "mqtt.password", "s3cret\n", 0644);
  const auto key = secret_file(dir, "gw.key", "not used by --check\n", 0640);
  const auto cert = secret_file(dir, "gw.pem", "not used by --check\n", 0644);
  const auto config = [&] {
    return dir.write("gateway.yaml", "mqtt:\n  username: usp-gateway\n  password_file: " + pw +
                                         "\n  tls: {cert_file: " + cert + ", key_file: " + key +
                                         "}\ncontrollers:\n  - endpoint_id: self::c\n    mqtt_topic: usp/controller/c\n"
                                         "    websocket: {url: 'wss://ctrl.example/usp'}\n");
  };
  child_process gw({USP_GATEWAY_BIN, "--config", config(), "--check"}, dir.file("check-1.log"));
  EXPECT_EQ(gw.wait(std::chrono::seconds(20)), 0) << gw.output();
  auto out = gw.output();
  EXPECT_NE(out.find("mqtt.password_file " + pw + " " + warning + " group and others (mode 0644)"), std::string::npos)
      << out;
  EXPECT_NE(out.find("mqtt.tls.key_file " + key + " " + warning + " group (mode 0640)"), std::string::npos) << out;
  EXPECT_EQ(out.find(cert + " " + warning), std::string::npos) << "certificates are public:\n" << out;

  ::chmod(pw.c_str(), 0600);
  ::chmod(key.c_str(), 0400);
  child_process again({USP_GATEWAY_BIN, "--config", config(), "--check"}, dir.file("check-2.log"));
  EXPECT_EQ(again.wait(std::chrono::seconds(20)), 0) << again.output();
  EXPECT_EQ(again.output().find(warning), std::string::npos) << again.output();
}

// usp-agent: warnings come before the phone boots, so "booting" proves they
// were (or were not) written.
std::vector<std::string> agent_argv(const temp_dir& dir, const std::string& settings, const std::string& key) {
  return {USP_AGENT_BIN, "--mac", "000413E00001", "--settings", settings, "--state-dir", dir.file("state"),
          "--factory", std::string(USP_SOURCE_DIR) + "/config/agent/factory.txt", "--param-map",
          std::string(USP_SOURCE_DIR) + "/config/agent/param_map", "--cert-file", key, "--key-file", key,
          "--log-level", "info"};
}

std::string settings_text(std::uint16_t port, const std::string& password) {
  return "tr369_enable2!: on\ntr369_mtp_protocol2!: mqtt\ntr369_mqtt_hostport2!: 127.0.0.1:" + std::to_string(port) +
         "\ntr369_mqtt_username2!: phone\ntr369_mqtt_password2!: " + password +
         "\ntr369_mqtt_topic2!: usp/controller/acme\ntr369_controller_endpointid2!: self::acme-controller\n";
}

TEST(SecretFileWarnings, AgentNamesSettingsWithPasswordsKeysAndStateFiles) {
  temp_dir dir;
  const auto port = pick_free_port();  // nobody listens: the phone only retries
  const auto settings = secret_file(dir, "settings.txt", settings_text(port, "agent-s3cret"), 0644);
  const auto key = secret_file(dir, "phone.key", "unused without TLS\n", 0644);
  {
    child_process agent(agent_argv(dir, settings, key), dir.file("agent-1.log"));
    ASSERT_TRUE(wait_for_text(agent.log_path(), "booting", std::chrono::seconds(15), agent.pid())) << agent.output();
    const auto out = agent.output();
    EXPECT_NE(out.find("settings file with tr369_mqtt_password " + settings + " " + warning), std::string::npos) << out;
    EXPECT_NE(out.find("TLS private key (--key-file) " + key + " " + warning), std::string::npos) << out;
    agent.stop();
  }
  // The state folder's files (written 0600 by the agent) exposed by hand.
  const auto state_settings = dir.write("state/settings.txt", "tr369_mqtt_password2!: changed\n");
  ::chmod(state_settings.c_str(), 0644);
  ::chmod(settings.c_str(), 0600);
  ::chmod(key.c_str(), 0600);
  {
    child_process agent(agent_argv(dir, settings, key), dir.file("agent-2.log"));
    ASSERT_TRUE(wait_for_text(agent.log_path(), "booting", std::chrono::seconds(15), agent.pid())) << agent.output();
    const auto out = agent.output();
    EXPECT_NE(out.find("agent state file " + state_settings + " " + warning), std::string::npos) << out;
    EXPECT_EQ(out.find(settings + " " + warning), std::string::npos) << out;
    EXPECT_EQ(out.find(key + " " + warning), std::string::npos) << out;
    agent.stop();
  }
  // A settings file without a password is no secret, whatever its mode.
  ::chmod(state_settings.c_str(), 0600);
  const auto plain = secret_file(dir, "plain.txt", "tr369_enable2!: on\n", 0644);
  child_process agent(agent_argv(dir, plain, key), dir.file("agent-3.log"));
  ASSERT_TRUE(wait_for_text(agent.log_path(), "booting", std::chrono::seconds(15), agent.pid())) << agent.output();
  EXPECT_EQ(agent.output().find(warning), std::string::npos) << agent.output();
  agent.stop();
}

TEST(SecretFileWarnings, UspCtlNamesItsPasswordFileAndKey) {
  temp_dir dir;
  const auto pw = secret_file(dir, "ctl.password", "ctl-s3cret\n", 0604);
  const auto port = std::to_string(pick_free_port());  // nobody listens: usp-ctl fails fast
  auto run = [&](const std::string& name) {
    child_process ctl({USP_CTL_BIN, "--mqtt", "127.0.0.1:" + port, "--topic", "usp/controller/ctl", "--to",
                       "os::000413-000413E00002", "--username", "ctl", "--password-file", pw, "--timeout", "2",
                       "get", "Device."},
                      dir.file(name));
    EXPECT_NE(ctl.wait(std::chrono::seconds(20)), 0) << ctl.output();
    return ctl.output();
  };
  auto out = run("ctl-1.log");
  EXPECT_NE(out.find("--password-file " + pw + " " + warning + " others (mode 0604)"), std::string::npos) << out;
  ::chmod(pw.c_str(), 0600);
  out = run("ctl-2.log");
  EXPECT_EQ(out.find(warning), std::string::npos) << out;
}

}  // namespace
}  // namespace usp::test

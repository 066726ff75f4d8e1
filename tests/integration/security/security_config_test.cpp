// Every configuration we ship (config/, docker/) keeps TLS verification on:
// no `verify: false` in gateway YAML, no insecure switches for the broker,
// usp-ctl or the phones, no plain ws:// or MQTT to anything but loopback,
// and the shipped gateway.yaml, loaded by the gateway's own loader, verifies
// every TLS peer.
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "config/gateway_config.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp::test {
namespace {

namespace fs = std::filesystem;

const fs::path source = USP_SOURCE_DIR;

// Every shipped file under config/ and docker/.
std::vector<fs::path> shipped_files() {
  std::vector<fs::path> out;
  for (const char* d : {"config", "docker"}) {
    for (const auto& e : fs::recursive_directory_iterator(source / d)) {
      if (e.is_regular_file()) out.push_back(e.path());
    }
  }
  return out;
}

// The file's lines without comments ('#' to the end of the line, for YAML,
// mosquitto.conf, shell and the agent's settings). A '#' inside a value
// (mosquitto's `$SYS`, topic filters) is kept when it is not after a blank.
std::vector<std::pair<int, std::string>> live_lines(const fs::path& p) {
  std::vector<std::pair<int, std::string>> out;
  std::istringstream in(read_file(p.string()));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        line.resize(i);
        break;
      }
    }
    if (line.find_first_not_of(" \t") != std::string::npos) out.emplace_back(n, line);
  }
  return out;
}

bool loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]";
}

TEST(ShippedConfigs, NeverSwitchTlsVerificationOff) {
  // Switches that turn verification off, in any of our formats.
  const std::vector<std::pair<std::regex, std::string>> forbidden = {
      {std::regex(R"(\bverify\s*:\s*(false|no|off)\b)", std::regex::icase), "gateway tls verify: false"},
      {std::regex(R"(--insecure\b)"), "usp-ctl --insecure"},
      {std::regex(R"(^\s*(tls_insecure|bridge_insecure)\s+true)"), "mosquitto insecure TLS"},
      {std::regex(R"(^\s*tls_version\s+tlsv1(\.1)?\s*$)"), "TLS below 1.2"},
      {std::regex(R"(verify_none|SSL_VERIFY_NONE|--no-check-certificate|curl\s+(-k|--insecure))"),
       "a client that does not verify"},
  };
  const auto files = shipped_files();
  ASSERT_GE(files.size(), 8u);
  for (const auto& f : files) {
    for (const auto& [n, line] : live_lines(f)) {
      for (const auto& [re, what] : forbidden) {
        EXPECT_FALSE(std::regex_search(line, re)) << f.string() << ":" << n << ": " << what << ": " << line;
      }
    }
  }
}

TEST(ShippedConfigs, PlainTransportsOnlyOnLoopback) {
  const std::regex ws_url(R"(\bws://([^/:\s'"]+))");
  // Per controller index (the suffix: none = 1): its broker and transport.
  const std::regex hostport(R"(^\s*tr369_mqtt_hostport(\d*)[!&$]?\s*:\s*([^:\s]+))");
  const std::regex transport(R"(^\s*tr369_mqtt_transport(\d*)[!&$]?\s*:\s*(\S+))");
  for (const auto& f : shipped_files()) {
    std::map<std::string, std::string> host;
    std::map<std::string, bool> tls;
    for (const auto& [n, line] : live_lines(f)) {
      std::smatch m;
      if (std::regex_search(line, m, ws_url)) {
        EXPECT_TRUE(loopback(m[1])) << f.string() << ":" << n << ": plain ws:// to " << m[1] << ": " << line;
      }
      if (std::regex_search(line, m, hostport)) host[m[1].length() ? m[1].str() : "1"] = m[2];
      if (std::regex_search(line, m, transport)) tls[m[1].length() ? m[1].str() : "1"] = m[2] == "TLS";
    }
    for (const auto& [index, h] : host) {
      EXPECT_TRUE(tls[index] || loopback(h)) << f.string() << ": controller " << index << " reaches " << h
                                             << " without TLS";
    }
  }
}

TEST(ShippedConfigs, BrokerTlsListenersUseTls12AndTheDemoCaOnly) {
  for (const auto& name : {"docker/mosquitto.conf", "config/mosquitto-usp.conf"}) {
    bool certfile = false, cafile = false, tls12 = false;
    for (const auto& [n, line] : live_lines(source / name)) {
      certfile |= line.rfind("certfile ", 0) == 0;
      cafile |= line.rfind("cafile ", 0) == 0;
      tls12 |= line == "tls_version tlsv1.2" || line == "tls_version tlsv1.3";
    }
    if (certfile) {
      EXPECT_TRUE(cafile) << name << ": a TLS listener names the CA its clients are checked against";
      EXPECT_TRUE(tls12) << name << ": a TLS listener pins TLS 1.2 or later";
    }
  }
}

TEST(ShippedConfigs, TheGatewayLoaderVerifiesEveryPeerOfTheExample) {
  const auto cfg = usp::gateway::load_gateway_config((source / "config/gateway.yaml").string());
  if (cfg.mqtt.tls) {
    EXPECT_TRUE(cfg.mqtt.tls->verify);
  }
  ASSERT_FALSE(cfg.controllers.empty());
  for (const auto& c : cfg.controllers) {
    if (c.websocket.url.rfind("wss://", 0) == 0) {
      ASSERT_TRUE(c.websocket.tls) << c.endpoint_id;
      EXPECT_TRUE(c.websocket.tls->verify) << c.endpoint_id;
    } else if (!c.websocket.url.empty()) {
      ADD_FAILURE() << c.endpoint_id << ": the example dials " << c.websocket.url << " without TLS";
    }
  }
  // The defaults themselves: a bare tls: map (and a wss:// URL without one)
  // verify with the system's CAs.
  temp_dir dir;
  const auto bare = dir.write("bare.yaml",
                              "mqtt: {tls: {}}\n"
                              "controllers:\n"
                              "  - endpoint_id: self::c\n"
                              "    mqtt_topic: usp/controller/c\n"
                              "    websocket: {url: 'wss://ctrl.example/usp'}\n");
  const auto d = usp::gateway::load_gateway_config(bare);
  ASSERT_TRUE(d.mqtt.tls);
  EXPECT_TRUE(d.mqtt.tls->verify);
  EXPECT_EQ(d.mqtt.port, 8883);
  ASSERT_TRUE(d.controllers.at(0).websocket.tls);
  EXPECT_TRUE(d.controllers.at(0).websocket.tls->verify);
}

}  // namespace
}  // namespace usp::test

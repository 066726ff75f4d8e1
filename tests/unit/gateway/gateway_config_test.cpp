#include "config/gateway_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateway_config_testing.hpp"
#include "usp/endpoint_id.hpp"
#include "usp/yaml_reader.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp::gateway {
namespace {

using namespace std::chrono_literals;
using namespace testing_config;
using ::testing::ElementsAre;

// ---- Whole files ---------------------------------------------------------------

TEST(GatewayConfig, AFullFileFillsEveryField) {
  usp::test::temp_dir dir;
  const auto ca = dir.write("ca.pem", "ca");
  const auto cert = dir.write("cert.pem", "cert");
  const auto key = dir.write("key.pem", "key");
  dir.write("password", "s3cret\nsecond line\n");
  const std::string text =
      "mqtt:\n"
      "  host: broker.example\n"
      "  port: 8884\n"
      "  client_id: gw-7\n"
      "  session_expiry_s: 4294967295\n"
      "  username: usp-gateway\n"
      "  password_file: password\n"  // relative: next to the file
      "  tls: {ca_file: " + ca + ", cert_file: " + cert + ", key_file: " + key + ", verify: false}\n"
      "  keepalive_s: 30\n"
      "  shared_group: gws\n"
      "  partition: 2/4\n"
      "  partition_prefix: usp/shard\n"
      "presence_topic: usp/presence/+\n"
      "controllers:\n"
      "  - endpoint_id: self::acme\n"
      "    mqtt_topic: usp/controller/acme\n"
      "    websocket:\n"
      "      mode: dial\n"
      "      url: wss://ctrl.acme.example:8443/usp\n"
      "      tls: {ca_file: " + ca + ", verify: true}\n"
      "      keepalive_s: 0\n"
      "      retry_min_wait_s: 2\n"
      "      retry_multiplier: 1500\n"
      "      retry_max_wait_s: 120\n"
      "  - endpoint_id: proto::other\n"
      "    mqtt_topic: usp/controller/other\n"
      "    websocket: {mode: listen}\n"
      "  - endpoint_id: self::mux\n"
      "    mqtt_topic: usp/controller/mux\n"
      "    websocket: {mode: multiplex, url: ws://mux.example/usp, multiplex_eid: 'self::gw-mux'}\n"
      "agents:\n"
      "  topic_template: phones/{eid}/in\n"
      "  offline_grace_s: 0\n"
      "  queue: {max_records: 0, ttl_s: 86400}\n"
      "  max_record_bytes: 512\n"
      "listen:\n"
      "  address: '::'\n"
      "  port: 0\n"
      "  path_prefix: /agents/\n"
      "  tls: {cert_file: " + cert + ", key_file: " + key + ", ca_file: " + ca + "}\n"
      "http: {address: 127.0.0.2, port: 19464}\n"
      "threads: 4\n";
  const auto path = dir.write("gateway.yaml", text);
  const auto cfg = load_gateway_config(path);

  EXPECT_EQ(cfg.source, path);
  EXPECT_EQ(cfg.mqtt.host, "broker.example");
  EXPECT_EQ(cfg.mqtt.port, 8884);
  EXPECT_EQ(cfg.mqtt.client_id, "gw-7");
  EXPECT_EQ(cfg.mqtt.session_expiry, 4294967295s);
  EXPECT_EQ(cfg.mqtt.username, "usp-gateway");
  EXPECT_EQ(cfg.mqtt.password, "s3cret");
  ASSERT_TRUE(cfg.mqtt.tls);
  EXPECT_EQ(cfg.mqtt.tls->ca_file, ca);
  EXPECT_EQ(cfg.mqtt.tls->cert_file, cert);
  EXPECT_EQ(cfg.mqtt.tls->key_file, key);
  EXPECT_FALSE(cfg.mqtt.tls->verify);
  EXPECT_EQ(cfg.mqtt.keepalive_s, 30);
  EXPECT_EQ(cfg.mqtt.shared_group, "gws");
  EXPECT_EQ(cfg.mqtt.partition, 2u);
  EXPECT_EQ(cfg.mqtt.partitions, 4u);
  EXPECT_EQ(cfg.mqtt.partition_prefix, "usp/shard");
  EXPECT_EQ(cfg.presence_topic, "usp/presence/+");

  ASSERT_EQ(cfg.controllers.size(), 3u);
  const auto& acme = cfg.controllers[0];
  EXPECT_EQ(acme.endpoint_id, "self::acme");
  EXPECT_EQ(acme.mqtt_topic, "usp/controller/acme");
  EXPECT_EQ(acme.websocket.mode, ws_mode::dial);
  EXPECT_EQ(acme.websocket.url, "wss://ctrl.acme.example:8443/usp");
  ASSERT_TRUE(acme.websocket.tls);
  EXPECT_EQ(acme.websocket.tls->ca_file, ca);
  EXPECT_TRUE(acme.websocket.tls->verify);
  EXPECT_EQ(acme.websocket.keepalive, 0s);
  EXPECT_EQ(acme.websocket.retry_min_wait, 2s);
  EXPECT_EQ(acme.websocket.retry_multiplier, 1500u);
  EXPECT_EQ(acme.websocket.retry_max_wait, 120s);
  EXPECT_EQ(cfg.controllers[1].websocket.mode, ws_mode::listen);
  EXPECT_TRUE(cfg.controllers[1].websocket.url.empty());
  EXPECT_FALSE(cfg.controllers[1].websocket.tls);
  EXPECT_EQ(cfg.controllers[2].websocket.mode, ws_mode::multiplex);
  EXPECT_EQ(cfg.controllers[2].websocket.url, "ws://mux.example/usp");
  EXPECT_EQ(cfg.controllers[2].websocket.multiplex_eid, "self::gw-mux");
  EXPECT_FALSE(cfg.controllers[2].websocket.tls);

  EXPECT_EQ(cfg.agents.topic_template, "phones/{eid}/in");
  EXPECT_EQ(cfg.agents.offline_grace, 0s);
  EXPECT_EQ(cfg.agents.queue_max_records, 0u);
  EXPECT_EQ(cfg.agents.queue_ttl, 86400s);
  EXPECT_EQ(cfg.agents.max_record_bytes, 512u);

  EXPECT_TRUE(cfg.listen.enabled);
  EXPECT_EQ(cfg.listen.address, "::");
  EXPECT_EQ(cfg.listen.port, 0);
  EXPECT_EQ(cfg.listen.path_prefix, "/agents/");
  ASSERT_TRUE(cfg.listen.tls);
  EXPECT_EQ(cfg.listen.tls->cert_file, cert);
  EXPECT_EQ(cfg.listen.tls->ca_file, ca);
  EXPECT_TRUE(cfg.listen.tls->verify);

  EXPECT_TRUE(cfg.http.enabled);
  EXPECT_EQ(cfg.http.address, "127.0.0.2");
  EXPECT_EQ(cfg.http.port, 19464);
  EXPECT_EQ(cfg.threads, 4u);
}

TEST(GatewayConfig, AbsentSectionsKeepTheDefaults) {
  const auto cfg = parse_gateway_config(controllers, "gateway.yaml");
  const gateway_config d;
  EXPECT_EQ(cfg.source, "gateway.yaml");
  EXPECT_EQ(cfg.mqtt.host, "127.0.0.1");
  EXPECT_EQ(cfg.mqtt.port, 1883);
  EXPECT_EQ(cfg.mqtt.client_id, "usp-gateway-1");
  EXPECT_EQ(cfg.mqtt.session_expiry, 3600s);
  EXPECT_TRUE(cfg.mqtt.username.empty());
  EXPECT_TRUE(cfg.mqtt.password.empty());
  EXPECT_FALSE(cfg.mqtt.tls);
  EXPECT_EQ(cfg.mqtt.keepalive_s, 60);
  EXPECT_TRUE(cfg.mqtt.shared_group.empty());
  EXPECT_EQ(cfg.mqtt.partition, 0u);
  EXPECT_EQ(cfg.mqtt.partitions, 1u);
  EXPECT_EQ(cfg.mqtt.partition_prefix, "usp/part");
  EXPECT_TRUE(cfg.presence_topic.empty());

  ASSERT_EQ(cfg.controllers.size(), 1u);
  const auto& ws = cfg.controllers[0].websocket;
  EXPECT_EQ(ws.mode, ws_mode::dial);
  EXPECT_FALSE(ws.tls);  // ws://
  EXPECT_EQ(ws.keepalive, 30s);
  EXPECT_EQ(ws.retry_min_wait, 5s);
  EXPECT_EQ(ws.retry_multiplier, 2000u);
  EXPECT_EQ(ws.retry_max_wait, 600s);
  EXPECT_EQ(ws.multiplex_eid, "self::usp-gateway");

  EXPECT_EQ(cfg.agents.topic_template, "usp/agent/{eid}");
  EXPECT_EQ(cfg.agents.offline_grace, 30s);
  EXPECT_EQ(cfg.agents.queue_max_records, 64u);
  EXPECT_EQ(cfg.agents.queue_ttl, 60s);
  EXPECT_EQ(cfg.agents.max_record_bytes, 1048576u);

  EXPECT_FALSE(cfg.listen.enabled);
  EXPECT_EQ(cfg.listen.address, d.listen.address);
  EXPECT_EQ(cfg.listen.port, 8443);
  EXPECT_EQ(cfg.listen.path_prefix, "/usp/");
  EXPECT_FALSE(cfg.listen.tls);
  EXPECT_FALSE(cfg.http.enabled);
  EXPECT_EQ(cfg.http.address, "127.0.0.1");
  EXPECT_EQ(cfg.http.port, 9464);
  EXPECT_EQ(cfg.threads, 1u);
}

TEST(GatewayConfig, EmptySectionsAreEnabledWithDefaults) {
  const auto cfg = parse_gateway_config("listen:\nhttp: {}\n" + controllers, "gateway.yaml");
  EXPECT_TRUE(cfg.listen.enabled);
  EXPECT_EQ(cfg.listen.port, 8443);
  EXPECT_EQ(cfg.listen.address, "0.0.0.0");
  EXPECT_TRUE(cfg.http.enabled);
  EXPECT_EQ(cfg.http.port, 9464);
}

TEST(GatewayConfig, TheShippedExampleLoads) {
  const std::string path = std::string(USP_SOURCE_DIR) + "/config/gateway.yaml";
  gateway_config cfg;
  try {
    cfg = load_gateway_config(path);
  } catch (const config_error& e) {
    FAIL() << e.what();
  }
  ASSERT_EQ(cfg.controllers.size(), 1u);
  const auto& ws = cfg.controllers[0].websocket;
  EXPECT_EQ(ws.mode, ws_mode::dial);
  EXPECT_TRUE(ws.url.starts_with("wss://"));
  ASSERT_TRUE(ws.tls);
  EXPECT_TRUE(ws.tls->ca_file.empty());  // the system's CAs
  EXPECT_TRUE(ws.tls->verify);
  // The plugin's default presence template usp/presence/{eid}, {eid} as '+'.
  EXPECT_EQ(cfg.presence_topic, "usp/presence/+");
  EXPECT_EQ(cfg.agents.topic_template, "usp/agent/{eid}");
  EXPECT_EQ(cfg.mqtt.partition_prefix, "usp/part");
  EXPECT_TRUE(cfg.listen.enabled);
  EXPECT_TRUE(cfg.http.enabled);
}

TEST(GatewayConfig, AWssUrlWithoutTlsVerifiesWithTheSystemCas) {
  const auto cfg = parse_gateway_config(controller_with("      url: wss://ctrl.example/usp\n"), "gateway.yaml");
  const auto& tls = cfg.controllers[0].websocket.tls;
  ASSERT_TRUE(tls);
  EXPECT_TRUE(tls->ca_file.empty());
  EXPECT_TRUE(tls->cert_file.empty());
  EXPECT_TRUE(tls->verify);
}

TEST(GatewayConfig, LoadNamesTheFileAndReportsAMissingOne) {
  usp::test::temp_dir dir;
  const auto path = dir.write("gw.yaml", "mqtt:\n  port: 0\n" + controllers);
  try {
    load_gateway_config(path);
    FAIL() << "expected problems";
  } catch (const config_error& e) {
    EXPECT_THAT(e.problems(), ElementsAre(path + ":2: mqtt.port: must be an integer in 1..65535"));
  }
  try {
    load_gateway_config(dir.file("absent.yaml"));
    FAIL() << "expected problems";
  } catch (const config_error& e) {
    EXPECT_THAT(e.problems(), ElementsAre(dir.file("absent.yaml") + ": cannot read the file"));
  }
}

TEST(GatewayConfig, SyntaxErrorsAreReportedAlone) {
  const auto p = problems_of("mqtt: [unclosed\nthreads: 0\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0], ::testing::StartsWith("gateway.yaml:"));
  EXPECT_THAT(p[0], ::testing::HasSubstr("YAML syntax error"));
}

TEST(GatewayConfig, EveryProblemIsReportedAtOnceInFileOrder) {
  const auto p = problems_of(
      "mqtt:\n"
      "  port: 0\n"
      "  password: hunter2\n"
      "presence_topic: usp/#/x\n"
      "controllers:\n"
      "  - endpoint_id: nonsense\n"
      "    mqtt_topic: usp/+/a\n"
      "    websocket: {mode: listen, url: ws://x/}\n"
      "threads: 0\n"
      "colour: blue\n");
  EXPECT_THAT(p, ElementsAre(
                     "gateway.yaml:2: mqtt.port: must be an integer in 1..65535",
                     "gateway.yaml:3: mqtt.password: must not be written in the configuration; put it in a file "
                     "named by password_file",
                     "gateway.yaml:4: presence_topic: '#' must be the whole last topic level",
                     "gateway.yaml:6: controllers[0].endpoint_id: 'nonsense' is not an endpoint id: " +
                         [] {
                           std::string why;
                           parse_endpoint_id("nonsense", &why);
                           return why;
                         }(),
                     "gateway.yaml:7: controllers[0].mqtt_topic: must not contain the wildcards '+' or '#'",
                     "gateway.yaml:8: controllers[0].websocket.mode: listen needs a listen: section (where the "
                     "controller dials the gateway)",
                     "gateway.yaml:8: controllers[0].websocket.url: must not be set for mode listen (the "
                     "controller dials the gateway)",
                     "gateway.yaml:9: threads: must be an integer in 1..256",
                     "gateway.yaml:10: colour: unknown key"));
}

TEST(GatewayConfig, UnknownKeysAnywhereAreProblems) {
  usp::test::temp_dir dir;
  const auto pem = dir.write("x.pem", "x");
  const auto p = problems_of(
      "mqtt:\n"
      "  hots: x\n"
      "  tls: {verfy: true}\n"
      "controllers:\n"
      "  - endpoint_id: self::ctrl\n"
      "    mqtt_topic: usp/controller/a\n"
      "    topic: x\n"
      "    websocket: {url: ws://ctrl.example/usp, retry: 3}\n"
      "agents: {queue: {max: 1}}\n"
      "listen: {tls: {cert_file: " + pem + ", key_file: " + pem + ", cafile: x}}\n"
      "http: {bind: x}\n");
  EXPECT_THAT(p, ElementsAre("gateway.yaml:2: mqtt.hots: unknown key", "gateway.yaml:3: mqtt.tls.verfy: unknown key",
                             "gateway.yaml:7: controllers[0].topic: unknown key",
                             "gateway.yaml:8: controllers[0].websocket.retry: unknown key",
                             "gateway.yaml:9: agents.queue.max: unknown key",
                             "gateway.yaml:10: listen.tls.cafile: unknown key", "gateway.yaml:11: http.bind: unknown key"));
}

// ---- mqtt ------------------------------------------------------------------------

TEST(GatewayConfigMqtt, HostPortClientIdAndTimes) {
  EXPECT_THAT(problems_with("mqtt:\n  host: ''\n"), ElementsAre("gateway.yaml:2: mqtt.host: must not be empty"));
  EXPECT_THAT(problems_with("mqtt:\n  port: 65536\n"),
              ElementsAre("gateway.yaml:2: mqtt.port: must be an integer in 1..65535"));
  EXPECT_THAT(problems_with("mqtt:\n  client_id: ''\n"),
              ElementsAre("gateway.yaml:2: mqtt.client_id: must not be empty (the gateway keeps a persistent session)"));
  EXPECT_THAT(problems_with("mqtt:\n  session_expiry_s: 4294967296\n"),
              ElementsAre("gateway.yaml:2: mqtt.session_expiry_s: must be an integer in 0..4294967295"));
  EXPECT_THAT(problems_with("mqtt:\n  session_expiry_s: -1\n"),
              ElementsAre("gateway.yaml:2: mqtt.session_expiry_s: must be an integer in 0..4294967295"));
  EXPECT_THAT(problems_with("mqtt:\n  keepalive_s: 4\n"),
              ElementsAre("gateway.yaml:2: mqtt.keepalive_s: must be an integer in 5..65535"));
  EXPECT_THAT(problems_with("mqtt:\n  keepalive_s: 65536\n"),
              ElementsAre("gateway.yaml:2: mqtt.keepalive_s: must be an integer in 5..65535"));
  const auto cfg = parse_gateway_config("mqtt: {session_expiry_s: 0, keepalive_s: 5}\n" + controllers, "g.yaml");
  EXPECT_EQ(cfg.mqtt.session_expiry, 0s);
  EXPECT_EQ(cfg.mqtt.keepalive_s, 5);
}

TEST(GatewayConfigMqtt, ThePasswordComesFromTheFirstLineOfAFile) {
  usp::test::temp_dir dir;
  const auto crlf = dir.write("crlf", "pa ss\r\nignored\n");
  auto cfg = parse_gateway_config("mqtt: {password_file: " + crlf + "}\n" + controllers, "g.yaml");
  EXPECT_EQ(cfg.mqtt.password, "pa ss");
  const auto bare = dir.write("bare", "no-newline");
  cfg = parse_gateway_config("mqtt: {password_file: " + bare + "}\n" + controllers, "g.yaml");
  EXPECT_EQ(cfg.mqtt.password, "no-newline");
}

TEST(GatewayConfigMqtt, AnInlinePasswordOrAnUnreadableFileIsAProblem) {
  EXPECT_THAT(problems_with("mqtt:\n  password: hunter2\n"),
              ElementsAre("gateway.yaml:2: mqtt.password: must not be written in the configuration; put it in a "
                          "file named by password_file"));
  usp::test::temp_dir dir;
  EXPECT_THAT(problems_with("mqtt:\n  password_file: " + dir.file("nope") + "\n"),
              ElementsAre("gateway.yaml:2: mqtt.password_file: cannot read " + dir.file("nope")));
  EXPECT_THAT(problems_with("mqtt:\n  password_file: " + dir.path() + "\n"),
              ElementsAre("gateway.yaml:2: mqtt.password_file: cannot read " + dir.path()));
  EXPECT_THAT(problems_with("mqtt:\n  password_file: ''\n"),
              ElementsAre("gateway.yaml:2: mqtt.password_file: must not be empty"));
}

TEST(GatewayConfigMqtt, RelativePathsAreTakenFromTheFilesFolder) {
  usp::test::temp_dir dir;
  dir.write("pw", "secret\n");
  dir.write("ca.pem", "ca");
  const auto path = dir.write("gateway.yaml", "mqtt: {password_file: pw, tls: {ca_file: ./ca.pem}}\n" + controllers);
  const auto cfg = load_gateway_config(path);
  EXPECT_EQ(cfg.mqtt.password, "secret");
  ASSERT_TRUE(cfg.mqtt.tls);
  EXPECT_EQ(cfg.mqtt.tls->ca_file, dir.file("ca.pem"));
}

TEST(GatewayConfigMqtt, TlsFilesMustExistAndCertAndKeyGoTogether) {
  usp::test::temp_dir dir;
  const auto cert = dir.write("cert.pem", "c");
  const auto key = dir.write("key.pem", "k");
  const auto missing = dir.file("missing.pem");
  EXPECT_THAT(problems_with("mqtt:\n  tls:\n    ca_file: " + missing + "\n"),
              ElementsAre("gateway.yaml:3: mqtt.tls.ca_file: cannot read " + missing));
  EXPECT_THAT(problems_with("mqtt:\n  tls:\n    cert_file: " + missing + "\n    key_file: " + key + "\n"),
              ElementsAre("gateway.yaml:3: mqtt.tls.cert_file: cannot read " + missing));
  EXPECT_THAT(problems_with("mqtt:\n  tls:\n    cert_file: " + cert + "\n    key_file: " + missing + "\n"),
              ElementsAre("gateway.yaml:4: mqtt.tls.key_file: cannot read " + missing));
  EXPECT_THAT(problems_with("mqtt:\n  tls:\n    cert_file: " + cert + "\n"),
              ElementsAre("gateway.yaml:3: mqtt.tls.cert_file: needs key_file too"));
  EXPECT_THAT(problems_with("mqtt:\n  tls:\n    key_file: " + key + "\n"),
              ElementsAre("gateway.yaml:3: mqtt.tls.key_file: needs cert_file too"));
  EXPECT_THAT(problems_with("mqtt:\n  tls:\n    verify: sometimes\n"),
              ElementsAre("gateway.yaml:3: mqtt.tls.verify: must be true or false"));
}

TEST(GatewayConfigMqtt, TlsMovesTheDefaultPortTo8883) {
  auto cfg = parse_gateway_config("mqtt: {tls: {}}\n" + controllers, "g.yaml");
  ASSERT_TRUE(cfg.mqtt.tls);
  EXPECT_TRUE(cfg.mqtt.tls->verify);
  EXPECT_TRUE(cfg.mqtt.tls->ca_file.empty());
  EXPECT_EQ(cfg.mqtt.port, 8883);
  cfg = parse_gateway_config("mqtt: {tls: {}, port: 1884}\n" + controllers, "g.yaml");
  EXPECT_EQ(cfg.mqtt.port, 1884);
}

TEST(GatewayConfigMqtt, SharedGroupIsOneTopicLevel) {
  for (const char* bad : {"a/b", "g+", "#"}) {
    EXPECT_THAT(problems_with(std::string("mqtt:\n  shared_group: '") + bad + "'\n"),
                ElementsAre("gateway.yaml:2: mqtt.shared_group: must be one topic level: no '/', '+' or '#'"))
        << bad;
  }
  EXPECT_EQ(parse_gateway_config("mqtt: {shared_group: gws}\n" + controllers, "g").mqtt.shared_group, "gws");
}

TEST(GatewayConfigMqtt, PartitionIsKOfN) {
  for (const char* bad : {"1/1", "0/0", "4/4", "x", "3", "/2", "1/", "0/1025", "-1/2", "1/2/3", "99999999999/2"}) {
    EXPECT_THAT(problems_with(std::string("mqtt:\n  partition: '") + bad + "'\n"),
                ElementsAre(std::string("gateway.yaml:2: mqtt.partition: must be k/N with 1 <= N <= 1024 (the "
                                        "plugin's partitions) and 0 <= k < N, got '") +
                            bad + "'"))
        << bad;
  }
  const auto cfg = parse_gateway_config("mqtt: {partition: 1023/1024}\n" + controllers, "g");
  EXPECT_EQ(cfg.mqtt.partition, 1023u);
  EXPECT_EQ(cfg.mqtt.partitions, 1024u);
}

TEST(GatewayConfigMqtt, PartitionPrefixIsATopicWithoutOuterSlashes) {
  EXPECT_THAT(problems_with("mqtt:\n  partition_prefix: ''\n"),
              ElementsAre("gateway.yaml:2: mqtt.partition_prefix: must not be empty"));
  EXPECT_THAT(problems_with("mqtt:\n  partition_prefix: /usp/part\n"),
              ElementsAre("gateway.yaml:2: mqtt.partition_prefix: must not start or end with '/'"));
  EXPECT_THAT(problems_with("mqtt:\n  partition_prefix: usp/part/\n"),
              ElementsAre("gateway.yaml:2: mqtt.partition_prefix: must not start or end with '/'"));
  EXPECT_THAT(problems_with("mqtt:\n  partition_prefix: usp/+\n"),
              ElementsAre("gateway.yaml:2: mqtt.partition_prefix: must not contain the wildcards '+' or '#'"));
}

// ---- presence_topic ---------------------------------------------------------------

TEST(GatewayConfigPresence, IsATopicFilter) {
  for (const char* good : {"usp/presence/+", "usp/presence/#", "+/+/x", "presence", "#"}) {
    EXPECT_EQ(parse_gateway_config(std::string("presence_topic: '") + good + "'\n" + controllers, "g").presence_topic,
              good);
  }
  EXPECT_THAT(problems_with("presence_topic: usp/pre+/x\n"),
              ElementsAre("gateway.yaml:1: presence_topic: '+' must be a whole topic level"));
  EXPECT_THAT(problems_with("presence_topic: usp/#/x\n"),
              ElementsAre("gateway.yaml:1: presence_topic: '#' must be the whole last topic level"));
  EXPECT_THAT(problems_with("presence_topic: usp/p#\n"),
              ElementsAre("gateway.yaml:1: presence_topic: '#' must be the whole last topic level"));
  EXPECT_THAT(problems_with("presence_topic: ''\n"),
              ElementsAre("gateway.yaml:1: presence_topic: must not be empty"));
}

}  // namespace
}  // namespace usp::gateway

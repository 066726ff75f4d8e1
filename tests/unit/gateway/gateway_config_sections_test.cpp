// The gateway configuration, section by section: controllers and their
// websocket block, agents, listen, http, threads (gateway_config_test.cpp
// has whole files, mqtt and presence).
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

// ---- controllers -----------------------------------------------------------------

TEST(GatewayConfigControllers, AreARequiredNonEmptyListOfMaps) {
  EXPECT_THAT(problems_of("threads: 1\n"), ElementsAre("gateway.yaml:1: controllers: is required"));
  EXPECT_THAT(problems_of("controllers: []\n"), ElementsAre("gateway.yaml:1: controllers: must not be empty"));
  EXPECT_THAT(problems_of("controllers: x\n"), ElementsAre("gateway.yaml:1: controllers: must be a list"));
  EXPECT_THAT(problems_of("controllers:\n  - 7\n"), ElementsAre("gateway.yaml:2: controllers[0]: must be a map"));
}

TEST(GatewayConfigControllers, EndpointIdsAreValidAndUnique) {
  std::string why;
  parse_endpoint_id("os::", &why);
  EXPECT_THAT(problems_of("controllers:\n  - endpoint_id: 'os::'\n    mqtt_topic: a\n    websocket: {url: ws://h/}\n"),
              ElementsAre("gateway.yaml:2: controllers[0].endpoint_id: 'os::' is not an endpoint id: " + why));
  EXPECT_THAT(problems_of("controllers:\n  - mqtt_topic: a\n    websocket: {url: ws://h/}\n"),
              ElementsAre("gateway.yaml:2: controllers[0].endpoint_id: is required"));
  EXPECT_THAT(problems_of("controllers:\n"
                          "  - {endpoint_id: 'self::c', mqtt_topic: a, websocket: {url: ws://h/}}\n"
                          "  - {endpoint_id: 'self::c', mqtt_topic: b, websocket: {url: ws://h/}}\n"),
              ElementsAre("gateway.yaml:3: controllers[1].endpoint_id: 'self::c' is already controllers[0].endpoint_id"));
}

TEST(GatewayConfigControllers, MqttTopicsAreTopicNamesAndUnique) {
  EXPECT_THAT(problems_of("controllers:\n  - {endpoint_id: 'self::c', mqtt_topic: 'a/#', websocket: {url: ws://h/}}\n"),
              ElementsAre("gateway.yaml:2: controllers[0].mqtt_topic: must not contain the wildcards '+' or '#'"));
  EXPECT_THAT(problems_of("controllers:\n  - {endpoint_id: 'self::c', mqtt_topic: '', websocket: {url: ws://h/}}\n"),
              ElementsAre("gateway.yaml:2: controllers[0].mqtt_topic: must not be empty"));
  EXPECT_THAT(problems_of("controllers:\n  - {endpoint_id: 'self::c', websocket: {url: ws://h/}}\n"),
              ElementsAre("gateway.yaml:2: controllers[0].mqtt_topic: is required"));
  EXPECT_THAT(problems_of("controllers:\n"
                          "  - {endpoint_id: 'self::c', mqtt_topic: a/b, websocket: {url: ws://h/}}\n"
                          "  - {endpoint_id: 'self::d', mqtt_topic: x, websocket: {url: ws://h/}}\n"
                          "  - {endpoint_id: 'self::e', mqtt_topic: a/b, websocket: {url: ws://h/}}\n"),
              ElementsAre("gateway.yaml:4: controllers[2].mqtt_topic: 'a/b' is already controllers[0].mqtt_topic"));
}

TEST(GatewayConfigControllers, WebsocketIsRequired) {
  EXPECT_THAT(problems_of("controllers:\n  - endpoint_id: 'self::c'\n    mqtt_topic: a\n"),
              ElementsAre("gateway.yaml:2: controllers[0].websocket: is required (mode and url)"));
  // A null websocket: problems inside point at its key.
  EXPECT_THAT(problems_of("controllers:\n  - endpoint_id: 'self::c'\n    mqtt_topic: a\n    websocket:\nthreads: 1\n"),
              ElementsAre("gateway.yaml:4: controllers[0].websocket.url: is required for mode dial"));
}

TEST(GatewayConfigWebsocket, ModeIsDialListenOrMultiplex) {
  EXPECT_THAT(problems_of(controller_with("      mode: connect\n      url: ws://h/\n")),
              ElementsAre("gateway.yaml:5: controllers[0].websocket.mode: must be dial, listen or multiplex, got "
                          "'connect'"));
}

TEST(GatewayConfigWebsocket, UrlIsRequiredForDialAndMultiplex) {
  // A missing key is reported where its map starts.
  EXPECT_THAT(problems_of(controller_with("      mode: dial\n")),
              ElementsAre("gateway.yaml:5: controllers[0].websocket.url: is required for mode dial"));
  EXPECT_THAT(problems_of(controller_with("      mode: multiplex\n")),
              ElementsAre("gateway.yaml:5: controllers[0].websocket.url: is required for mode multiplex"));
}

TEST(GatewayConfigWebsocket, UrlIsAWebSocketUrl) {
  EXPECT_THAT(problems_of(controller_with("      url: http://h/usp\n")),
              ElementsAre("gateway.yaml:5: controllers[0].websocket.url: 'http://h/usp': a WebSocket URL starts "
                          "with ws:// or wss://"));
  EXPECT_THAT(problems_of(controller_with("      url: ws:///usp\n")),
              ElementsAre("gateway.yaml:5: controllers[0].websocket.url: 'ws:///usp': a WebSocket URL needs a host"));
  EXPECT_THAT(problems_of(controller_with("      url: 'ws://h:0/usp'\n")),
              ElementsAre("gateway.yaml:5: controllers[0].websocket.url: 'ws://h:0/usp': port must be 1..65535"));
  EXPECT_THAT(problems_of(controller_with("      url: 'ws://h/usp#x'\n")),
              ElementsAre("gateway.yaml:5: controllers[0].websocket.url: 'ws://h/usp#x': a WebSocket URL has no "
                          "fragment (RFC 6455)"));
  for (const char* good : {"ws://h", "wss://h:443", "ws://[::1]:8080/usp", "wss://h.example/a/b?x=1"}) {
    const auto cfg = parse_gateway_config(controller_with(std::string("      url: '") + good + "'\n"), "g");
    EXPECT_EQ(cfg.controllers[0].websocket.url, good);
  }
}

TEST(GatewayConfigWebsocket, ListenModeHasNoUrlAndNeedsTheListenSection) {
  EXPECT_THAT(problems_of(controller_with("      mode: listen\n")),
              ElementsAre("gateway.yaml:5: controllers[0].websocket.mode: listen needs a listen: section (where the "
                          "controller dials the gateway)"));
  EXPECT_THAT(problems_of(controller_with("      mode: listen\n      url: ws://h/\n", "listen: {}\n")),
              ElementsAre("gateway.yaml:7: controllers[0].websocket.url: must not be set for mode listen (the "
                          "controller dials the gateway)"));
  EXPECT_THAT(problems_of(controller_with("      mode: listen\n      tls: {}\n", "listen: {}\n")),
              ElementsAre("gateway.yaml:7: controllers[0].websocket.tls: does not apply to mode listen (listen.tls "
                          "does)"));
  EXPECT_TRUE(problems_of(controller_with("      mode: listen\n", "listen: {port: 0}\n")).empty());
}

TEST(GatewayConfigWebsocket, TlsIsForWssAndItsFilesMustExist) {
  usp::test::temp_dir dir;
  const auto cert = dir.write("c.pem", "c");
  EXPECT_THAT(problems_of(controller_with("      url: ws://h/\n      tls: {verify: false}\n")),
              ElementsAre("gateway.yaml:6: controllers[0].websocket.tls: only applies to wss:// URLs"));
  EXPECT_THAT(problems_of(controller_with("      url: wss://h/\n      tls: {ca_file: " + dir.file("x") + "}\n")),
              ElementsAre("gateway.yaml:6: controllers[0].websocket.tls.ca_file: cannot read " + dir.file("x")));
  EXPECT_THAT(problems_of(controller_with("      url: wss://h/\n      tls:\n        cert_file: " + cert + "\n")),
              ElementsAre("gateway.yaml:7: controllers[0].websocket.tls.cert_file: needs key_file too"));
  const auto cfg = parse_gateway_config(controller_with("      url: wss://h/\n      tls: {verify: false}\n"), "g");
  ASSERT_TRUE(cfg.controllers[0].websocket.tls);
  EXPECT_FALSE(cfg.controllers[0].websocket.tls->verify);
}

TEST(GatewayConfigWebsocket, KeepaliveAndRetryRanges) {
  const std::string url = "      url: ws://h/\n";
  EXPECT_THAT(problems_of(controller_with(url + "      keepalive_s: 65536\n")),
              ElementsAre("gateway.yaml:6: controllers[0].websocket.keepalive_s: must be an integer in 0..65535"));
  EXPECT_THAT(problems_of(controller_with(url + "      retry_min_wait_s: 0\n")),
              ElementsAre("gateway.yaml:6: controllers[0].websocket.retry_min_wait_s: must be an integer in 1..65535"));
  EXPECT_THAT(problems_of(controller_with(url + "      retry_multiplier: 999\n")),
              ElementsAre("gateway.yaml:6: controllers[0].websocket.retry_multiplier: must be an integer in "
                          "1000..65535"));
  EXPECT_THAT(problems_of(controller_with(url + "      retry_multiplier: 65536\n")),
              ElementsAre("gateway.yaml:6: controllers[0].websocket.retry_multiplier: must be an integer in "
                          "1000..65535"));
  EXPECT_THAT(problems_of(controller_with(url + "      retry_max_wait_s: 0\n")),
              ElementsAre("gateway.yaml:6: controllers[0].websocket.retry_max_wait_s: must be an integer in 1..65535"));
}

TEST(GatewayConfigWebsocket, RetryMaxWaitIsAtLeastTheMinimum) {
  const std::string url = "      url: ws://h/\n";
  EXPECT_THAT(problems_of(controller_with(url + "      retry_min_wait_s: 10\n      retry_max_wait_s: 9\n")),
              ElementsAre("gateway.yaml:7: controllers[0].websocket.retry_max_wait_s: must be at least "
                          "retry_min_wait_s (10)"));
  EXPECT_THAT(problems_of(controller_with(url + "      retry_min_wait_s: 601\n")),
              ElementsAre("gateway.yaml:6: controllers[0].websocket.retry_min_wait_s: must not exceed "
                          "retry_max_wait_s (600)"));
  EXPECT_THAT(problems_of(controller_with(url + "      retry_max_wait_s: 4\n")),
              ElementsAre("gateway.yaml:6: controllers[0].websocket.retry_max_wait_s: must be at least "
                          "retry_min_wait_s (5)"));
  const auto cfg = parse_gateway_config(controller_with(url + "      retry_min_wait_s: 7\n      retry_max_wait_s: 7\n"),
                                        "g");
  EXPECT_EQ(cfg.controllers[0].websocket.retry_max_wait, 7s);
}

TEST(GatewayConfigWebsocket, MultiplexEidIsAnEndpointIdForMultiplexOnly) {
  std::string why;
  parse_endpoint_id("gw", &why);
  EXPECT_THAT(problems_of(controller_with("      mode: multiplex\n      url: ws://h/\n      multiplex_eid: gw\n")),
              ElementsAre("gateway.yaml:7: controllers[0].websocket.multiplex_eid: 'gw' is not an endpoint id: " + why));
  EXPECT_THAT(problems_of(controller_with("      url: ws://h/\n      multiplex_eid: 'self::gw'\n")),
              ElementsAre("gateway.yaml:6: controllers[0].websocket.multiplex_eid: only applies to mode multiplex"));
}

// ---- agents -------------------------------------------------------------------------

TEST(GatewayConfigAgents, TopicTemplateNamesTheEidAndHasNoWildcards) {
  EXPECT_THAT(problems_with("agents:\n  topic_template: usp/agent/x\n"),
              ElementsAre("gateway.yaml:2: agents.topic_template: must contain {eid} (the agent's endpoint id)"));
  EXPECT_THAT(problems_with("agents:\n  topic_template: usp/+/{eid}\n"),
              ElementsAre("gateway.yaml:2: agents.topic_template: must not contain the wildcards '+' or '#'"));
  EXPECT_THAT(problems_with("agents:\n  topic_template: ''\n"),
              ElementsAre("gateway.yaml:2: agents.topic_template: must not be empty"));
}

TEST(GatewayConfigAgents, Ranges) {
  EXPECT_THAT(problems_with("agents:\n  offline_grace_s: 86401\n"),
              ElementsAre("gateway.yaml:2: agents.offline_grace_s: must be an integer in 0..86400"));
  EXPECT_THAT(problems_with("agents:\n  queue:\n    max_records: 100001\n"),
              ElementsAre("gateway.yaml:3: agents.queue.max_records: must be an integer in 0..100000"));
  EXPECT_THAT(problems_with("agents:\n  queue:\n    ttl_s: 0\n"),
              ElementsAre("gateway.yaml:3: agents.queue.ttl_s: must be an integer in 1..86400"));
  EXPECT_THAT(problems_with("agents:\n  queue:\n    ttl_s: 86401\n"),
              ElementsAre("gateway.yaml:3: agents.queue.ttl_s: must be an integer in 1..86400"));
  EXPECT_THAT(problems_with("agents:\n  max_record_bytes: 511\n"),
              ElementsAre("gateway.yaml:2: agents.max_record_bytes: must be an integer in 512..16777216"));
  EXPECT_THAT(problems_with("agents:\n  max_record_bytes: 16777217\n"),
              ElementsAre("gateway.yaml:2: agents.max_record_bytes: must be an integer in 512..16777216"));
  const auto cfg = parse_gateway_config("agents: {max_record_bytes: 16777216, queue: {max_records: 100000}}\n" +
                                            controllers,
                                        "g");
  EXPECT_EQ(cfg.agents.max_record_bytes, 16777216u);
  EXPECT_EQ(cfg.agents.queue_max_records, 100000u);
}

// ---- listen, http, threads ------------------------------------------------------------

TEST(GatewayConfigListen, AddressPortAndPathPrefix) {
  EXPECT_THAT(problems_with("listen:\n  address: localhost\n"),
              ElementsAre("gateway.yaml:2: listen.address: must be an IPv4 or IPv6 address, got 'localhost'"));
  EXPECT_THAT(problems_with("listen:\n  port: 65536\n"),
              ElementsAre("gateway.yaml:2: listen.port: must be an integer in 0..65535"));
  EXPECT_THAT(problems_with("listen:\n  path_prefix: usp/\n"),
              ElementsAre("gateway.yaml:2: listen.path_prefix: must start and end with '/', got 'usp/'"));
  EXPECT_THAT(problems_with("listen:\n  path_prefix: /usp\n"),
              ElementsAre("gateway.yaml:2: listen.path_prefix: must start and end with '/', got '/usp'"));
  EXPECT_EQ(parse_gateway_config("listen: {path_prefix: /}\n" + controllers, "g").listen.path_prefix, "/");
}

TEST(GatewayConfigListen, TlsNeedsCertAndKey) {
  usp::test::temp_dir dir;
  const auto cert = dir.write("c.pem", "c");
  const auto key = dir.write("k.pem", "k");
  EXPECT_THAT(problems_with("listen:\n  tls: {verify: true}\n"),
              ElementsAre("gateway.yaml:2: listen.tls: needs cert_file and key_file (the server's certificate)"));
  EXPECT_THAT(problems_with("listen:\n  tls:\n  port: 1\n"),
              ElementsAre("gateway.yaml:2: listen.tls: needs cert_file and key_file (the server's certificate)"));
  EXPECT_THAT(problems_with("listen:\n  tls:\n    cert_file: " + cert + "\n"),
              ElementsAre("gateway.yaml:3: listen.tls.cert_file: needs key_file too"));
  EXPECT_THAT(problems_with("listen:\n  tls:\n    key_file: " + key + "\n"),
              ElementsAre("gateway.yaml:3: listen.tls.key_file: needs cert_file too"));
  EXPECT_THAT(problems_with("listen:\n  tls:\n    cert_file: " + cert + "\n    key_file: " + key +
                            "\n    ca_file: " + dir.file("none") + "\n"),
              ElementsAre("gateway.yaml:5: listen.tls.ca_file: cannot read " + dir.file("none")));
  const auto cfg = parse_gateway_config(
      "listen:\n  tls: {cert_file: " + cert + ", key_file: " + key + ", verify: false}\n" + controllers, "g");
  ASSERT_TRUE(cfg.listen.tls);
  EXPECT_EQ(cfg.listen.tls->key_file, key);
  EXPECT_FALSE(cfg.listen.tls->verify);
}

TEST(GatewayConfigHttp, AddressAndPort) {
  EXPECT_THAT(problems_with("http:\n  address: 300.1.1.1\n"),
              ElementsAre("gateway.yaml:2: http.address: must be an IPv4 or IPv6 address, got '300.1.1.1'"));
  EXPECT_THAT(problems_with("http:\n  port: -1\n"), ElementsAre("gateway.yaml:2: http.port: must be an integer in 0..65535"));
  EXPECT_EQ(parse_gateway_config("http: {port: 0}\n" + controllers, "g").http.port, 0);
}

TEST(GatewayConfigHttp, MustNotShareThePortOfTheListener) {
  EXPECT_THAT(problems_with("listen: {port: 9000}\nhttp:\n  port: 9000\n"),
              ElementsAre("gateway.yaml:3: http.port: is also listen.port (9000)"));
  EXPECT_TRUE(problems_with("listen: {port: 9000, address: 127.0.0.1}\nhttp: {port: 9000, address: 127.0.0.2}\n")
                  .empty());
  EXPECT_TRUE(problems_with("listen: {port: 0}\nhttp: {port: 0}\n").empty());  // both ephemeral
}

TEST(GatewayConfig, ThreadsRange) {
  EXPECT_THAT(problems_with("threads: 0\n"), ElementsAre("gateway.yaml:1: threads: must be an integer in 1..256"));
  EXPECT_THAT(problems_with("threads: 257\n"), ElementsAre("gateway.yaml:1: threads: must be an integer in 1..256"));
  EXPECT_EQ(parse_gateway_config("threads: 256\n" + controllers, "g").threads, 256u);
}

}  // namespace
}  // namespace usp::gateway

// The Asio-driven libmosquitto client against a real mosquitto.
#include "usp/mtp/mqtt_client.hpp"

#include <gtest/gtest.h>

#include "usp_test/mosquitto_broker.hpp"
#include "usp_test/test_ca.hpp"
#include "usp_test/wait.hpp"

namespace usp::mtp {
namespace {

namespace net = boost::asio;
using boost::system::error_code;
using std::chrono::seconds;

// What a client saw, for assertions.
struct observed {
  int connected = 0;
  int disconnected = 0;
  connack_info last_connack;
  std::vector<int> granted;
  struct message {
    std::string topic, payload, response_topic, content_type;
    int qos;
  };
  std::vector<message> messages;
};

mqtt_client::handlers watch(observed& o) {
  mqtt_client::handlers h;
  h.on_connected = [&o](const connack_info& c) {
    ++o.connected;
    o.last_connack = c;
  };
  h.on_disconnected = [&o](const error_code&) { ++o.disconnected; };
  h.on_subscribed = [&o](int, const std::vector<int>& g) { o.granted = g; };
  h.on_message = [&o](const mqtt_message& m) {
    o.messages.push_back({std::string(m.topic), std::string(m.payload), std::string(m.response_topic),
                          std::string(m.content_type), m.qos});
  };
  return h;
}

class MqttClient : public ::testing::TestWithParam<mqtt_version> {
 protected:
  mqtt_options options(const std::string& eid) {
    mqtt_options o;
    o.host = broker_.host();
    o.port = broker_.port();
    o.version = GetParam();
    o.endpoint_id = eid;
    o.keepalive_s = 30;
    o.retry = retry_policy{seconds(1), 1000, seconds(1)};  // 1 s between attempts
    return o;
  }
  bool is_v5() const { return GetParam() == mqtt_version::v5; }

  test::mosquitto_broker broker_;
  net::io_context io_;
};

TEST_P(MqttClient, ConnectsSubscribesAndReceivesWithProperties) {
  observed o;
  mqtt_client c(io_.get_executor(), options("os::000413-A1B2C3"), watch(o));
  c.start();
  ASSERT_TRUE(test::run_until(io_, [&] { return o.connected == 1; })) << broker_.log();
  EXPECT_EQ(c.state(), mqtt_state::connected);
  if (is_v5()) {
    // R-MQTT.8/9: empty client id on 5.0, the broker assigns one.
    EXPECT_FALSE(o.last_connack.assigned_client_id.empty());
    EXPECT_EQ(c.client_id(), o.last_connack.assigned_client_id);
  } else {
    EXPECT_EQ(c.client_id(), "os::000413-A1B2C3");  // R-MQTT.8: the EID on 3.1.1
  }
  error_code ec;
  ASSERT_TRUE(c.subscribe({"usp/agent/os::000413-A1B2C3", "usp/agent/os::000413-A1B2C3/#"}, 1, ec)) << ec.message();
  ASSERT_TRUE(test::run_until(io_, [&] { return o.granted.size() == 2; }));
  EXPECT_EQ(o.granted[0], 1);

  const std::string payload("\x00\x01record", 8);
  publish_request p;
  p.topic = "usp/agent/os::000413-A1B2C3";
  p.payload = payload;
  p.qos = 1;
  p.response_topic = "usp/controller/acme";
  p.content_type = "usp.msg";
  ASSERT_TRUE(c.publish(p, ec)) << ec.message();
  ASSERT_TRUE(test::run_until(io_, [&] { return !o.messages.empty(); }));
  const auto& m = o.messages[0];
  EXPECT_EQ(m.topic, "usp/agent/os::000413-A1B2C3");
  EXPECT_EQ(m.payload, payload);
  EXPECT_EQ(m.qos, 1);
  if (is_v5()) {
    EXPECT_EQ(m.response_topic, "usp/controller/acme");  // R-MQTT.23
    EXPECT_EQ(m.content_type, "usp.msg");                // R-MQTT.27
  } else {
    EXPECT_EQ(m.response_topic, "");
  }
  ASSERT_TRUE(test::run_until(io_, [&] { return c.inflight() == 0; }));  // PUBACK came back
}

TEST_P(MqttClient, ReconnectsAfterTheBrokerRestarts) {
  observed o;
  mqtt_client c(io_.get_executor(), options("os::000413-RESTART"), watch(o));
  c.start();
  ASSERT_TRUE(test::run_until(io_, [&] { return o.connected == 1; }));
  const auto first_id = c.client_id();
  broker_.stop();
  ASSERT_TRUE(test::run_until(io_, [&] { return o.disconnected >= 1; }));
  EXPECT_NE(c.state(), mqtt_state::connected);
  broker_.start();
  ASSERT_TRUE(test::run_until(io_, [&] { return o.connected == 2; }, seconds(20))) << broker_.log();
  EXPECT_EQ(c.retry_count(), 0u);  // reset on success
  EXPECT_EQ(c.client_id(), first_id);  // R-MQTT.11: the same id after the first success
  error_code ec;
  ASSERT_TRUE(c.subscribe({"usp/agent/restart"}, 0, ec));
  publish_request p{"usp/agent/restart", "again", 0, false, {}, {}};
  ASSERT_TRUE(test::run_until(io_, [&] { return !o.granted.empty(); }));
  ASSERT_TRUE(c.publish(p, ec));
  ASSERT_TRUE(test::run_until(io_, [&] { return !o.messages.empty(); }));
}

TEST_P(MqttClient, RetriesWithBackoffWhileTheBrokerIsDown) {
  broker_.stop();
  observed o;
  auto opts = options("os::000413-RETRY");
  mqtt_client c(io_.get_executor(), opts, watch(o));
  c.start();
  ASSERT_TRUE(test::run_until(io_, [&] { return c.stats().connect_failures >= 2; }, seconds(10)));
  EXPECT_GE(c.retry_count(), 2u);
  EXPECT_EQ(o.connected, 0);
  error_code ec;
  EXPECT_FALSE(c.publish({"t", "x", 0, false, {}, {}}, ec));
  EXPECT_EQ(ec, mqtt_errc::not_connected);
  broker_.start();
  ASSERT_TRUE(test::run_until(io_, [&] { return o.connected == 1; }, seconds(10)));
  EXPECT_EQ(c.retry_count(), 0u);
}

TEST_P(MqttClient, ForceReconnectAndStop) {
  observed o;
  mqtt_client c(io_.get_executor(), options("os::000413-FORCE"), watch(o));
  c.start();
  ASSERT_TRUE(test::run_until(io_, [&] { return o.connected == 1; }));
  c.force_reconnect();
  ASSERT_TRUE(test::run_until(io_, [&] { return o.connected == 2; }, seconds(10)));
  EXPECT_GE(o.disconnected, 1);
  const auto id = c.client_id();
  c.stop();
  ASSERT_TRUE(test::run_until(io_, [&] { return c.state() == mqtt_state::stopped && o.disconnected >= 2; }));
  // R-MQTT.35: a DISCONNECT, which mosquitto logs as "disconnected".
  EXPECT_TRUE(test::wait_for_text(broker_.dir() + "/mosquitto-1.log", "Client " + id + " disconnected"))
      << broker_.log();
}

TEST_P(MqttClient, UnsubscribeStopsDelivery) {
  observed o;
  mqtt_client c(io_.get_executor(), options("os::000413-UNSUB"), watch(o));
  c.start();
  ASSERT_TRUE(test::run_until(io_, [&] { return o.connected == 1; }));
  error_code ec;
  ASSERT_TRUE(c.subscribe({"usp/a", "usp/b"}, 1, ec));
  ASSERT_TRUE(test::run_until(io_, [&] { return o.granted.size() == 2; }));
  ASSERT_TRUE(c.unsubscribe({"usp/a"}, ec)) << ec.message();
  // One publisher's QoS 1 messages arrive in order: once "b" is here, "a"
  // would have been delivered before it if the filter were still active.
  ASSERT_TRUE(c.publish({"usp/a", "lost", 1, false, {}, {}}, ec));
  ASSERT_TRUE(c.publish({"usp/b", "kept", 1, false, {}, {}}, ec));
  ASSERT_TRUE(test::run_until(io_, [&] { return !o.messages.empty(); }));
  ASSERT_EQ(o.messages.size(), 1u);
  EXPECT_EQ(o.messages[0].topic, "usp/b");
}

TEST_P(MqttClient, QoS1BacklogIsBounded) {
  observed o;
  auto opts = options("os::000413-BOUND");
  opts.max_inflight = 5;
  mqtt_client c(io_.get_executor(), opts, watch(o));
  c.start();
  ASSERT_TRUE(test::run_until(io_, [&] { return o.connected == 1; }));
  error_code ec;
  int accepted = 0;
  int refused_full = 0;
  for (int i = 0; i < 50; ++i) {
    if (c.publish({"usp/sink", "x", 1, false, {}, {}}, ec)) {
      ++accepted;
    } else if (ec == mqtt_errc::inflight_full) {
      ++refused_full;
    }
  }
  EXPECT_EQ(accepted, 5);
  EXPECT_EQ(refused_full, 45);
  EXPECT_EQ(c.stats().publish_refused, 45u);
  ASSERT_TRUE(test::run_until(io_, [&] { return c.inflight() == 0; }));
  EXPECT_TRUE(c.publish({"usp/sink", "x", 1, false, {}, {}}, ec));
}

INSTANTIATE_TEST_SUITE_P(Versions, MqttClient, ::testing::Values(mqtt_version::v3_1_1, mqtt_version::v5),
                         [](const auto& p) { return p.param == mqtt_version::v5 ? "v5" : "v311"; });

TEST(MqttClientKeepAlive, PingsWithinTheKeepAlive) {
  test::broker_options bo;
  bo.config_lines = {"log_type debug"};
  test::mosquitto_broker broker(std::move(bo));
  net::io_context io;
  observed o;
  mqtt_options opts;
  opts.port = broker.port();
  opts.endpoint_id = "os::000413-PING";
  opts.client_id = "ping-client";
  opts.keepalive_s = 5;  // libmosquitto's minimum
  mqtt_client c(io.get_executor(), opts, watch(o));
  c.start();
  ASSERT_TRUE(test::run_until(io, [&] { return o.connected == 1; }));
  // TP 11.7: a PINGREQ within 1.5 x the keep-alive.
  bool pinged = false;
  ASSERT_TRUE(test::run_until(io, [&] {
    pinged = broker.log().find("Received PINGREQ from ping-client") != std::string::npos;
    return pinged;
  }, std::chrono::milliseconds(7500)));
  EXPECT_EQ(c.state(), mqtt_state::connected);
}

// ---- TLS ------------------------------------------------------------------

class MqttTls : public ::testing::Test {
 protected:
  MqttTls() : ca_(dir_.path()) {
    server_ = ca_.issue("broker", {"DNS:localhost", "IP:127.0.0.1"}, "broker");
  }
  std::unique_ptr<test::mosquitto_broker> broker(bool require_client_cert) {
    test::broker_options bo;
    bo.tls = std::make_unique<test::broker_tls>();
    bo.tls->ca_file = ca_.ca_file();
    bo.tls->cert_file = server_.cert_file;
    bo.tls->key_file = server_.key_file;
    bo.tls->require_certificate = require_client_cert;
    bo.tls->use_identity_as_username = require_client_cert;
    return std::make_unique<test::mosquitto_broker>(std::move(bo));
  }
  mqtt_options options(const test::mosquitto_broker& b, const std::string& host, const std::string& ca_file) {
    mqtt_options o;
    o.host = host;
    o.port = b.port();
    o.endpoint_id = "os::000413-TLS";
    o.retry = retry_policy{seconds(1), 1000, seconds(1)};
    o.tls = tls_options{ca_file, "", "", true};
    return o;
  }

  test::temp_dir dir_;
  test::test_ca ca_;
  test::issued_cert server_;
  net::io_context io_;
};

TEST_F(MqttTls, VerifiesTheBrokerByNameAndByAddress) {
  auto b = broker(false);
  for (const char* host : {"localhost", "127.0.0.1"}) {
    observed o;
    mqtt_client c(io_.get_executor(), options(*b, host, ca_.ca_file()), watch(o));
    c.start();
    EXPECT_TRUE(test::run_until(io_, [&] { return o.connected == 1; })) << host << "\n" << b->log();
  }
}

TEST_F(MqttTls, RefusesABrokerSignedByAnotherCa) {
  auto b = broker(false);
  test::temp_dir other_dir;
  test::test_ca other(other_dir.path(), "other-ca");
  observed o;
  mqtt_client c(io_.get_executor(), options(*b, "localhost", other.ca_file()), watch(o));
  c.start();
  ASSERT_TRUE(test::run_until(io_, [&] { return c.stats().connect_failures >= 2; }, seconds(10)));
  EXPECT_EQ(o.connected, 0);
}

TEST_F(MqttTls, RefusesACertificateForAnotherName) {
  test::temp_dir d2;
  auto wrong = ca_.issue("elsewhere", {"DNS:elsewhere.example"}, "wrong");
  test::broker_options bo;
  bo.tls = std::make_unique<test::broker_tls>();
  bo.tls->ca_file = ca_.ca_file();
  bo.tls->cert_file = wrong.cert_file;
  bo.tls->key_file = wrong.key_file;
  test::mosquitto_broker b(std::move(bo));
  observed o;
  mqtt_client c(io_.get_executor(), options(b, "localhost", ca_.ca_file()), watch(o));
  c.start();
  ASSERT_TRUE(test::run_until(io_, [&] { return c.stats().connect_failures >= 1; }, seconds(10)));
  EXPECT_EQ(o.connected, 0);
}

TEST_F(MqttTls, PresentsAClientCertificate) {
  auto b = broker(true);
  const auto client = ca_.issue("os::000413-TLS", {"URI:urn:bbf:usp:id:os::000413-TLS"}, "client");
  observed with_cert, without_cert;
  auto opts = options(*b, "localhost", ca_.ca_file());
  opts.tls->cert_file = client.cert_file;
  opts.tls->key_file = client.key_file;
  mqtt_client good(io_.get_executor(), opts, watch(with_cert));
  mqtt_client bad(io_.get_executor(), options(*b, "localhost", ca_.ca_file()), watch(without_cert));
  good.start();
  bad.start();
  ASSERT_TRUE(test::run_until(io_, [&] { return with_cert.connected == 1 && bad.stats().connect_failures >= 1; },
                              seconds(10)))
      << b->log();
  EXPECT_EQ(without_cert.connected, 0);
}

TEST(MqttClientOptions, StartUpErrorsAreExceptions) {
  net::io_context io;
  mqtt_options o;
  o.version = mqtt_version::v3_1_1;  // needs a client id or an endpoint id
  EXPECT_THROW(mqtt_client(io.get_executor(), o, {}), std::runtime_error);
  o = mqtt_options{};
  o.tls = tls_options{"/nonexistent/ca.pem", "", "", true};
  EXPECT_THROW(mqtt_client(io.get_executor(), o, {}), std::runtime_error);
}

}  // namespace
}  // namespace usp::mtp

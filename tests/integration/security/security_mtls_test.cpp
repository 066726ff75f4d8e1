// Mutual TLS end to end: a CA made at test time; mosquitto with a TLS
// listener that requires client certificates and the plugin taking each
// phone's endpoint id from its certificate (plugin_opt_identity cert_san,
// R-SEC.0a); the gateway logs in with its own certificate (CN usp-gateway,
// privileged through use_identity_as_username) and reaches the controller
// over wss:// with CA verification; phones connect with their certificates.
// A phone whose certificate says A but whose Records say B is dropped and
// counted; clients without a certificate, or with one from another CA, are
// refused.
#include <memory>

#include <gtest/gtest.h>

#include "gateway_fixture.hpp"
#include "plugin_fixture.hpp"
#include "usp/mtp/mqtt_client.hpp"
#include "usp_test/test_ca.hpp"
#include "usp_test/wait.hpp"

namespace usp::test {
namespace {

const std::string mac_a = "000413A0000A";
const std::string mac_b = "000413A0000B";

std::string san_of(const std::string& eid) { return "URI:urn:bbf:usp:id:" + eid; }

// Listener lines for mosquitto (they follow the fixture's `listener` line).
std::vector<std::string> mtls_listener(const test_ca& ca, const issued_cert& server) {
  return {"cafile " + ca.ca_file(),
          "certfile " + server.cert_file,
          "keyfile " + server.key_file,
          "require_certificate true",
          "use_identity_as_username true",
          "tls_version tlsv1.2",
          "plugin_opt_identity cert_san",
          "plugin_opt_stats_interval_s 1"};
}

class MutualTls : public ::testing::Test {
 protected:
  MutualTls()
      : ca_(certs_.path(), "usp-security-ca"),
        rogue_ca_(certs_.path(), "rogue-ca"),
        broker_cert_(ca_.issue("broker", {"DNS:localhost", "IP:127.0.0.1"}, "broker")),
        gateway_cert_(ca_.issue("usp-gateway", {}, "gateway")),
        controller_cert_(ca_.issue("controller", {"DNS:localhost", "IP:127.0.0.1"}, "controller")),
        phone_a_(ca_.issue("phone-a", {san_of(eid_of(mac_a))}, "phone-a")),
        rogue_a_(rogue_ca_.issue("phone-a", {san_of(eid_of(mac_a))}, "rogue-a")),
        f_(mtls_listener(ca_, broker_cert_)) {}

  // The scripted controller on wss:// with a certificate from our CA.
  void controller_listens_tls() {
    ctl::ws_controller_options o;
    o.endpoint_id = gw_controller_eid;
    f_.controller = std::make_unique<ctl::ws_controller>(f_.io.get_executor(), o);
    f_.controller->on_record = [this](const ctl::received_record& r) { f_.inbox.push_back(r); };
    f_.controller->listen("127.0.0.1", 0, tls_options{{}, controller_cert_.cert_file, controller_cert_.key_file, false});
  }

  std::string wss_yaml(const std::string& ca_file) const {
    return "      mode: dial\n"
           "      url: wss://localhost:" + std::to_string(f_.controller->port()) + "/usp\n"
           "      tls: {ca_file: " + ca_file + ", verify: true}\n"
           "      retry_min_wait_s: 1\n"
           "      retry_multiplier: 1000\n"
           "      retry_max_wait_s: 1\n";
  }

  std::string mqtt_tls_yaml() const {
    return "  tls:\n"
           "    ca_file: " + ca_.ca_file() + "\n"
           "    cert_file: " + gateway_cert_.cert_file + "\n"
           "    key_file: " + gateway_cert_.key_file + "\n"
           "    verify: true\n";
  }

  // A phone over MQTT 5 + TLS to "localhost", presenting `cert`.
  void start_phone(const std::string& mac, const issued_cert& cert, const std::vector<std::string>& extra = {}) {
    const auto settings = f_.dir.write("agent-" + mac + ".txt",
                                       "tr369_enable2!: on\n"
                                       "tr369_mtp_protocol2!: mqtt\n"
                                       "tr369_mqtt_hostport2!: localhost:" + std::to_string(f_.broker.port()) + "\n"
                                       "tr369_mqtt_transport2!: TLS\n"
                                       "tr369_mqtt_version2!: 5.0\n"
                                       "tr369_mqtt_clientid2!: {eid}\n"
                                       "tr369_mqtt_topic2!: " + std::string(gw_controller_topic) + "\n"
                                       "tr369_controller_endpointid2!: " + gw_controller_eid + "\n");
    std::vector<std::string> argv = {USP_AGENT_BIN, "--mac", mac, "--settings", settings, "--state-dir", f_.dir.file("state-" + mac),
         "--factory", std::string(USP_SOURCE_DIR) + "/config/agent/factory.txt", "--param-map",
         std::string(USP_SOURCE_DIR) + "/config/agent/param_map", "--ca-file", ca_.ca_file(), "--cert-file",
         cert.cert_file, "--key-file", cert.key_file, "--retry-s", "1", "--log-level", "debug"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    f_.agents[mac] = child_process(argv, f_.dir.file("agent-" + mac + ".log"));
  }

  // An MQTT client over TLS: how often it failed and whether it ever got in.
  struct attempt {
    std::unique_ptr<mtp::mqtt_client> client;
    int failures = 0;
    bool connected = false;
  };
  std::unique_ptr<attempt> try_client(const std::string& client_id, std::optional<issued_cert> cert) {
    auto a = std::make_unique<attempt>();
    auto o = client_options(f_.broker, client_id, mqtt_version::v5);
    o.host = "localhost";
    o.tls = tls_options{ca_.ca_file(), cert ? cert->cert_file : "", cert ? cert->key_file : "", true};
    mtp::mqtt_client::handlers h;
    auto* raw = a.get();
    h.on_connected = [raw](const mtp::connack_info&) { raw->connected = true; };
    h.on_disconnected = [raw](const boost::system::error_code&) { ++raw->failures; };
    a->client = std::make_unique<mtp::mqtt_client>(f_.io.get_executor(), o, std::move(h));
    a->client->start();
    return a;
  }

  // The plugin's counter under $SYS/broker/usp, read as the gateway would
  // (its certificate makes it privileged); -1 until published.
  long plugin_counter(peer& observer, const std::string& name) {
    long v = -1;
    for (const auto& m : observer.received) {
      if (m.topic == "$SYS/broker/usp/" + name) v = std::stol(m.payload);
    }
    return v;
  }

  temp_dir certs_;
  test_ca ca_;
  test_ca rogue_ca_;
  issued_cert broker_cert_, gateway_cert_, controller_cert_, phone_a_, rogue_a_;
  gateway_fixture f_;
};

TEST_F(MutualTls, PhonesAndTheGatewayAuthenticateWithCertificatesEndToEnd) {
  controller_listens_tls();
  ASSERT_TRUE(f_.start_gateway(wss_yaml(ca_.ca_file()), {}, "gw", mqtt_tls_yaml()));
  const auto eid_a = eid_of(mac_a);
  start_phone(mac_a, phone_a_);
  // The phone's certificate names it; the gateway (privileged by its
  // certificate's CN) carries its Records to the controller over wss://.
  ASSERT_TRUE(f_.wait_for(eid_a, [](const ctl::received_record& r) { return r.record.has_websocket_connect(); }));
  ASSERT_TRUE(f_.wait_boot(eid_a));
  auto get = f_.request(eid_a, ctl::get_msg({"Device.DeviceInfo.SerialNumber"}));
  ASSERT_TRUE(get) << f_.logs();
  EXPECT_EQ(ctl::value_in(*get, "Device.DeviceInfo.", "SerialNumber"), mac_a);
  const auto broker_log = f_.broker.log();
  EXPECT_NE(broker_log.find("u'usp-gateway'"), std::string::npos)
      << "mosquitto took the gateway's username from its certificate:\n" << broker_log;
}

TEST_F(MutualTls, APhoneClaimingAnotherEndpointIdIsDroppedAndCounted) {
  controller_listens_tls();
  ASSERT_TRUE(f_.start_gateway(wss_yaml(ca_.ca_file()), {}, "gw", mqtt_tls_yaml()));
  // Watch the plugin's counters with the gateway's certificate.
  auto o = client_options(f_.broker, "security-observer", mqtt_version::v5);
  o.host = "localhost";
  o.tls = tls_options{ca_.ca_file(), gateway_cert_.cert_file, gateway_cert_.key_file, true};
  peer observer(f_.io, o);
  observer.connect();
  ASSERT_LT(observer.subscribe({"$SYS/broker/usp/#"}).at(0), 0x80);

  // Phone B presents A's certificate. On its own topic it is refused (the
  // topic is not A's) and gives up; listening on A's topic, its Records
  // still say from_id B and are dropped.
  const auto eid_b = eid_of(mac_b);
  start_phone(mac_b, phone_a_);
  ASSERT_TRUE(run_until(
      f_.io, [&] { return plugin_counter(observer, "denied/subscribe") >= 1; }, std::chrono::seconds(20)))
      << observer.received.size() << " stats messages\n" << f_.broker.log() << f_.logs();
  f_.stop_agent(mac_b);
  start_phone(mac_b, phone_a_, {"--response-topic", agent_topic(eid_of(mac_a))});
  ASSERT_TRUE(run_until(
      f_.io, [&] { return plugin_counter(observer, "records/dropped/spoofed_from_id") >= 1; },
      std::chrono::seconds(20)))
      << observer.received.size() << " stats messages\n" << f_.broker.log() << f_.logs();
  EXPECT_NE(f_.broker.log().find("claiming from_id '" + eid_b + "'"), std::string::npos) << f_.broker.log();
  // Nothing in B's name reached the controller; the real A still gets through.
  const auto eid_a = eid_of(mac_a);
  start_phone(mac_a, phone_a_);
  ASSERT_TRUE(f_.wait_boot(eid_a));
  for (const auto& r : f_.inbox) EXPECT_NE(r.record.from_id(), eid_b);
  EXPECT_FALSE(f_.controller->connected(eid_b));
}

TEST_F(MutualTls, ClientsWithoutATrustedCertificateAreRefused) {
  auto none = try_client("no-cert", std::nullopt);
  auto rogue = try_client(eid_of(mac_a), rogue_a_);
  auto good = try_client("good-cert", phone_a_);
  ASSERT_TRUE(run_until(f_.io, [&] { return none->failures >= 2 && rogue->failures >= 2 && good->connected; },
                        std::chrono::seconds(20)))
      << "failures: none " << none->failures << ", rogue " << rogue->failures << "\n" << f_.broker.log();
  EXPECT_FALSE(none->connected);
  EXPECT_FALSE(rogue->connected);
  EXPECT_EQ(none->client->stats().connects, 0u);
  EXPECT_EQ(rogue->client->stats().connects, 0u);
}

TEST_F(MutualTls, TheGatewayRefusesAControllerItsCaDidNotSign) {
  controller_listens_tls();
  // The gateway trusts only the rogue CA, so the real controller fails
  // verification; with the right CA the same session opens.
  ASSERT_TRUE(f_.start_gateway(wss_yaml(rogue_ca_.ca_file()), {}, "gw", mqtt_tls_yaml()));
  start_phone(mac_a, phone_a_);
  // poll_until keeps our loop (the controller's TLS server) running.
  EXPECT_TRUE(f_.poll_until(
      [&] { return f_.gateways.at("gw").proc.output().find("certificate verify failed") != std::string::npos; },
      std::chrono::seconds(20)))
      << "dial failures " << f_.metric("usp_gateway_dial_failures_total") << "\n" << f_.logs();
  EXPECT_EQ(f_.controller->sessions(), 0u);
  ASSERT_TRUE(f_.reload_gateway(wss_yaml(ca_.ca_file())));
  ASSERT_TRUE(f_.wait_boot(eid_of(mac_a)));
}

}  // namespace
}  // namespace usp::test

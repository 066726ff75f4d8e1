// Certificate identities (R-SEC.0a): the endpoint id comes from the client
// certificate's "urn:bbf:usp:id:" SAN; the gateway is privileged through the
// username mosquitto takes from its certificate (use_identity_as_username).
#include <gtest/gtest.h>

#include "plugin_fixture.hpp"
#include "usp/record.hpp"
#include "usp_test/temp_dir.hpp"
#include "usp_test/test_ca.hpp"

namespace usp::test {
namespace {

TEST(PluginTls, TheCertificateSanIsTheIdentity) {
  temp_dir dir;
  test_ca ca(dir.path());
  const auto server = ca.issue("broker", {"DNS:localhost"}, "broker");
  const auto phone = ca.issue("phone-1", {"URI:urn:bbf:usp:id:" + std::string(agent_a)}, "phone");
  const auto gw_cert = ca.issue("usp-gateway", {}, "gateway");
  auto bo = plugin_broker({"plugin_opt_identity cert_san"});
  bo.tls = std::make_unique<broker_tls>();
  bo.tls->ca_file = ca.ca_file();
  bo.tls->cert_file = server.cert_file;
  bo.tls->key_file = server.key_file;
  bo.tls->require_certificate = true;
  bo.tls->use_identity_as_username = true;
  mosquitto_broker broker(std::move(bo));
  boost::asio::io_context io;
  auto tls_client = [&](const std::string& id, const issued_cert& cert) {
    auto o = client_options(broker, id, mqtt_version::v5);
    o.host = "localhost";
    o.tls = tls_options{ca.ca_file(), cert.cert_file, cert.key_file, true};
    return std::make_unique<peer>(io, o);
  };
  auto gw = tls_client("gw-1", gw_cert);
  gw->connect();
  EXPECT_LT(gw->subscribe({std::string(controller_topic), "usp/presence/+"}).at(0), 0x80);
  // The client id says B; the certificate says A, and the certificate wins.
  auto a = tls_client(agent_b, phone);
  a->connect();
  EXPECT_GE(a->subscribe({agent_topic(agent_b)}).at(0), 0x80);
  EXPECT_LT(a->subscribe({agent_topic(agent_a)}).at(0), 0x80);
  a->publish(controller_topic, usp::make_no_session_record(agent_b, controller_eid, std::string_view("as b")));
  const auto good = usp::make_no_session_record(agent_a, controller_eid, std::string_view("as a"));
  a->publish(controller_topic, good);
  ASSERT_TRUE(gw->wait_for(controller_topic, good)) << broker.log();
  ASSERT_EQ(gw->received.size(), 2u);  // presence, then the record
  EXPECT_EQ(gw->received[0].topic, "usp/presence/" + std::string(agent_a));
  EXPECT_NE(gw->received[0].payload.find("\"client_id\":\"os::000413-B1B2C3\""), std::string::npos);
}

}  // namespace
}  // namespace usp::test

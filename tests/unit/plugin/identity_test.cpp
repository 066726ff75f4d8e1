// Binding clients to endpoint ids: each identity source, roles, certificates.
#include "policy/identity.hpp"

#include <cstdio>
#include <memory>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "plugin_fakes.hpp"
#include "policy/cert_names.hpp"
#include "usp_test/temp_dir.hpp"
#include "usp_test/test_ca.hpp"

namespace usp::plugin {
namespace {

using test::fake_client;

identity identify(identity_source src, const fake_client& c) {
  auto o = test::test_options();
  o.identity = src;
  return identity_rules(o).identify(c);
}

TEST(PluginIdentity, ClientIdIsTheEndpointId) {
  const auto id = identify(identity_source::client_id, fake_client("os::000413-A1B2C3", 4));
  EXPECT_EQ(id.kind, role::agent);
  EXPECT_EQ(id.eid, "os::000413-A1B2C3");
}

TEST(PluginIdentity, AClientIdThatIsNoEndpointIdGivesNothing) {
  // MQTT 5 agents may leave the client id to the broker ("auto-...").
  EXPECT_EQ(identify(identity_source::client_id, fake_client("auto-0229D233-C491", 5)).kind, role::none);
  EXPECT_EQ(identify(identity_source::client_id, fake_client("", 5)).kind, role::none);
  EXPECT_EQ(identify(identity_source::client_id, fake_client("oui:00256D:x/y", 5)).kind, role::none);
  EXPECT_EQ(identify(identity_source::client_id, fake_client("proto::a+b", 5)).kind, role::none);
}

TEST(PluginIdentity, UsernameIsTheEndpointId) {
  const auto id = identify(identity_source::username, fake_client("c1", 5, "os::000413-A1B2C3"));
  EXPECT_EQ(id.kind, role::agent);
  EXPECT_EQ(id.eid, "os::000413-A1B2C3");
  EXPECT_EQ(identify(identity_source::username, fake_client("os::000413-A1B2C3", 5)).kind, role::none);
}

TEST(PluginIdentity, PrivilegedUsernamesWin) {
  const auto id = identify(identity_source::client_id, fake_client("os::000413-A1B2C3", 5, "usp-gateway"));
  EXPECT_EQ(id.kind, role::privileged);
  EXPECT_EQ(id.eid, "");
}

TEST(PluginIdentity, Mqtt31GetsNothingUsp) {
  // The USP binding is MQTT 3.1.1 and 5.0 (R-MQTT.1/2).
  EXPECT_EQ(identify(identity_source::client_id, fake_client("os::000413-A1B2C3", 3)).kind, role::none);
  EXPECT_EQ(identify(identity_source::client_id, fake_client("gw", 3, "usp-gateway")).kind, role::none);
}

TEST(PluginIdentity, CertificateCommonName) {
  fake_client c("c1", 5);
  EXPECT_EQ(identify(identity_source::cert_cn, c).kind, role::none);  // no certificate
  c.cert = cert_names{"os::000413-A1B2C3", {}};
  const auto id = identify(identity_source::cert_cn, c);
  EXPECT_EQ(id.kind, role::agent);
  EXPECT_EQ(id.eid, "os::000413-A1B2C3");
}

TEST(PluginIdentity, CertificateSanUri) {
  fake_client c("c1", 4);
  c.cert = cert_names{"phone", {"https://example.com", "urn:bbf:usp:id:os::000413-A1B2C3"}};
  const auto id = identify(identity_source::cert_san, c);
  EXPECT_EQ(id.kind, role::agent);
  EXPECT_EQ(id.eid, "os::000413-A1B2C3");
}

TEST(PluginIdentity, TwoDifferentSanEndpointIdsBindToNeither) {
  EXPECT_EQ(identity_rules::eid_from_sans({"urn:bbf:usp:id:os::000413-A", "urn:bbf:usp:id:os::000413-B"}),
            std::nullopt);
  EXPECT_EQ(identity_rules::eid_from_sans({"urn:bbf:usp:id:os::000413-A", "urn:bbf:usp:id:os::000413-A"}),
            "os::000413-A");
  EXPECT_EQ(identity_rules::eid_from_sans({"urn:bbf:usp:id:"}), std::nullopt);
  EXPECT_EQ(identity_rules::eid_from_sans({}), std::nullopt);
}

struct x509_deleter {
  void operator()(X509* x) const { X509_free(x); }
};

std::unique_ptr<X509, x509_deleter> load(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return nullptr;
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return std::unique_ptr<X509, x509_deleter>(x);
}

TEST(PluginIdentity, ReadsNamesFromARealCertificate) {
  usp::test::temp_dir dir;
  usp::test::test_ca ca(dir.path());
  const auto issued = ca.issue("os::000413-A1B2C3", {"DNS:phone.example", "URI:urn:bbf:usp:id:os::000413-A1B2C3"},
                               "phone");
  const auto cert = load(issued.cert_file);
  ASSERT_TRUE(cert);
  const auto names = read_cert_names(cert.get());
  EXPECT_EQ(names.common_name, "os::000413-A1B2C3");
  EXPECT_EQ(names.uri_sans, (std::vector<std::string>{"urn:bbf:usp:id:os::000413-A1B2C3"}));
  EXPECT_EQ(read_cert_names(nullptr).common_name, "");
}

}  // namespace
}  // namespace usp::plugin

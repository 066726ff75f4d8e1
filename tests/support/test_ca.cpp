#include "usp_test/test_ca.hpp"

#include <cstdio>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace usp::test {
namespace {

EVP_PKEY* new_key() {
  EVP_PKEY* k = EVP_EC_gen("P-256");
  if (!k) throw std::runtime_error("EC key generation failed");
  return k;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) throw std::runtime_error("bad X509 extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

X509* make_cert(EVP_PKEY* key, const std::string& cn, X509* issuer, long serial) {
  X509* c = X509_new();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
  X509_gmtime_adj(X509_getm_notBefore(c), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c), 7L * 24 * 3600);
  X509_set_pubkey(c, key);
  X509_NAME* name = X509_get_subject_name(c);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
  return c;
}

void write_pem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("cannot write " + path);
  if (cert) PEM_write_X509(f, cert);
  if (key) PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
}

}  // namespace

test_ca::test_ca(const std::string& dir, const std::string& name) : dir_(dir) {
  auto* key = new_key();
  X509* cert = make_cert(key, name, nullptr, 1);
  add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(cert, cert, NID_subject_key_identifier, "hash");
  X509_sign(cert, key, EVP_sha256());
  ca_file_ = dir_ + "/" + name + ".pem";
  write_pem(ca_file_, cert, nullptr);
  key_ = key;
  cert_ = cert;
}

test_ca::~test_ca() {
  X509_free(static_cast<X509*>(cert_));
  EVP_PKEY_free(static_cast<EVP_PKEY*>(key_));
}

issued_cert test_ca::issue(const std::string& common_name, const std::vector<std::string>& sans,
                           const std::string& file_stem) {
  static long serial = 100;
  auto* ca_key = static_cast<EVP_PKEY*>(key_);
  auto* ca_cert = static_cast<X509*>(cert_);
  EVP_PKEY* key = new_key();
  X509* cert = make_cert(key, common_name, ca_cert, ++serial);
  add_ext(cert, ca_cert, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert, ca_cert, NID_key_usage, "critical,digitalSignature,keyAgreement");
  add_ext(cert, ca_cert, NID_ext_key_usage, "serverAuth,clientAuth");
  if (!sans.empty()) {
    std::string list;
    for (const auto& s : sans) list += (list.empty() ? "" : ",") + s;
    add_ext(cert, ca_cert, NID_subject_alt_name, list);
  }
  X509_sign(cert, ca_key, EVP_sha256());
  issued_cert out{dir_ + "/" + file_stem + ".crt", dir_ + "/" + file_stem + ".key"};
  write_pem(out.cert_file, cert, nullptr);
  write_pem(out.key_file, nullptr, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

}  // namespace usp::test

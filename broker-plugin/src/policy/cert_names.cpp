#include "policy/cert_names.hpp"

#include <cstring>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace usp::plugin {
namespace {

// ASN.1 string -> UTF-8; empty when it cannot be converted or holds a NUL.
std::string utf8_of(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  const int n = ASN1_STRING_to_UTF8(&out, s);
  if (n < 0) return {};
  std::string text(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  OPENSSL_free(out);
  if (text.find('\0') != std::string::npos) return {};
  return text;
}

std::string common_name(const X509* cert) {
  const X509_NAME* name = X509_get_subject_name(cert);
  if (!name) return {};
  const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return {};
  // Two CNs: which one is the identity is anybody's guess, so neither is.
  if (X509_NAME_get_index_by_NID(name, NID_commonName, i) >= 0) return {};
  const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
  return e ? utf8_of(X509_NAME_ENTRY_get_data(e)) : std::string();
}

std::vector<std::string> uri_sans(const X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type != GEN_URI) continue;
    auto text = utf8_of(g->d.uniformResourceIdentifier);
    if (!text.empty()) out.push_back(std::move(text));
  }
  sk_GENERAL_NAME_pop_free(names, GENERAL_NAME_free);
  return out;
}

}  // namespace

cert_names read_cert_names(const x509_st* cert) {
  cert_names n;
  if (!cert) return n;
  n.common_name = common_name(cert);
  n.uri_sans = uri_sans(cert);
  return n;
}

}  // namespace usp::plugin

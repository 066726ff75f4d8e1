#include "usp/tls.hpp"

#include <stdexcept>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace usp {
namespace ssl = boost::asio::ssl;

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  std::string msg = what;
  if (!path.empty()) msg += " '" + path + "'";
  const unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    msg += ": ";
    msg += buf;
  }
  throw std::runtime_error(msg);
}

void load_identity(ssl::context& ctx, const tls_options& o) {
  if (o.cert_file.empty() != o.key_file.empty()) {
    throw std::runtime_error("TLS needs both cert_file and key_file, or neither");
  }
  if (o.cert_file.empty()) return;
  if (SSL_CTX_use_certificate_chain_file(ctx.native_handle(), o.cert_file.c_str()) != 1) {
    fail("cannot load TLS certificate", o.cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.native_handle(), o.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    fail("cannot load TLS private key", o.key_file);
  }
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    fail("TLS private key does not match certificate", o.cert_file);
  }
}

void load_trust(ssl::context& ctx, const tls_options& o) {
  if (!o.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.native_handle(), o.ca_file.c_str(), nullptr) != 1) {
      fail("cannot load TLS CA file", o.ca_file);
    }
  } else if (SSL_CTX_set_default_verify_paths(ctx.native_handle()) != 1) {
    fail("cannot load the system's CA store", "");
  }
}

ssl::context base_context(ssl::context::method m) {
  ssl::context ctx(m);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  return ctx;
}

}  // namespace

ssl::context make_client_context(const tls_options& opts) {
  auto ctx = base_context(ssl::context::tls_client);
  load_identity(ctx, opts);
  if (opts.verify) {
    load_trust(ctx, opts);
    ctx.set_verify_mode(ssl::verify_peer);
  } else {
    ctx.set_verify_mode(ssl::verify_none);
  }
  return ctx;
}

ssl::context make_server_context(const tls_options& opts) {
  auto ctx = base_context(ssl::context::tls_server);
  if (opts.cert_file.empty()) throw std::runtime_error("a TLS server needs cert_file and key_file");
  load_identity(ctx, opts);
  if (opts.verify && !opts.ca_file.empty()) {
    load_trust(ctx, opts);
    ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  } else {
    ctx.set_verify_mode(ssl::verify_none);
  }
  return ctx;
}

namespace {
// SSL_set_tlsext_host_name is a macro with C casts; this is what it expands to.
long set_sni(SSL* ssl, const char* host) {
  return SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host));
}

bool is_ip_literal(const std::string& host) {
  return host.find_first_not_of("0123456789.") == std::string::npos || host.find(':') != std::string::npos;
}

// Runs before the ClientHello is built: replace whatever SNI the library set
// (libmosquitto sets the address it was given) with the bound host name.
void sni_from_verify_param(const SSL* ssl, int where, int /*ret*/) {
  if ((where & SSL_CB_HANDSHAKE_START) == 0) return;
  auto* s = const_cast<SSL*>(ssl);
  const char* host = X509_VERIFY_PARAM_get0_host(SSL_CTX_get0_param(SSL_get_SSL_CTX(s)), 0);
  set_sni(s, host);  // nullptr (an IP literal) clears it
}
}  // namespace

void bind_context_to_host(ssl::context& ctx, const std::string& host) {
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx.native_handle());
  if (is_ip_literal(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }
  SSL_CTX_set_info_callback(ctx.native_handle(), &sni_from_verify_param);
}

bool set_verify_host(SSL* ssl, const std::string& host) {
  // SNI carries names only (RFC 6066); an IP literal is matched but not sent.
  const bool is_ip = is_ip_literal(host);
  if (!is_ip && set_sni(ssl, host.c_str()) != 1) return false;
  if (is_ip) {
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  }
  return SSL_set1_host(ssl, host.c_str()) == 1;
}

peer_identity identity_of(X509* cert) {
  peer_identity id;
  if (!cert) return id;
  char cn[256] = {};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) > 0) {
    id.common_name = cn;
  }
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
      if (gn->type == GEN_URI || gn->type == GEN_DNS) {
        const ASN1_IA5STRING* s = gn->type == GEN_URI ? gn->d.uniformResourceIdentifier : gn->d.dNSName;
        std::string v(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                      static_cast<std::size_t>(ASN1_STRING_length(s)));
        (gn->type == GEN_URI ? id.san_uris : id.san_dns).push_back(std::move(v));
      }
    }
    GENERAL_NAMES_free(names);
  }
  return id;
}

}  // namespace usp

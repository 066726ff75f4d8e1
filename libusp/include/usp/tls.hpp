// TLS contexts for every MTP (MQTT over TLS, wss://) and the gateway's HTTPS
// listener. TLS 1.2 is the minimum (R-MQTT.48, R-WS.22); peers are verified by
// default (R-MTP.1). Failures to load files throw at start-up with the path
// in the message.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

namespace usp {

struct tls_options {
  std::string ca_file;    // PEM CAs that may sign the peer; empty = the system's store
  std::string cert_file;  // our certificate chain (PEM)
  std::string key_file;   // its private key (PEM)
  bool verify = true;     // clients: verify server cert and host name; servers: require client certs
  bool operator==(const tls_options&) const = default;
};

// A client context. The host name is checked per connection
// (set_verify_host) since one context may serve several peers.
boost::asio::ssl::context make_client_context(const tls_options& opts);

// A server context. With verify and a CA file, client certificates are
// required and checked against it (mutual TLS).
boost::asio::ssl::context make_server_context(const tls_options& opts);

// Sets SNI and the name the peer certificate must match on one connection.
// Returns false when OpenSSL refuses the name.
bool set_verify_host(SSL* ssl, const std::string& host);

// For libraries that create the SSL object themselves from our context
// (libmosquitto): every connection made from `ctx` sends SNI for `host` and
// checks the peer certificate against it, even though the library is given a
// resolved address rather than the name.
void bind_context_to_host(boost::asio::ssl::context& ctx, const std::string& host);

// The EID-bearing identities of a peer certificate: the subject CN and every
// SAN URI / DNS name (R-SEC.0a: `urn:bbf:usp:id:` URIs carry endpoint ids).
struct peer_identity {
  std::string common_name;
  std::vector<std::string> san_uris;
  std::vector<std::string> san_dns;
};
peer_identity identity_of(X509* cert);

}  // namespace usp

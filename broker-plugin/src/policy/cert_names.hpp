// Reading the names an identity option may use out of an X.509 certificate.
#pragma once

#include "policy/identity.hpp"

struct x509_st;  // OpenSSL's X509

namespace usp::plugin {

// Subject CN (empty when absent, repeated, or holding a NUL) and every
// subjectAltName URI. Never throws on odd certificates.
cert_names read_cert_names(const x509_st* cert);

}  // namespace usp::plugin

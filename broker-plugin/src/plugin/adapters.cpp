#include "plugin/adapters.hpp"

#include <memory>

#include <mosquitto_broker.h>
#include <openssl/x509.h>

#include "policy/cert_names.hpp"

namespace usp::plugin {
namespace {

std::string_view view(const char* s) noexcept { return s ? std::string_view(s) : std::string_view(); }

struct x509_free {
  void operator()(X509* x) const noexcept { X509_free(x); }
};

}  // namespace

std::string_view mosq_client::client_id() const noexcept { return view(mosquitto_client_id(c_)); }

std::string_view mosq_client::username() const noexcept { return view(mosquitto_client_username(c_)); }

int mosq_client::protocol_version() const noexcept { return mosquitto_client_protocol_version(c_); }

std::optional<cert_names> mosq_client::certificate() const {
  // A new reference (SSL_get_peer_certificate): ours to free.
  std::unique_ptr<X509, x509_free> cert(static_cast<X509*>(mosquitto_client_certificate(c_)));
  if (!cert) return std::nullopt;
  return read_cert_names(cert.get());
}

void mosq_port::publish(const std::string& topic, std::string_view payload, int qos, bool retain) {
  // The broker queues a copy and sends it from its main loop.
  const int rc = mosquitto_broker_publish_copy(nullptr, topic.c_str(), static_cast<int>(payload.size()),
                                               payload.data(), qos, retain, nullptr);
  if (rc != MOSQ_ERR_SUCCESS) {
    mosquitto_log_printf(MOSQ_LOG_WARNING, "mosquitto_usp: could not publish on %s (error %d)", topic.c_str(), rc);
  }
}

void mosq_port::log(log_level level, const std::string& line) {
  int l = MOSQ_LOG_INFO;
  switch (level) {
    case log_level::debug: l = MOSQ_LOG_DEBUG; break;
    case log_level::info: l = MOSQ_LOG_INFO; break;
    case log_level::notice: l = MOSQ_LOG_NOTICE; break;
    case log_level::warning: l = MOSQ_LOG_WARNING; break;
    case log_level::error: l = MOSQ_LOG_ERR; break;
  }
  mosquitto_log_printf(l, "%s", line.c_str());
}

}  // namespace usp::plugin

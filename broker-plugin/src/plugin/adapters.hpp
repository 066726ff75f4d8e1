// The engine's two windows on mosquitto: a client (client_view) and the
// broker itself (broker_port).
#pragma once

#include <mosquitto.h>

#include "policy/engine.hpp"
#include "policy/identity.hpp"

namespace usp::plugin {

class mosq_client final : public client_view {
 public:
  explicit mosq_client(struct mosquitto* c) noexcept : c_(c) {}

  const void* key() const noexcept override { return c_; }
  std::string_view client_id() const noexcept override;
  std::string_view username() const noexcept override;
  int protocol_version() const noexcept override;
  std::optional<cert_names> certificate() const override;

 private:
  struct mosquitto* c_;
};

class mosq_port final : public broker_port {
 public:
  void publish(const std::string& topic, std::string_view payload, int qos, bool retain) override;
  void log(log_level level, const std::string& line) override;
  std::chrono::steady_clock::time_point steady_now() override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wall_now() override { return std::chrono::system_clock::now(); }
};

}  // namespace usp::plugin

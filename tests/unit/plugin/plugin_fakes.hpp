// Stand-ins for mosquitto in the policy engine's unit tests.
#pragma once

#include <string>
#include <vector>

#include "policy/engine.hpp"
#include "policy/options.hpp"

namespace usp::plugin::test {

// A client as the broker would describe it; `key` plays the connection.
struct fake_client final : client_view {
  int id = 0;
  std::string cid;
  std::string user;
  int version = 5;
  std::optional<cert_names> cert;

  fake_client(std::string client_id, int v = 5, std::string username = {})
      : cid(std::move(client_id)), user(std::move(username)), version(v) {}

  const void* key() const noexcept override { return this; }
  std::string_view client_id() const noexcept override { return cid; }
  std::string_view username() const noexcept override { return user; }
  int protocol_version() const noexcept override { return version; }
  std::optional<cert_names> certificate() const override { return cert; }
};

struct published {
  std::string topic, payload;
  int qos;
  bool retain;
};

struct fake_port final : broker_port {
  std::vector<published> messages;
  std::vector<std::pair<log_level, std::string>> lines;
  std::chrono::steady_clock::time_point steady{std::chrono::hours(1)};
  std::chrono::system_clock::time_point wall{std::chrono::seconds(1714566896) + std::chrono::milliseconds(789)};

  void publish(const std::string& topic, std::string_view payload, int qos, bool retain) override {
    messages.push_back({topic, std::string(payload), qos, retain});
  }
  void log(log_level l, const std::string& line) override { lines.emplace_back(l, line); }
  std::chrono::steady_clock::time_point steady_now() override { return steady; }
  std::chrono::system_clock::time_point wall_now() override { return wall; }

  std::vector<published> on(const std::string& prefix) const {
    std::vector<published> out;
    for (const auto& m : messages) {
      if (m.topic.rfind(prefix, 0) == 0) out.push_back(m);
    }
    return out;
  }
};

// The options most tests use: two controllers, a gateway, presence on.
inline plugin_options test_options() {
  plugin_options o;
  o.controller_topics = {"usp/controller/acme", "usp/controller/other"};
  o.privileged_usernames = {"usp-gateway"};
  o.presence_topic = "usp/presence/{eid}";
  return o;
}

inline constexpr const char* eid_a = "os::000413-A1B2C3";
inline constexpr const char* eid_b = "os::000413-B1B2C3";
inline constexpr const char* ctrl_eid = "self::acme-controller";

}  // namespace usp::plugin::test

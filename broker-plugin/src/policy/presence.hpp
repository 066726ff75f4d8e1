// Presence events: plain JSON (not a USP Record), retained, one topic per
// agent. The gateway parses this exact shape (docs/broker-plugin.md):
//
//   {"eid":"os::000413-A1B2C3","state":"online","mqtt":"5.0","client_id":"os::000413-A1B2C3","time":"2024-05-01T12:34:56.789Z"}
//   {"eid":"os::000413-A1B2C3","state":"offline","mqtt":"3.1.1","client_id":"c1","time":"2024-05-01T12:40:00.000Z","reason":"abrupt"}
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace usp::plugin {

enum class offline_reason : std::uint8_t {
  clean,   // the client sent DISCONNECT (or was disconnected by the broker on purpose)
  abrupt,  // the connection broke: socket closed, keep-alive expired, protocol error
};

struct presence_event {
  std::string_view eid;
  bool online = true;
  int protocol_version = 4;  // 4 = 3.1.1, 5 = 5.0
  std::string_view client_id;
  std::chrono::system_clock::time_point time;
  offline_reason reason = offline_reason::clean;  // offline only
};

std::string presence_json(const presence_event& e);

// "2024-05-01T12:34:56.789Z": ISO 8601, UTC, milliseconds.
std::string iso8601_utc(std::chrono::system_clock::time_point t);

// A JSON string body: quotes, backslashes and control characters escaped.
std::string json_escape(std::string_view s);

}  // namespace usp::plugin

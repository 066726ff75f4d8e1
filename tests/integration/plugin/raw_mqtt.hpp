// A deliberately small MQTT client on a plain blocking socket, for what the
// real client hides: PUBACK reason codes, and leaving without DISCONNECT
// (an abrupt end, as when a phone loses power or its process is killed).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace usp::test {

struct raw_packet {
  std::uint8_t type = 0;  // upper nibble of the fixed header (3 PUBLISH, 4 PUBACK, 9 SUBACK ...)
  std::string body;
};

class raw_mqtt {
 public:
  // Connects and completes CONNECT/CONNACK; throws std::runtime_error on failure.
  raw_mqtt(std::uint16_t port, int version, const std::string& client_id, const std::string& username = {});
  ~raw_mqtt();
  raw_mqtt(const raw_mqtt&) = delete;
  raw_mqtt& operator=(const raw_mqtt&) = delete;

  // SUBSCRIBE one filter at QoS 1; returns the SUBACK return/reason code.
  int subscribe(const std::string& filter);
  // PUBLISH at QoS 1; returns the PUBACK reason code (0 on 3.1.1, which has none).
  int publish(const std::string& topic, std::string_view payload);
  void disconnect();  // DISCONNECT, then close
  void drop();        // close without DISCONNECT

  std::optional<raw_packet> read(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  void send(std::uint8_t header, const std::string& body);
  raw_packet expect(std::uint8_t type);

  int fd_ = -1;
  int version_;
  std::uint16_t next_id_ = 1;
};

}  // namespace usp::test

// A WebSocket client that does what a well-behaved one never would: text
// frames, garbage, oversize messages, a missing subprotocol, stopping to read,
// or vanishing without a Close. Blocking, with deadlines on every read; the
// peers under test are other processes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace usp::test {

struct raw_ws_options {
  bool offer_subprotocol = true;  // Sec-WebSocket-Protocol: v1.usp
  int receive_buffer = 0;         // SO_RCVBUF before connecting; 0 = the system's
};

class raw_ws {
 public:
  // Connects to 127.0.0.1:`port` and sends the upgrade for `target`.
  raw_ws(std::uint16_t port, const std::string& target, raw_ws_options o = {});
  ~raw_ws();
  raw_ws(const raw_ws&) = delete;
  raw_ws& operator=(const raw_ws&) = delete;

  bool open() const noexcept { return open_; }
  unsigned http_status() const noexcept { return status_; }  // 101 when open
  const std::string& refusal() const noexcept { return refusal_; }
  std::string subprotocol() const { return subprotocol_; }

  bool send_text(const std::string& s);
  bool send_binary(const std::string& s);
  // One binary message in `parts` frames (continuation frames, R-WS.14b).
  bool send_fragments(const std::string& s, std::size_t parts);
  // The next binary message, or nullopt on Close, error or timeout.
  std::optional<std::string> read(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads (discarding messages) until the peer's Close; its code, or nullopt.
  std::optional<std::uint16_t> wait_close(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The TCP connection ends without a Close frame.
  void abort();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  bool open_ = false;
  unsigned status_ = 0;
  std::string refusal_;
  std::string subprotocol_;
};

// Sends a WebSocket upgrade request by hand and returns the HTTP status of
// the answer (101 when accepted; 0 on failure).
unsigned upgrade_status(std::uint16_t port, const std::string& target, bool offer_subprotocol = true);

// Sends a plain HTTP GET (no upgrade) and returns the status (0 on failure).
unsigned plain_http_get(std::uint16_t port, const std::string& target);

}  // namespace usp::test

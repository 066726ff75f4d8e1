#include "raw_mqtt.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace usp::test {
namespace {

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xFF));
}

void put_string(std::string& out, std::string_view s) {
  put16(out, static_cast<std::uint16_t>(s.size()));
  out.append(s);
}

std::uint16_t get16(std::string_view s, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(s[at]) << 8) | static_cast<std::uint8_t>(s[at + 1]));
}

}  // namespace

raw_mqtt::raw_mqtt(std::uint16_t port, int version, const std::string& client_id, const std::string& username)
    : version_(version) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    throw std::runtime_error("raw_mqtt: cannot connect");
  }
  std::string body;
  put_string(body, "MQTT");
  body.push_back(static_cast<char>(version == 5 ? 5 : 4));
  body.push_back(static_cast<char>(0x02 | (username.empty() ? 0 : 0x80)));  // clean start
  put16(body, 60);
  if (version_ == 5) body.push_back(0);  // no properties
  put_string(body, client_id);
  if (!username.empty()) put_string(body, username);
  send(0x10, body);
  const auto ack = expect(2);
  const auto rc = static_cast<std::uint8_t>(ack.body.at(1));
  if (rc != 0) throw std::runtime_error("raw_mqtt: CONNACK refused, code " + std::to_string(rc));
}

raw_mqtt::~raw_mqtt() { drop(); }

void raw_mqtt::send(std::uint8_t header, const std::string& body) {
  std::string packet(1, static_cast<char>(header));
  std::size_t n = body.size();
  do {
    std::uint8_t b = n % 128;
    n /= 128;
    if (n) b |= 0x80;
    packet.push_back(static_cast<char>(b));
  } while (n);
  packet += body;
  if (::send(fd_, packet.data(), packet.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(packet.size())) {
    throw std::runtime_error("raw_mqtt: send failed");
  }
}

std::optional<raw_packet> raw_mqtt::read(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto read_exact = [&](char* p, std::size_t n) {
    while (n) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd pfd{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
      const auto got = ::recv(fd_, p, n, 0);
      if (got <= 0) return false;
      p += got;
      n -= static_cast<std::size_t>(got);
    }
    return true;
  };
  char h = 0;
  if (!read_exact(&h, 1)) return std::nullopt;
  std::size_t len = 0;
  for (int shift = 0; shift < 28; shift += 7) {
    char b = 0;
    if (!read_exact(&b, 1)) return std::nullopt;
    len |= static_cast<std::size_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) break;
  }
  raw_packet p;
  p.type = static_cast<std::uint8_t>(static_cast<std::uint8_t>(h) >> 4);
  p.body.resize(len);
  if (len && !read_exact(p.body.data(), len)) return std::nullopt;
  return p;
}

raw_packet raw_mqtt::expect(std::uint8_t type) {
  for (;;) {
    auto p = read();
    if (!p) throw std::runtime_error("raw_mqtt: no packet of type " + std::to_string(type));
    if (p->type == type) return *p;
  }
}

int raw_mqtt::subscribe(const std::string& filter) {
  std::string body;
  put16(body, next_id_++);
  if (version_ == 5) body.push_back(0);
  put_string(body, filter);
  body.push_back(1);
  send(0x82, body);
  const auto ack = expect(9);
  std::size_t at = 2;
  if (version_ == 5) at += 1 + static_cast<std::uint8_t>(ack.body.at(2));  // property length (short)
  return static_cast<std::uint8_t>(ack.body.at(at));
}

int raw_mqtt::publish(const std::string& topic, std::string_view payload) {
  std::string body;
  put_string(body, topic);
  const auto id = next_id_++;
  put16(body, id);
  if (version_ == 5) body.push_back(0);
  body.append(payload);
  send(0x32, body);
  for (;;) {
    const auto ack = expect(4);
    if (get16(ack.body, 0) != id) continue;
    return ack.body.size() > 2 ? static_cast<std::uint8_t>(ack.body[2]) : 0;
  }
}

void raw_mqtt::disconnect() {
  if (fd_ < 0) return;
  send(0xE0, {});
  drop();
}

void raw_mqtt::drop() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace usp::test

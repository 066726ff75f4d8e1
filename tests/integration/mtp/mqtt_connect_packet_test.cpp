// What the client puts on the wire in CONNECT, and what it reads from
// CONNACK, checked against a scripted broker that speaks raw MQTT.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "usp/mtp/mqtt_client.hpp"
#include "usp_test/wait.hpp"

namespace usp::mtp {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

// The parts of a CONNECT packet the USP rules speak about.
struct connect_packet {
  int level = 0;  // 4 = 3.1.1, 5 = 5.0
  std::uint16_t keepalive = 0;
  bool has_username = false;
  bool has_password = false;
  std::string client_id;
  std::vector<std::pair<std::string, std::string>> user_properties;
  int request_response_info = -1;
};

class byte_reader {
 public:
  explicit byte_reader(const std::string& b) : b_(b) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(b_.at(pos_++)); }
  std::uint16_t u16() {
    const auto hi = u8();
    return static_cast<std::uint16_t>((hi << 8) | u8());
  }
  std::uint32_t varint() {
    std::uint32_t v = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      const auto c = u8();
      v |= static_cast<std::uint32_t>(c & 0x7F) << shift;
      if (!(c & 0x80)) break;
    }
    return v;
  }
  std::string str() {
    const auto n = u16();
    auto s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::size_t pos() const { return pos_; }
  void skip(std::size_t n) { pos_ += n; }

 private:
  const std::string& b_;
  std::size_t pos_ = 0;
};

connect_packet parse_connect(const std::string& body) {
  connect_packet c;
  byte_reader r(body);
  EXPECT_EQ(r.str(), "MQTT");
  c.level = r.u8();
  const auto flags = r.u8();
  c.has_username = flags & 0x80;
  c.has_password = flags & 0x40;
  c.keepalive = r.u16();
  if (c.level == 5) {
    const auto len = r.varint();
    const auto end = r.pos() + len;
    while (r.pos() < end) {
      const auto id = r.u8();
      if (id == 0x26) {
        auto k = r.str();
        auto v = r.str();
        c.user_properties.emplace_back(std::move(k), std::move(v));
      } else if (id == 0x19) {
        c.request_response_info = r.u8();
      } else if (id == 0x11 || id == 0x27) {
        r.skip(4);  // session expiry, maximum packet size
      } else if (id == 0x21) {
        r.skip(2);  // receive maximum (libmosquitto sends its own)
      } else {
        ADD_FAILURE() << "unexpected CONNECT property " << int(id);
        break;
      }
    }
  }
  c.client_id = r.str();
  return c;
}

std::string encode_varint(std::size_t n) {
  std::string out;
  do {
    auto b = static_cast<char>(n & 0x7F);
    n >>= 7;
    if (n) b = static_cast<char>(b | 0x80);
    out.push_back(b);
  } while (n);
  return out;
}

std::string str(const std::string& s) {
  return std::string{static_cast<char>(s.size() >> 8), static_cast<char>(s.size() & 0xFF)} + s;
}

// A broker that accepts one client, records its CONNECT, answers `connack`.
class scripted_broker {
 public:
  explicit scripted_broker(net::io_context& io) : acceptor_(io, {net::ip::make_address("127.0.0.1"), 0}), sock_(io) {
    acceptor_.async_accept(sock_, [this](error_code ec) {
      if (!ec) read_header();
    });
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::optional<connect_packet> connect;
  std::string connack;  // body of the CONNACK to send

 private:
  void read_header() {
    net::async_read(sock_, net::buffer(hdr_, 2), [this](error_code ec, std::size_t) {
      if (ec) return;
      ASSERT_EQ(hdr_[0] & 0xF0, 0x10) << "first packet must be CONNECT (R-MQTT.6)";
      // Remaining length: one byte suffices for these small packets.
      ASSERT_LT(hdr_[1] & 0xFF, 0x80);
      body_.resize(static_cast<std::size_t>(hdr_[1] & 0xFF));
      net::async_read(sock_, net::buffer(body_), [this](error_code rec, std::size_t) {
        if (rec) return;
        connect = parse_connect(body_);
        out_ = std::string(1, '\x20') + encode_varint(connack.size()) + connack;
        net::async_write(sock_, net::buffer(out_), [](error_code, std::size_t) {});
      });
    });
  }

  tcp::acceptor acceptor_;
  tcp::socket sock_;
  char hdr_[2]{};
  std::string body_;
  std::string out_;
};

TEST(MqttConnectPacket, V5CarriesEndpointIdAndAsksForResponseInformation) {
  net::io_context io;
  scripted_broker broker(io);
  // CONNACK: flags, success, then properties.
  std::string props;
  props += '\x12' + str("broker-assigned-7");                        // Assigned Client Identifier
  props += '\x1A' + str("usp/agent/resp");                           // Response Information
  props += '\x26' + str("subscribe-topic") + str("usp/agent/sub1");  // R-MQTT.15 / .44
  props += '\x26' + str("subscribe-topic") + str("usp/agent/sub2");
  props += std::string("\x13\x00\x1e", 3);                            // Server Keep Alive 30
  props += std::string("\x24\x01", 2);                                // Maximum QoS 1
  broker.connack = std::string("\x00\x00", 2) + encode_varint(props.size()) + props;

  mqtt_options o;
  o.port = broker.port();
  o.endpoint_id = "os::000413-A1B2C3";
  o.username = "phone";
  o.password = "secret";
  std::optional<connack_info> got;
  mqtt_client::handlers h;
  h.on_connected = [&](const connack_info& c) { got = c; };
  mqtt_client c(io.get_executor(), o, h);
  c.start();
  ASSERT_TRUE(test::run_until(io, [&] { return got.has_value(); }));

  ASSERT_TRUE(broker.connect);
  const auto& p = *broker.connect;
  EXPECT_EQ(p.level, 5);
  EXPECT_EQ(p.client_id, "");  // R-MQTT.8
  EXPECT_EQ(p.keepalive, 60);  // R-MQTT.14 default
  EXPECT_TRUE(p.has_username);
  EXPECT_TRUE(p.has_password);
  ASSERT_EQ(p.user_properties.size(), 1u);
  EXPECT_EQ(p.user_properties[0].first, "usp-endpoint-id");  // R-MQTT.13
  EXPECT_EQ(p.user_properties[0].second, "os::000413-A1B2C3");
  EXPECT_EQ(p.request_response_info, 1);  // R-MQTT.12

  EXPECT_EQ(got->assigned_client_id, "broker-assigned-7");
  EXPECT_EQ(c.client_id(), "broker-assigned-7");  // R-MQTT.9
  EXPECT_EQ(got->response_information, "usp/agent/resp");
  EXPECT_EQ(got->subscribe_topics, (std::vector<std::string>{"usp/agent/sub1", "usp/agent/sub2"}));
  EXPECT_EQ(got->server_keep_alive, 30);
  EXPECT_EQ(got->maximum_qos, 1);
}

TEST(MqttConnectPacket, V311UsesTheEndpointIdAsClientIdAndNoProperties) {
  net::io_context io;
  scripted_broker broker(io);
  broker.connack = std::string("\x00\x00", 2);
  mqtt_options o;
  o.port = broker.port();
  o.version = mqtt_version::v3_1_1;
  o.endpoint_id = "os::000413-A1B2C3";
  o.keepalive_s = 45;
  bool connected = false;
  mqtt_client::handlers h;
  h.on_connected = [&](const connack_info&) { connected = true; };
  mqtt_client c(io.get_executor(), o, h);
  c.start();
  ASSERT_TRUE(test::run_until(io, [&] { return connected; }));
  ASSERT_TRUE(broker.connect);
  EXPECT_EQ(broker.connect->level, 4);
  EXPECT_EQ(broker.connect->client_id, "os::000413-A1B2C3");  // R-MQTT.8
  EXPECT_EQ(broker.connect->keepalive, 45);
  EXPECT_FALSE(broker.connect->has_username);
}

TEST(MqttConnectPacket, ConfiguredClientIdWins) {
  net::io_context io;
  scripted_broker broker(io);
  broker.connack = std::string("\x00\x00\x00", 3);
  mqtt_options o;
  o.port = broker.port();
  o.client_id = "phone-7";
  o.endpoint_id = "os::000413-A1B2C3";
  bool connected = false;
  mqtt_client::handlers h;
  h.on_connected = [&](const connack_info&) { connected = true; };
  mqtt_client c(io.get_executor(), o, h);
  c.start();
  ASSERT_TRUE(test::run_until(io, [&] { return connected; }));
  EXPECT_EQ(broker.connect->client_id, "phone-7");
}

}  // namespace
}  // namespace usp::mtp

#include "raw_ws.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace usp::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

namespace {

void set_read_deadline(tcp::socket& s, std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

tcp::socket connect_loopback(boost::asio::io_context& io, std::uint16_t port, int receive_buffer) {
  tcp::socket s(io);
  s.open(tcp::v4());
  if (receive_buffer > 0) s.set_option(boost::asio::socket_base::receive_buffer_size(receive_buffer));
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  set_read_deadline(s, std::chrono::seconds(10));
  return s;
}

}  // namespace

struct raw_ws::impl {
  boost::asio::io_context io;
  std::optional<websocket::stream<tcp::socket>> ws;
  beast::flat_buffer buffer;
};

raw_ws::raw_ws(std::uint16_t port, const std::string& target, raw_ws_options o) : impl_(std::make_unique<impl>()) {
  impl_->ws.emplace(connect_loopback(impl_->io, port, o.receive_buffer));
  auto& ws = *impl_->ws;
  if (o.offer_subprotocol) {
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(http::field::sec_websocket_protocol, "v1.usp"); }));
  }
  websocket::response_type res;
  beast::error_code ec;
  ws.handshake(res, "127.0.0.1:" + std::to_string(port), target, ec);
  status_ = res.result_int();
  subprotocol_ = std::string(res[http::field::sec_websocket_protocol]);
  if (ec) {
    refusal_ = ec.message();
    return;
  }
  ws.binary(true);
  ws.auto_fragment(false);
  open_ = true;
}

raw_ws::~raw_ws() {
  if (impl_->ws) {
    beast::error_code ec;
    beast::get_lowest_layer(*impl_->ws).close(ec);
  }
}

bool raw_ws::send_text(const std::string& s) {
  beast::error_code ec;
  impl_->ws->text(true);
  impl_->ws->write(boost::asio::buffer(s), ec);
  impl_->ws->binary(true);
  return !ec;
}

bool raw_ws::send_binary(const std::string& s) {
  beast::error_code ec;
  impl_->ws->binary(true);
  impl_->ws->write(boost::asio::buffer(s), ec);
  return !ec;
}

bool raw_ws::send_fragments(const std::string& s, std::size_t parts) {
  beast::error_code ec;
  impl_->ws->binary(true);
  const std::size_t step = (s.size() + parts - 1) / parts;
  for (std::size_t at = 0; at < s.size() && !ec; at += step) {
    const auto n = std::min(step, s.size() - at);
    impl_->ws->write_some(at + n == s.size(), boost::asio::buffer(s.data() + at, n), ec);
  }
  return !ec;
}

std::optional<std::string> raw_ws::read(std::chrono::milliseconds timeout) {
  auto& ws = *impl_->ws;
  set_read_deadline(ws.next_layer(), timeout);
  beast::error_code ec;
  impl_->buffer.consume(impl_->buffer.size());
  ws.read(impl_->buffer, ec);
  if (ec) return std::nullopt;
  return beast::buffers_to_string(impl_->buffer.data());
}

std::optional<std::uint16_t> raw_ws::wait_close(std::chrono::milliseconds timeout) {
  auto& ws = *impl_->ws;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    set_read_deadline(ws.next_layer(), left);
    beast::error_code ec;
    impl_->buffer.consume(impl_->buffer.size());
    ws.read(impl_->buffer, ec);
    if (ec == websocket::error::closed) return static_cast<std::uint16_t>(ws.reason().code);
    if (ec) {
      // Beast answers a protocol violation it detects itself with its own
      // Close; what the peer sent is then in reason() as well.
      if (ws.reason().code != websocket::close_code::none) return static_cast<std::uint16_t>(ws.reason().code);
      refusal_ = ec.message();
      return std::nullopt;
    }
  }
}

void raw_ws::abort() {
  beast::error_code ec;
  auto& s = beast::get_lowest_layer(*impl_->ws);
  // SO_LINGER 0: the peer sees a reset, as from a crashed or unplugged host.
  s.set_option(boost::asio::socket_base::linger(true, 0), ec);
  s.close(ec);
  open_ = false;
}

unsigned upgrade_status(std::uint16_t port, const std::string& target, bool offer_subprotocol) {
  boost::asio::io_context io;
  auto s = connect_loopback(io, port, 0);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  if (offer_subprotocol) req.set(http::field::sec_websocket_protocol, "v1.usp");
  beast::error_code ec;
  http::write(s, req, ec);
  if (ec) return 0;
  beast::flat_buffer b;
  http::response_parser<http::empty_body> res;
  res.skip(true);  // headers only: a 101 has no body and the connection stays open
  http::read_header(s, b, res, ec);
  return ec ? 0 : res.get().result_int();
}

unsigned plain_http_get(std::uint16_t port, const std::string& target) {
  boost::asio::io_context io;
  auto s = connect_loopback(io, port, 0);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  beast::error_code ec;
  http::write(s, req, ec);
  if (ec) return 0;
  beast::flat_buffer b;
  http::response<http::string_body> res;
  http::read(s, b, res, ec);
  return ec ? 0 : res.result_int();
}

}  // namespace usp::test

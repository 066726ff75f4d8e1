// Accepting: TCP accept, TLS for wss, then the USP upgrade (ws_session.hpp).
#include <atomic>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/ssl.hpp>

#include "usp/mtp/ws.hpp"
#include "ws_session.hpp"
#include "usp/listen.hpp"

namespace usp::mtp {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using detail::error_code;
using detail::tcp_session;
using detail::tls_session;

namespace {

class ws_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "usp.ws"; }
  std::string message(int ev) const override {
    switch (static_cast<ws_errc>(ev)) {
      case ws_errc::no_subprotocol: return "server did not accept the v1.usp subprotocol";
      case ws_errc::upgrade_refused: return "WebSocket upgrade refused";
      case ws_errc::text_frame: return "text frame received";
      case ws_errc::unextractable_record: return "unextractable USP Record received";
      case ws_errc::queue_overflow: return "write queue overflow";
    }
    return "unknown WebSocket error";
  }
};

}  // namespace

const boost::system::error_category& ws_category() noexcept {
  static const ws_category_impl c;
  return c;
}

struct ws_server::impl : std::enable_shared_from_this<ws_server::impl> {
  impl(asio::any_io_executor ex, ws_server_options o, ws_upgrade_policy p, ws_handlers h)
      : acceptor(ex), opts(std::move(o)), policy(std::move(p)), handlers(std::move(h)) {
    if (opts.tls) tls_ctx = std::make_shared<asio::ssl::context>(make_server_context(*opts.tls));
    usp::open_listener(acceptor, opts.address, opts.port, "");
  }

  void do_accept() {
    auto ex = opts.session_executor ? opts.session_executor() : acceptor.get_executor();
    acceptor.async_accept(ex, [self = shared_from_this()](const error_code& ec, tcp::socket sock) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
      if (!ec) self->on_accept(std::move(sock));
      self->do_accept();
    });
  }

  ws_handlers session_handlers() {
    // Count live sessions for max_sessions; the counter outlives the server.
    ws_handlers h = handlers;
    h.on_close = [count = live, inner = handlers.on_close](const ws_session_ptr& s, const ws_close_info& info) {
      --*count;
      if (inner) inner(s, info);
    };
    return h;
  }

  void on_accept(tcp::socket sock) {
    error_code ec;
    const auto ep = sock.remote_endpoint(ec);
    if (ec) return;
    if (live->load() >= opts.max_sessions) {
      detail::ws_log()->warn("refusing connection from {}: {} sessions open", ep.address().to_string(),
                             opts.max_sessions);
      sock.close(ec);
      return;
    }
    sock.set_option(tcp::no_delay(true), ec);
    ++*live;
    const auto remote = ep.address().to_string() + ":" + std::to_string(ep.port());
    if (!tls_ctx) {
      auto s = std::make_shared<tcp_session>(beast::tcp_stream(std::move(sock)), opts.limits, session_handlers());
      s->mutable_peer().remote = remote;
      detail::serve_upgrade(s, policy);
      return;
    }
    auto s = std::make_shared<tls_session>(beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(sock)), *tls_ctx),
                                           opts.limits, session_handlers());
    s->hold(tls_ctx);
    s->mutable_peer().remote = remote;
    detail::expire_after(s->stream(), opts.limits.handshake_timeout);
    s->stream().next_layer().async_handshake(asio::ssl::stream_base::server, [s, p = policy](const error_code& hec) {
      if (hec) {
        s->fail(hec);
        return;
      }
      s->mutable_peer().cert = identity_of(SSL_get0_peer_certificate(s->stream().next_layer().native_handle()));
      detail::serve_upgrade(s, p);
    });
  }

  tcp::acceptor acceptor;
  ws_server_options opts;
  ws_upgrade_policy policy;
  ws_handlers handlers;
  std::shared_ptr<asio::ssl::context> tls_ctx;
  std::shared_ptr<std::atomic<std::size_t>> live = std::make_shared<std::atomic<std::size_t>>(0);
};

ws_server::ws_server(asio::any_io_executor ex, ws_server_options opts, ws_upgrade_policy policy, ws_handlers handlers)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(opts), std::move(policy), std::move(handlers))) {
  impl_->do_accept();
}

ws_server::~ws_server() { stop(); }

std::uint16_t ws_server::port() const noexcept {
  error_code ec;
  const auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void ws_server::stop() {
  error_code ec;
  impl_->acceptor.close(ec);
}

}  // namespace usp::mtp

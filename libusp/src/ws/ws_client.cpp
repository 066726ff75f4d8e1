// Dialing: resolve, TCP connect, TLS for wss://, then the USP upgrade.
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/ssl.hpp>

#include "usp/mtp/ws.hpp"
#include "ws_session.hpp"

namespace usp::mtp {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using detail::error_code;
using detail::tcp_session;
using detail::tls_session;

std::string to_string(const tcp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

// Resolves and connects the session's TCP layer, then runs `next`.
template <class Session, class Next>
void dial(const std::shared_ptr<Session>& s, const ws_url& url, Next next) {
  auto resolver = std::make_shared<tcp::resolver>(s->stream().get_executor());
  resolver->async_resolve(
      url.host, std::to_string(url.port),
      [s, resolver, next = std::move(next)](const error_code& ec, const tcp::resolver::results_type& results) mutable {
        if (ec || s->abandoned()) {
          s->fail(ec ? ec : asio::error::operation_aborted);
          return;
        }
        auto& tcp_layer = beast::get_lowest_layer(s->stream());
        tcp_layer.expires_after(s->limits().handshake_timeout);
        tcp_layer.async_connect(results, [s, next = std::move(next)](const error_code& cec,
                                                                     const tcp::endpoint& ep) mutable {
          if (cec || s->abandoned()) {
            s->fail(cec ? cec : asio::error::operation_aborted);
            return;
          }
          error_code ignored;
          beast::get_lowest_layer(s->stream()).socket().set_option(tcp::no_delay(true), ignored);
          s->mutable_peer().remote = to_string(ep);
          next();
        });
      });
}

}  // namespace

ws_session_ptr ws_connect(asio::any_io_executor ex, const ws_client_options& o, ws_handlers handlers) {
  std::string why;
  auto url = parse_ws_url(o.url, &why);
  if (!url) throw std::invalid_argument("bad WebSocket URL '" + o.url + "': " + why);
  const auto target = add_eid_query(url->target, o.eid);  // R-WS.10b/c
  const auto host = host_header(*url);

  if (!url->secure) {
    auto s = std::make_shared<tcp_session>(beast::tcp_stream(ex), o.limits, std::move(handlers));
    dial(s, *url, [s, host, target, eid = o.eid, legacy = o.send_legacy_extension] {
      detail::client_upgrade(s, host, target, eid, legacy);
    });
    return s;
  }

  auto ctx = o.tls_context ? o.tls_context : std::make_shared<asio::ssl::context>(make_client_context(o.tls));
  auto s = std::make_shared<tls_session>(beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(ex), *ctx),
                                         o.limits, std::move(handlers));
  s->hold(ctx);
  if (!set_verify_host(s->stream().next_layer().native_handle(), url->host)) {
    throw std::runtime_error("cannot use '" + url->host + "' as a TLS server name");
  }
  dial(s, *url, [s, host, target, eid = o.eid, legacy = o.send_legacy_extension] {
    // R-WS: no Record before TLS completes; the upgrade itself runs over TLS.
    s->stream().next_layer().async_handshake(asio::ssl::stream_base::client,
                                             [s, host, target, eid, legacy](const error_code& ec) {
                                               if (ec || s->abandoned()) {
                                                 s->fail(ec ? ec : asio::error::operation_aborted);
                                                 return;
                                               }
                                               s->mutable_peer().cert = identity_of(
                                                   SSL_get0_peer_certificate(s->stream().next_layer().native_handle()));
                                               detail::client_upgrade(s, host, target, eid, legacy);
                                             });
  });
  return s;
}

}  // namespace usp::mtp

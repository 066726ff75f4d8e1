#include "http/http_endpoint.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "usp/listen.hpp"
#include "usp/log.hpp"

namespace usp::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

const std::shared_ptr<spdlog::logger>& http_log() {
  static const auto logger = usp::log::get("gateway.http");
  return logger;
}

class connection;

// What the acceptor and the connections share; lives until the last of them
// is gone. Touched on the endpoint's executor only.
struct endpoint_state {
  explicit endpoint_state(http_endpoint_options o) : opts(std::move(o)) {}

  http_endpoint_options opts;
  std::map<std::string, std::function<void(http_reply)>, std::less<>> routes;
  std::unordered_set<connection*> open;  // for stop() and max_connections
  bool stopped = false;
  usp::log::rate_limit refusals{5, std::chrono::minutes(1)};
};

http_response plain(unsigned status, std::string body) {
  return http_response{status, "text/plain; charset=utf-8", std::move(body)};
}

// One client connection: reads one request head, answers, and reads the
// next only after the answer is written.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(tcp::socket sock, std::shared_ptr<endpoint_state> state)
      : stream_(std::move(sock)), buffer_(state->opts.max_request_bytes), state_(std::move(state)) {
    state_->open.insert(this);
  }
  ~connection() { state_->open.erase(this); }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void start() { do_read(); }

  // Pending operations end with operation_aborted and release the connection.
  void close() { stream_.close(); }

 private:
  void do_read() {
    parser_.emplace();
    const auto limit = std::min<std::size_t>(state_->opts.max_request_bytes, std::numeric_limits<std::uint32_t>::max());
    parser_->header_limit(static_cast<std::uint32_t>(limit));
    // Also bounds how long an idle keep-alive connection stays open.
    stream_.expires_after(state_->opts.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&connection::on_read, shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream) return shutdown();
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      return send(plain(431, "request header fields too large\n"), false, false);
    }
    if (ec == bhttp::error::partial_message) return;  // the peer left mid-request
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
      return send(plain(400, "bad request\n"), false, false);
    }
    if (ec) return;  // timeout, reset, stop()

    const auto& req = parser_->get();
    const bool head = req.method() == bhttp::verb::head;
    // An unread body would be taken for the next request: answer, then close.
    const bool keep = req.keep_alive() && parser_->is_done() && !state_->stopped;
    if (req.method() != bhttp::verb::get && !head) {
      return send(plain(405, "method not allowed\n"), false, keep, true);
    }
    const auto target = req.target();
    const std::string_view path(target.data(), std::min(target.size(), target.find('?')));
    const auto it = state_->routes.find(path);
    if (it == state_->routes.end()) return send(plain(404, "not found\n"), head, keep);
    // A copy: the handler may replace its own route.
    const auto handler = it->second;
    auto reply = [self = shared_from_this(), head, keep](http_response r) {
      auto ex = self->stream_.get_executor();
      asio::dispatch(ex, [self = std::move(self), r = std::move(r), head, keep]() mutable {
        self->send(std::move(r), head, keep);
      });
    };
    try {
      handler(std::move(reply));
    } catch (const std::exception& e) {
      http_log()->error("handler for {} failed: {}", path, e.what());
      send(plain(500, "internal error\n"), head, keep);
    }
  }

  void send(http_response r, bool head, bool keep, bool allow = false) {
    res_ = {};
    res_.version(parser_ && parser_->get().version() == 10 ? 10 : 11);
    res_.result(r.status);
    res_.set(bhttp::field::content_type, r.content_type);
    if (allow) res_.set(bhttp::field::allow, "GET, HEAD");
    res_.body() = std::move(r.body);
    res_.keep_alive(keep);
    res_.prepare_payload();
    if (head) res_.body().clear();  // Content-Length stays that of the GET
    stream_.expires_after(state_->opts.header_timeout);
    bhttp::async_write(stream_, res_, beast::bind_front_handler(&connection::on_write, shared_from_this(), keep));
  }

  void on_write(bool keep, error_code ec, std::size_t) {
    if (ec) return;
    if (!keep) return shutdown();
    do_read();
  }

  void shutdown() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::shared_ptr<endpoint_state> state_;
};

}  // namespace

struct http_endpoint::impl : std::enable_shared_from_this<http_endpoint::impl> {
  impl(asio::any_io_executor ex, http_endpoint_options o)
      : acceptor(ex), retry(ex), state(std::make_shared<endpoint_state>(std::move(o))) {
    usp::open_listener(acceptor, state->opts.address, state->opts.port, "http: ");
  }

  void do_accept() { acceptor.async_accept(beast::bind_front_handler(&impl::on_accept, shared_from_this())); }

  void on_accept(error_code ec, tcp::socket sock) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors, most likely: wait a little instead of spinning.
      http_log()->warn("accept failed: {}", ec.message());
      retry.expires_after(std::chrono::milliseconds(100));
      retry.async_wait([self = shared_from_this()](error_code wec) {
        if (!wec && self->acceptor.is_open()) self->do_accept();
      });
      return;
    }
    if (state->open.size() >= state->opts.max_connections) {
      std::uint64_t suppressed = 0;
      if (state->refusals.allow(suppressed)) {
        http_log()->warn("refusing a connection: {} open ({} more refused unlogged)", state->open.size(), suppressed);
      }
      sock.close(ec);
    } else {
      sock.set_option(tcp::no_delay(true), ec);
      std::make_shared<connection>(std::move(sock), state)->start();
    }
    do_accept();
  }

  void stop() {
    error_code ec;
    acceptor.close(ec);
    retry.cancel();
    state->stopped = true;
    // close() does not free a connection on the spot, but copy anyway.
    const std::vector<connection*> open(state->open.begin(), state->open.end());
    for (auto* c : open) c->close();
  }

  tcp::acceptor acceptor;
  asio::steady_timer retry;
  std::shared_ptr<endpoint_state> state;
};

http_endpoint::http_endpoint(asio::any_io_executor ex, http_endpoint_options opts)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(opts))) {
  impl_->do_accept();
}

http_endpoint::~http_endpoint() { stop(); }

void http_endpoint::route(std::string path, std::function<http_response()> handler) {
  route_deferred(std::move(path), [h = std::move(handler)](const http_reply& reply) { reply(h()); });
}

void http_endpoint::route_deferred(std::string path, std::function<void(http_reply)> handler) {
  impl_->state->routes.insert_or_assign(std::move(path), std::move(handler));
}

std::uint16_t http_endpoint::port() const noexcept {
  error_code ec;
  const auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

std::size_t http_endpoint::connections() const noexcept { return impl_->state->open.size(); }

void http_endpoint::stop() { impl_->stop(); }

}  // namespace usp::gateway

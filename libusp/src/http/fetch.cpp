#include "usp/http_fetch.hpp"

#include <charconv>
#include <fstream>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace usp::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

class fetch_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "usp.http"; }
  std::string message(int ev) const override {
    switch (static_cast<fetch_errc>(ev)) {
      case fetch_errc::bad_url: return "malformed URL";
      case fetch_errc::too_large: return "response body exceeds the size limit";
    }
    return "unknown HTTP fetch error";
  }
};

struct url_parts {
  bool https = false;
  std::string host;
  std::string port;
  std::string target = "/";
};

std::optional<url_parts> parse_url(std::string_view u) {
  url_parts p;
  if (u.starts_with("http://")) {
    u.remove_prefix(7);
  } else if (u.starts_with("https://")) {
    p.https = true;
    u.remove_prefix(8);
  } else {
    return std::nullopt;
  }
  const auto slash = u.find('/');
  auto authority = u.substr(0, slash);
  if (slash != std::string_view::npos) p.target = std::string(u.substr(slash));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;  // no userinfo
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    p.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() == ':') p.port = std::string(authority.substr(1));
  } else {
    const auto colon = authority.rfind(':');
    p.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) p.port = std::string(authority.substr(colon + 1));
  }
  if (p.port.empty()) p.port = p.https ? "443" : "80";
  unsigned port = 0;
  const auto [ptr, ec] = std::from_chars(p.port.data(), p.port.data() + p.port.size(), port);
  if (p.host.empty() || ec != std::errc() || ptr != p.port.data() + p.port.size() || port == 0 || port > 65535) {
    return std::nullopt;
  }
  return p;
}

template <class Stream>
class fetcher : public std::enable_shared_from_this<fetcher<Stream>> {
 public:
  fetcher(Stream stream, url_parts url, fetch_options opts, std::function<void(fetch_result)> done)
      : stream_(std::move(stream)), url_(std::move(url)), opts_(std::move(opts)), done_(std::move(done)) {}

  void run(const tcp::resolver::results_type& endpoints) {
    auto& tcp_layer = beast::get_lowest_layer(stream_);
    tcp_layer.expires_after(opts_.timeout);
    tcp_layer.async_connect(endpoints, [self = this->shared_from_this()](error_code ec, const tcp::endpoint&) {
      if (ec) return self->finish(ec);
      if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
        self->stream_.async_handshake(asio::ssl::stream_base::client, [self](error_code hec) {
          if (hec) return self->finish(hec);
          self->send();
        });
      } else {
        self->send();
      }
    });
  }

  Stream& stream() { return stream_; }

 private:
  void send() {
    req_.version(11);
    req_.method(bhttp::verb::get);
    req_.target(url_.target);
    const bool default_port = url_.port == (url_.https ? "443" : "80");
    req_.set(bhttp::field::host, default_port ? url_.host : url_.host + ":" + url_.port);
    req_.set(bhttp::field::user_agent, "usp-agent");
    if (!opts_.username.empty()) {
      const auto creds = opts_.username + ":" + opts_.password;
      std::string b64(beast::detail::base64::encoded_size(creds.size()), '\0');
      b64.resize(beast::detail::base64::encode(b64.data(), creds.data(), creds.size()));
      req_.set(bhttp::field::authorization, "Basic " + b64);
    }
    bhttp::async_write(stream_, req_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->finish(ec);
      self->read_header();
    });
  }

  void read_header() {
    parser_.body_limit(opts_.max_bytes);
    bhttp::async_read_header(stream_, buffer_, parser_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->finish(ec);
      self->result_.status = self->parser_.get().result_int();
      if (!self->opts_.to_file.empty()) {
        self->file_.open(self->opts_.to_file, std::ios::binary | std::ios::trunc);
        if (!self->file_) return self->finish(error_code(errno, boost::system::system_category()));
      }
      self->read_some();
    });
  }

  void read_some() {
    if (parser_.is_done()) return finish({});
    parser_.get().body().data = chunk_;
    parser_.get().body().size = sizeof chunk_;
    bhttp::async_read_some(stream_, buffer_, parser_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      const auto n = sizeof self->chunk_ - self->parser_.get().body().size;
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec == bhttp::error::body_limit) ec = fetch_errc::too_large;
      if (ec) return self->finish(ec);
      self->result_.size += n;
      if (self->opts_.on_data && self->result_.status == 200) self->opts_.on_data(std::string_view(self->chunk_, n));
      if (self->file_.is_open()) {
        self->file_.write(self->chunk_, static_cast<std::streamsize>(n));
      } else {
        self->result_.body.append(self->chunk_, n);
      }
      self->read_some();
    });
  }

  void finish(error_code ec) {
    if (finished_) return;
    finished_ = true;
    if (ec == bhttp::error::body_limit) ec = fetch_errc::too_large;  // also from a Content-Length
    if (file_.is_open()) file_.close();
    result_.ec = ec;
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    done_(std::move(result_));
  }

  Stream stream_;
  url_parts url_;
  fetch_options opts_;
  std::function<void(fetch_result)> done_;
  bhttp::request<bhttp::empty_body> req_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::buffer_body> parser_;
  char chunk_[16 * 1024];
  std::ofstream file_;
  fetch_result result_;
  bool finished_ = false;
};

}  // namespace

const boost::system::error_category& fetch_category() noexcept {
  static const fetch_category_impl c;
  return c;
}

bool valid_url(std::string_view url) { return parse_url(url).has_value(); }

void fetch(asio::any_io_executor ex, fetch_options opts, std::function<void(fetch_result)> done) {
  auto url = parse_url(opts.url);
  if (!url) {
    asio::post(ex, [done = std::move(done)] { done(fetch_result{make_error_code(fetch_errc::bad_url), 0, {}, 0}); });
    return;
  }
  auto resolver = std::make_shared<tcp::resolver>(ex);
  resolver->async_resolve(url->host, url->port, [ex, resolver, url = *url, opts = std::move(opts),
                                                 done = std::move(done)](error_code ec, tcp::resolver::results_type r) mutable {
    if (ec) {
      done(fetch_result{ec, 0, {}, 0});
      return;
    }
    if (!url.https) {
      std::make_shared<fetcher<beast::tcp_stream>>(beast::tcp_stream(ex), std::move(url), std::move(opts), std::move(done))
          ->run(r);
      return;
    }
    std::shared_ptr<asio::ssl::context> ctx;
    try {
      ctx = std::make_shared<asio::ssl::context>(make_client_context(opts.tls));
    } catch (const std::exception&) {
      done(fetch_result{make_error_code(boost::system::errc::invalid_argument), 0, {}, 0});
      return;
    }
    const auto host = url.host;
    auto f = std::make_shared<fetcher<beast::ssl_stream<beast::tcp_stream>>>(
        beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(ex), *ctx), std::move(url), std::move(opts),
        [ctx, done = std::move(done)](fetch_result res) { done(std::move(res)); });
    set_verify_host(f->stream().native_handle(), host);
    f->run(r);
  });
}

}  // namespace usp::http

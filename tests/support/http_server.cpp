#include "usp_test/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace usp::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct http_server::impl : std::enable_shared_from_this<impl> {
  explicit impl(asio::io_context& io) : acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) {}

  void accept() {
    acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
      if (ec) return;
      self->serve_one(std::make_shared<tcp::socket>(std::move(s)));
      self->accept();
    });
  }

  void serve_one(std::shared_ptr<tcp::socket> sock) {
    auto buf = std::make_shared<beast::flat_buffer>();
    auto req = std::make_shared<http::request<http::string_body>>();
    http::async_read(*sock, *buf, *req, [self = shared_from_this(), sock, buf, req](boost::system::error_code ec,
                                                                                     std::size_t) {
      if (ec) return;
      ++self->count;
      self->authorization = std::string((*req)[http::field::authorization]);
      auto res = std::make_shared<http::response<http::string_body>>();
      res->version(11);
      const auto it = self->content.find(std::string(req->target()));
      if (it == self->content.end()) {
        res->result(http::status::not_found);
        res->body() = "not found\n";
      } else {
        res->result(http::status::ok);
        res->set(http::field::content_type, it->second.second);
        res->body() = it->second.first;
      }
      res->keep_alive(false);
      res->prepare_payload();
      http::async_write(*sock, *res, [sock, res](boost::system::error_code, std::size_t) {
        boost::system::error_code ignored;
        sock->shutdown(tcp::socket::shutdown_both, ignored);
      });
    });
  }

  tcp::acceptor acceptor;
  std::map<std::string, std::pair<std::string, std::string>> content;
  int count = 0;
  std::string authorization;
};

http_server::http_server(asio::io_context& io) : impl_(std::make_shared<impl>(io)) { impl_->accept(); }

http_server::~http_server() {
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

void http_server::serve(const std::string& path, std::string body, std::string content_type) {
  impl_->content[path] = {std::move(body), std::move(content_type)};
}

std::uint16_t http_server::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string http_server::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

int http_server::requests() const { return impl_->count; }

std::string http_server::last_authorization() const { return impl_->authorization; }

}  // namespace usp::test

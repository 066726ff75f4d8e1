// A tiny HTTP server for tests (XML pages, firmware images), on an ephemeral
// loopback port, served by the test's own io_context.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

namespace usp::test {

class http_server {
 public:
  explicit http_server(boost::asio::io_context& io);
  ~http_server();
  // Serves `body` at `path` with status 200.
  void serve(const std::string& path, std::string body, std::string content_type = "application/octet-stream");
  std::uint16_t port() const;
  std::string url(const std::string& path) const;
  int requests() const;
  std::string last_authorization() const;

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace usp::test

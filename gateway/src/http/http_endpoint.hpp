// The gateway's operations endpoint: a small HTTP/1.1 server for /metrics,
// /healthz, /readyz and /sessions. The owner registers one callback per path.
//
// GET and HEAD only (others: 405), exact path match, query ignored (unknown
// path: 404). Keep-alive, one request at a time per connection; request heads
// over max_request_bytes get 431 and the connection is closed; a request that
// does not arrive within header_timeout (also an idle keep-alive connection)
// is closed; over max_connections a new connection is closed at once. Request
// bodies are never read: a request carrying one is answered, then the
// connection is closed.
//
// Threading: the acceptor, every connection and every route callback run on
// the executor given at construction; call route() and stop() there too (or
// before it runs). Use a single-threaded executor. A callback that needs data
// from other threads either gathers it safely itself (metrics::registry::render
// is safe from any thread) or is a deferred route: it gets an http_reply to
// call once, from any thread, when the answer is ready.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

namespace usp::gateway {

struct http_response {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Answers one request; callable once, from any thread.
using http_reply = std::function<void(http_response)>;

struct http_endpoint_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                           // 0 = ephemeral, read it back with port()
  std::size_t max_request_bytes = 8 * 1024;         // request line and headers
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  std::size_t max_connections = 64;
};

class http_endpoint {
 public:
  // Binds and starts accepting. Throws std::runtime_error when the address
  // is malformed or cannot be bound (a start-up error).
  http_endpoint(boost::asio::any_io_executor ex, http_endpoint_options opts);
  ~http_endpoint();  // stop()
  http_endpoint(const http_endpoint&) = delete;
  http_endpoint& operator=(const http_endpoint&) = delete;

  // Serves GET and HEAD on `path` (exact match, e.g. "/metrics"); replaces an
  // earlier handler for the same path. An exception from `handler` becomes a
  // 500 and a log line. HEAD runs the handler and sends its headers only.
  void route(std::string path, std::function<http_response()> handler);
  // The same for an answer computed later, e.g. on other threads: `handler`
  // gets the reply to call. An exception it throws becomes a 500.
  void route_deferred(std::string path, std::function<void(http_reply)> handler);

  // The bound port (the ephemeral one when the options said 0); 0 after stop().
  std::uint16_t port() const noexcept;

  // Connections open now (for a gauge, and tests).
  std::size_t connections() const noexcept;

  // Closes the acceptor and every open connection; idempotent.
  void stop();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace usp::gateway

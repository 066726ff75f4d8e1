// The operations endpoint over real loopback sockets (integration tier):
// a raw asio client writes exact request bytes and Beast parses the answers.
#include "http/http_endpoint.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "usp_test/wait.hpp"

namespace usp::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using usp::test::run_until;

constexpr std::string_view metrics_type = "text/plain; version=0.0.4; charset=utf-8";

std::string get(std::string_view path, std::string_view method = "GET", std::string_view extra = {}) {
  return std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra) +
         "\r\n";
}

std::string field(const bhttp::response<bhttp::string_body>& res, bhttp::field f) { return std::string(res[f]); }

// A client on the test's io_context; every call runs the loop until its
// operation completed.
class client {
 public:
  client(asio::io_context& io, std::uint16_t port) : io_(io), sock_(io) {
    bool done = false;
    sock_.async_connect({asio::ip::make_address("127.0.0.1"), port}, [&](error_code ec) {
      connect_ec_ = ec;
      done = true;
    });
    EXPECT_TRUE(run_until(io_, [&] { return done; }));
  }

  error_code connect_error() const { return connect_ec_; }

  error_code write(const std::string& bytes) {
    bool done = false;
    error_code result;
    asio::async_write(sock_, asio::buffer(bytes), [&](error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    EXPECT_TRUE(run_until(io_, [&] { return done; }));
    return result;
  }

  struct reply {
    error_code ec;
    bhttp::response<bhttp::string_body> res;
  };

  // One response; `head` tells the parser that no body follows.
  reply read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(head);
    bool done = false;
    reply r;
    bhttp::async_read(sock_, buffer_, parser, [&](error_code ec, std::size_t) {
      r.ec = ec;
      done = true;
    });
    EXPECT_TRUE(run_until(io_, [&] { return done; }));
    if (!r.ec) r.res = parser.release();
    return r;
  }

  reply request(const std::string& bytes, bool head = false) {
    if (const auto ec = write(bytes)) return reply{ec, {}};
    return read(head);
  }

  // Whether the server closed its side: a read ends with eof or a reset
  // (never with data) before the timeout.
  bool closed_by_server() {
    if (buffer_.size() != 0) return false;
    bool done = false;
    error_code result;
    char byte = 0;
    sock_.async_read_some(asio::buffer(&byte, 1), [&](error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    if (!run_until(io_, [&] { return done; })) return false;
    return result == asio::error::eof || result == asio::error::connection_reset;
  }

  void close() {
    error_code ignored;
    sock_.close(ignored);
  }

 private:
  asio::io_context& io_;
  tcp::socket sock_;
  beast::flat_buffer buffer_;
  error_code connect_ec_;
};

class HttpEndpoint : public ::testing::Test {
 protected:
  explicit HttpEndpoint(http_endpoint_options opts = {}) : server_(io_.get_executor(), std::move(opts)) {
    server_.route("/metrics", [this] {
      ++metrics_calls_;
      return http_response{200, std::string(metrics_type), "# TYPE up gauge\nup 1\n"};
    });
    server_.route("/readyz", [] { return http_response{503, "text/plain", "not ready\n"}; });
  }

  asio::io_context io_;
  http_endpoint server_;
  int metrics_calls_ = 0;
};

TEST_F(HttpEndpoint, Port0GivesARealPort) {
  EXPECT_NE(server_.port(), 0);
  client c(io_, server_.port());
  EXPECT_FALSE(c.connect_error());
}

TEST_F(HttpEndpoint, GetReturnsTheHandlersBodyAndContentType) {
  client c(io_, server_.port());
  const auto r = c.request(get("/metrics"));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 200U);
  EXPECT_EQ(field(r.res, bhttp::field::content_type), metrics_type);
  EXPECT_EQ(field(r.res, bhttp::field::content_length), "21");
  EXPECT_EQ(r.res.body(), "# TYPE up gauge\nup 1\n");
  EXPECT_EQ(metrics_calls_, 1);
}

TEST_F(HttpEndpoint, TheHandlersStatusPassesThrough) {
  client c(io_, server_.port());
  const auto r = c.request(get("/readyz"));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 503U);
  EXPECT_EQ(r.res.body(), "not ready\n");
}

TEST_F(HttpEndpoint, HeadHasTheHeadersButNoBody) {
  client c(io_, server_.port());
  const auto r = c.request(get("/metrics", "HEAD"), true);
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 200U);
  EXPECT_EQ(field(r.res, bhttp::field::content_type), metrics_type);
  EXPECT_EQ(field(r.res, bhttp::field::content_length), "21");
  EXPECT_EQ(r.res.body(), "");
  // Had body bytes followed, they would spoil this second answer.
  const auto next = c.request(get("/readyz"));
  ASSERT_FALSE(next.ec) << next.ec.message();
  EXPECT_EQ(next.res.result_int(), 503U);
}

TEST_F(HttpEndpoint, UnknownPathIs404AndTheQueryIsIgnored) {
  client c(io_, server_.port());
  const auto missing = c.request(get("/nothing"));
  ASSERT_FALSE(missing.ec) << missing.ec.message();
  EXPECT_EQ(missing.res.result_int(), 404U);
  const auto prefix = c.request(get("/metrics/x"));
  EXPECT_EQ(prefix.res.result_int(), 404U);
  const auto query = c.request(get("/metrics?name[]=up"));
  ASSERT_FALSE(query.ec) << query.ec.message();
  EXPECT_EQ(query.res.result_int(), 200U);
  EXPECT_EQ(metrics_calls_, 1);
}

TEST_F(HttpEndpoint, OtherMethodsAre405) {
  client c(io_, server_.port());
  for (const auto* method : {"DELETE", "OPTIONS", "PUT"}) {
    const auto r = c.request(get("/metrics", method));
    ASSERT_FALSE(r.ec) << method << ": " << r.ec.message();
    EXPECT_EQ(r.res.result_int(), 405U) << method;
    EXPECT_EQ(field(r.res, bhttp::field::allow), "GET, HEAD") << method;
    EXPECT_TRUE(r.res.keep_alive()) << method;  // no body: the connection stays usable
  }
  EXPECT_EQ(metrics_calls_, 0);
}

TEST_F(HttpEndpoint, ARequestWithABodyIsAnsweredThenClosed) {
  client c(io_, server_.port());
  const auto r = c.request(get("/metrics", "POST", "Content-Length: 5\r\n") + "hello");
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 405U);
  EXPECT_FALSE(r.res.keep_alive());
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpEndpoint, KeepAliveServesTwoRequestsOnOneConnection) {
  client c(io_, server_.port());
  const auto first = c.request(get("/metrics"));
  ASSERT_FALSE(first.ec) << first.ec.message();
  EXPECT_TRUE(first.res.keep_alive());
  const auto second = c.request(get("/metrics"));
  ASSERT_FALSE(second.ec) << second.ec.message();
  EXPECT_EQ(second.res.result_int(), 200U);
  EXPECT_EQ(metrics_calls_, 2);
  EXPECT_EQ(server_.connections(), 1U);
}

TEST_F(HttpEndpoint, PipelinedRequestsAreAnsweredInOrder) {
  client c(io_, server_.port());
  ASSERT_FALSE(c.write(get("/metrics") + get("/nothing") + get("/readyz")));
  EXPECT_EQ(c.read().res.result_int(), 200U);
  EXPECT_EQ(c.read().res.result_int(), 404U);
  EXPECT_EQ(c.read().res.result_int(), 503U);
}

TEST_F(HttpEndpoint, ConnectionCloseIsHonoured) {
  client c(io_, server_.port());
  const auto r = c.request(get("/metrics", "GET", "Connection: close\r\n"));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 200U);
  EXPECT_FALSE(r.res.keep_alive());
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpEndpoint, Http10WithoutKeepAliveIsClosedAfterTheAnswer) {
  client c(io_, server_.port());
  const auto r = c.request("GET /metrics HTTP/1.0\r\n\r\n");
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.version(), 10U);
  EXPECT_EQ(r.res.body(), "# TYPE up gauge\nup 1\n");
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpEndpoint, AnOversizeRequestIsRefusedAndOthersAreStillServed) {
  client big(io_, server_.port());
  const std::string pad(9000, 'a');
  const auto refused = big.request(get("/metrics", "GET", "X-Pad: " + pad + "\r\n"));
  // 431 then close, or a reset that swallowed the 431: never an answer.
  if (!refused.ec) {
    EXPECT_EQ(refused.res.result_int(), 431U);
    EXPECT_TRUE(big.closed_by_server());
  }
  EXPECT_EQ(metrics_calls_, 0);

  client other(io_, server_.port());
  const auto ok = other.request(get("/metrics"));
  ASSERT_FALSE(ok.ec) << ok.ec.message();
  EXPECT_EQ(ok.res.result_int(), 200U);
}

TEST_F(HttpEndpoint, GarbageIs400AndClosed) {
  client c(io_, server_.port());
  const auto r = c.request("NOT HTTP AT ALL\r\n\r\n");
  if (!r.ec) {
    EXPECT_EQ(r.res.result_int(), 400U);
  }
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpEndpoint, AHandlerThatThrowsGives500AndTheServerGoesOn) {
  server_.route("/boom", []() -> http_response { throw std::runtime_error("no data"); });
  client c(io_, server_.port());
  const auto r = c.request(get("/boom"));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 500U);
  EXPECT_EQ(c.request(get("/metrics")).res.result_int(), 200U);
}

TEST_F(HttpEndpoint, ADeferredRouteIsAnsweredFromAnotherThreadInOrder) {
  // The answer comes from a worker thread (as /sessions gathers from the
  // gateway's shards); the next request on the connection waits for it.
  asio::io_context worker;
  auto work = asio::make_work_guard(worker);
  std::thread t([&] { worker.run(); });
  int deferred_calls = 0;
  server_.route_deferred("/later", [&](http_reply reply) {
    ++deferred_calls;
    asio::post(worker, [reply = std::move(reply)] { reply(http_response{200, "application/json", "[]\n"}); });
  });
  client c(io_, server_.port());
  ASSERT_FALSE(c.write(get("/later") + get("/metrics")));
  const auto first = c.read();
  const auto second = c.read();
  work.reset();
  t.join();
  ASSERT_FALSE(first.ec) << first.ec.message();
  EXPECT_EQ(first.res.result_int(), 200U);
  EXPECT_EQ(field(first.res, bhttp::field::content_type), "application/json");
  EXPECT_EQ(first.res.body(), "[]\n");
  ASSERT_FALSE(second.ec) << second.ec.message();
  EXPECT_EQ(second.res.body(), "# TYPE up gauge\nup 1\n");
  EXPECT_EQ(deferred_calls, 1);
}

TEST_F(HttpEndpoint, ARouteCanBeReplaced) {
  server_.route("/metrics", [] { return http_response{200, "text/plain", "replaced\n"}; });
  client c(io_, server_.port());
  EXPECT_EQ(c.request(get("/metrics")).res.body(), "replaced\n");
}

TEST_F(HttpEndpoint, StopClosesTheAcceptorAndOpenConnections) {
  client c(io_, server_.port());
  ASSERT_EQ(c.request(get("/metrics")).res.result_int(), 200U);
  const auto port = server_.port();
  server_.stop();
  EXPECT_EQ(server_.port(), 0);
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_TRUE(run_until(io_, [&] { return server_.connections() == 0; }));
  client late(io_, port);
  EXPECT_EQ(late.connect_error(), asio::error::connection_refused);
  server_.stop();  // again: harmless
}

TEST_F(HttpEndpoint, BindingATakenPortThrows) {
  http_endpoint_options opts;
  opts.port = server_.port();
  EXPECT_THROW(http_endpoint(io_.get_executor(), opts), std::runtime_error);
}

TEST_F(HttpEndpoint, AMalformedAddressThrows) {
  http_endpoint_options opts;
  opts.address = "127.0.0.300";
  EXPECT_THROW(http_endpoint(io_.get_executor(), opts), std::runtime_error);
}

class HttpEndpointLimits : public HttpEndpoint {
 protected:
  static http_endpoint_options limits() {
    http_endpoint_options o;
    o.max_connections = 2;
    o.header_timeout = std::chrono::milliseconds(200);
    return o;
  }
  HttpEndpointLimits() : HttpEndpoint(limits()) {}
};

TEST_F(HttpEndpointLimits, ConnectionsOverTheLimitAreClosed) {
  auto a = std::make_unique<client>(io_, server_.port());
  client b(io_, server_.port());
  ASSERT_EQ(a->request(get("/metrics")).res.result_int(), 200U);
  ASSERT_EQ(b.request(get("/metrics")).res.result_int(), 200U);
  client third(io_, server_.port());
  EXPECT_TRUE(third.closed_by_server());

  a->close();
  ASSERT_TRUE(run_until(io_, [&] { return server_.connections() == 1; }));
  client fourth(io_, server_.port());
  EXPECT_EQ(fourth.request(get("/metrics")).res.result_int(), 200U);
}

TEST_F(HttpEndpointLimits, ASilentConnectionIsClosedAfterTheHeaderTimeout) {
  client silent(io_, server_.port());
  EXPECT_TRUE(silent.closed_by_server());
  client partial(io_, server_.port());
  ASSERT_FALSE(partial.write("GET /metrics HTTP/1.1\r\nHost:"));
  EXPECT_TRUE(partial.closed_by_server());
  EXPECT_EQ(metrics_calls_, 0);
}

TEST_F(HttpEndpointLimits, AnIdleKeepAliveConnectionIsClosed) {
  client c(io_, server_.port());
  ASSERT_EQ(c.request(get("/metrics")).res.result_int(), 200U);
  EXPECT_TRUE(c.closed_by_server());
}

}  // namespace
}  // namespace usp::gateway

// WebSocket sessions over Beast's in-memory test stream: the USP opening
// handshake rules, frame rules and keep-alive, without sockets.
#include "ws_session.hpp"

#include <vector>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <boost/beast/_experimental/test/stream.hpp>
#include <gtest/gtest.h>

#include "usp/record.hpp"
#include "usp/strings.hpp"
#include "usp_test/temp_dir.hpp"
#include "usp_test/wait.hpp"

namespace usp::mtp {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using boost::system::error_code;
using test_stream = beast::test::stream;
using session = detail::ws_session_impl<test_stream>;

struct events {
  bool opened = false;
  std::vector<std::string> records;
  std::optional<ws_close_info> closed;
};

ws_handlers record_into(events& ev) {
  ws_handlers h;
  h.on_open = [&ev](const ws_session_ptr&) { ev.opened = true; };
  h.on_record = [&ev](const ws_session_ptr&, std::string_view r) { ev.records.emplace_back(r); };
  h.on_close = [&ev](const ws_session_ptr&, const ws_close_info& i) { ev.closed = i; };
  return h;
}

ws_upgrade_decision accept_all(const ws_upgrade_request& r) {
  ws_upgrade_decision d;
  d.accept = true;
  d.peer_eid = r.query_eid.value_or(r.extension_eid.value_or(""));
  d.own_eid = "os::000413-A1B2C3";
  return d;
}

std::string a_record() {
  usp::Msg m;
  m.mutable_header()->set_msg_id("g1");
  m.mutable_header()->set_msg_type(usp::Header::GET);
  m.mutable_body()->mutable_request()->mutable_get()->add_param_paths("Device.");
  return make_no_session_record("self::ctl", "os::000413-A1B2C3", m);
}

// A server session of ours and a Beast client peer, joined in memory.
class ServerSide : public ::testing::Test {
 protected:
  void start_server(ws_upgrade_policy policy = accept_all) {
    test_stream ours(io_), theirs(io_);
    ours.connect(theirs);
    server_ = std::make_shared<session>(std::move(ours), limits_, record_into(ev_));
    detail::serve_upgrade(server_, policy);
    peer_.emplace(std::move(theirs));
  }

  // The peer's handshake; returns the error (success = opened).
  error_code handshake(const std::string& target, bool offer_subprotocol = true, bool offer_extension = false) {
    peer_->set_option(websocket::stream_base::decorator([=](websocket::request_type& req) {
      if (offer_subprotocol) req.set(http::field::sec_websocket_protocol, "v1.usp");
      if (offer_extension) req.set(http::field::sec_websocket_extensions, "bbf-usp-protocol; eid=\"self::ext\"");
    }));
    std::optional<error_code> result;
    peer_->async_handshake(res_, "localhost", target, [&](error_code ec) { result = ec; });
    EXPECT_TRUE(test::run_until(io_, [&] { return result.has_value() && (ev_.opened || ev_.closed); }));
    return result.value_or(net::error::timed_out);
  }

  net::io_context io_;
  ws_limits limits_;
  events ev_;
  std::shared_ptr<session> server_;
  std::optional<websocket::stream<test_stream>> peer_;
  websocket::response_type res_;
};

TEST_F(ServerSide, EchoesSubprotocolAndTakesEidFromTheQuery) {
  start_server();
  ASSERT_FALSE(handshake("/usp?eid=os%3A%3A012345-OBUSPA0001"));
  EXPECT_TRUE(ev_.opened);
  EXPECT_EQ(res_[http::field::sec_websocket_protocol], "v1.usp");  // R-WS.11
  EXPECT_EQ(res_[http::field::sec_websocket_extensions], "");      // not offered, not answered
  EXPECT_EQ(server_->peer().eid, "os::012345-OBUSPA0001");
  EXPECT_FALSE(server_->peer().legacy_extension);
}

TEST_F(ServerSide, AnswersTheLegacyExtensionWithItsOwnEid) {
  start_server();
  ASSERT_FALSE(handshake("/usp", true, true));
  EXPECT_EQ(res_[http::field::sec_websocket_extensions], "bbf-usp-protocol; eid=\"os::000413-A1B2C3\"");  // R-WS.11a
  EXPECT_EQ(server_->peer().eid, "self::ext");
  EXPECT_TRUE(server_->peer().legacy_extension);
}

TEST_F(ServerSide, RefusesAnUpgradeWithoutTheSubprotocol) {
  start_server();
  const auto ec = handshake("/usp?eid=self::c", false);
  EXPECT_EQ(ec, websocket::error::upgrade_declined);
  EXPECT_EQ(res_.result_int(), 400u);  // R-WS.12a
  ASSERT_TRUE(ev_.closed);
  EXPECT_FALSE(ev_.opened);
  EXPECT_EQ(ev_.closed->ec, ws_errc::upgrade_refused);
  EXPECT_EQ(ev_.closed->http_status, 400u);
  EXPECT_FALSE(ev_.closed->was_open);
}

TEST_F(ServerSide, PolicyRefusalGivesItsStatus) {
  start_server([](const ws_upgrade_request& r) {
    ws_upgrade_decision d;
    d.accept = false;
    d.status = 404;
    d.reason = "no agent at " + std::string(r.path);
    return d;
  });
  EXPECT_EQ(handshake("/usp/os::nobody?eid=self::c"), websocket::error::upgrade_declined);
  EXPECT_EQ(res_.result_int(), 404u);
  ASSERT_TRUE(ev_.closed);
  EXPECT_EQ(ev_.closed->http_status, 404u);
}

TEST_F(ServerSide, ReplayedReferenceAgentUpgradeIsAccepted) {
  const auto dir = test::vectors_dir();
  if (dir.empty()) GTEST_SKIP() << "reference vectors not found (set USP_VECTORS_DIR)";
  // The capture's line ends are mixed; put CRLF everywhere, then the blank line.
  std::string crlf;
  const auto captured = test::read_file(dir + "/ws-obuspa-client-upgrade-request.txt");
  for (auto line : split(captured, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) crlf += std::string(line) + "\r\n";
  }
  crlf += "\r\n";
  start_server();
  auto& raw = peer_->next_layer();
  net::write(raw, net::buffer(crlf));
  ASSERT_TRUE(test::run_until(io_, [&] { return ev_.opened || ev_.closed.has_value(); }));
  ASSERT_TRUE(ev_.opened);
  EXPECT_EQ(server_->peer().eid, "os::012345-OBUSPA0001");
}

TEST_F(ServerSide, DeliversBinaryRecords) {
  start_server();
  ASSERT_FALSE(handshake("/usp?eid=self::c"));
  peer_->binary(true);
  peer_->write(net::buffer(a_record()));
  ASSERT_TRUE(test::run_until(io_, [&] { return !ev_.records.empty(); }));
  EXPECT_EQ(ev_.records[0], a_record());
  EXPECT_EQ(server_->stats().records_in, 1u);
}

TEST_F(ServerSide, ReassemblesFragmentedMessages) {
  start_server();
  ASSERT_FALSE(handshake("/usp?eid=self::c"));
  peer_->binary(true);
  const auto rec = a_record();
  const auto half = rec.size() / 2;
  peer_->write_some(false, net::buffer(rec.data(), half));  // R-WS.14b
  peer_->write_some(true, net::buffer(rec.data() + half, rec.size() - half));
  ASSERT_TRUE(test::run_until(io_, [&] { return !ev_.records.empty(); }));
  EXPECT_EQ(ev_.records[0], rec);
}

// Reads on the peer until the close handshake completes; returns the code.
std::uint16_t peer_sees_close(net::io_context& io, websocket::stream<test_stream>& peer) {
  beast::flat_buffer buf;
  std::optional<error_code> result;
  std::function<void()> read_more = [&] {
    peer.async_read(buf, [&](error_code ec, std::size_t) {
      if (ec) {
        result = ec;
      } else {
        buf.consume(buf.size());
        read_more();
      }
    });
  };
  read_more();
  EXPECT_TRUE(test::run_until(io, [&] { return result.has_value(); }));
  EXPECT_EQ(result.value_or(error_code()), websocket::error::closed);
  return static_cast<std::uint16_t>(peer.reason().code);
}

TEST_F(ServerSide, TextFrameClosesWith1003) {
  start_server();
  ASSERT_FALSE(handshake("/usp?eid=self::c"));
  peer_->text(true);
  peer_->write(net::buffer(std::string("hello")));
  EXPECT_EQ(peer_sees_close(io_, *peer_), 1003);  // R-WS.14/16
  ASSERT_TRUE(test::run_until(io_, [&] { return ev_.closed.has_value(); }));
  EXPECT_EQ(ev_.closed->ec, ws_errc::text_frame);
  EXPECT_EQ(ev_.closed->code, 1003);
  EXPECT_TRUE(ev_.records.empty());
  EXPECT_EQ(server_->stats().rejected_in, 1u);
}

TEST_F(ServerSide, UnextractableRecordClosesWith1003) {
  start_server();
  ASSERT_FALSE(handshake("/usp?eid=self::c"));
  peer_->binary(true);
  peer_->write(net::buffer(std::string("\x0a\x03\x31\x2e\x33\xff", 6)));
  EXPECT_EQ(peer_sees_close(io_, *peer_), 1003);
  ASSERT_TRUE(test::run_until(io_, [&] { return ev_.closed.has_value(); }));
  EXPECT_EQ(ev_.closed->ec, ws_errc::unextractable_record);
  EXPECT_TRUE(ev_.records.empty());
}

TEST_F(ServerSide, OversizeMessageIsRefused) {
  limits_.max_message_bytes = 256;
  start_server();
  ASSERT_FALSE(handshake("/usp?eid=self::c"));
  peer_->binary(true);
  peer_->write(net::buffer(std::string(1000, 'x')));
  EXPECT_EQ(peer_sees_close(io_, *peer_), 1009);
  ASSERT_TRUE(test::run_until(io_, [&] { return ev_.closed.has_value(); }));
  EXPECT_EQ(ev_.closed->ec, websocket::error::message_too_big);
}

TEST_F(ServerSide, SilentPeerTimesOutAfterTheKeepAlive) {
  limits_.keepalive = std::chrono::milliseconds(100);
  start_server();
  ASSERT_FALSE(handshake("/usp?eid=self::c"));
  // The peer never reads, so our Ping gets no Pong.
  ASSERT_TRUE(test::run_until(io_, [&] { return ev_.closed.has_value(); }, std::chrono::seconds(5)));
  EXPECT_EQ(ev_.closed->ec, beast::error::timeout);
  EXPECT_TRUE(ev_.closed->was_open);
}

TEST_F(ServerSide, AnsweredPingsKeepTheSessionOpen) {
  limits_.keepalive = std::chrono::milliseconds(50);
  start_server();
  ASSERT_FALSE(handshake("/usp?eid=self::c"));
  int pings = 0;
  peer_->control_callback([&](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++pings;
  });
  beast::flat_buffer buf;
  peer_->async_read(buf, [](error_code, std::size_t) {});  // reading = answering pings
  ASSERT_TRUE(test::run_until(io_, [&] { return pings >= 4 || ev_.closed.has_value(); }, std::chrono::seconds(5)));
  EXPECT_GE(pings, 4);
  EXPECT_FALSE(ev_.closed.has_value());
  EXPECT_TRUE(server_->is_open());
}

TEST_F(ServerSide, WritesAreQueuedBoundedAndCounted) {
  limits_.max_queued_records = 3;
  start_server();
  ASSERT_FALSE(handshake("/usp?eid=self::c"));
  int accepted = 0;
  for (int i = 0; i < 10; ++i) accepted += server_->send(a_record()) ? 1 : 0;
  // One write is in flight at once; the rest waits in the queue (3).
  EXPECT_LE(accepted, 4);
  EXPECT_GE(accepted, 3);
  EXPECT_EQ(server_->stats().dropped_out, static_cast<std::uint64_t>(10 - accepted));
  beast::flat_buffer buf;
  int got = 0;
  std::function<void()> read_more = [&] {
    peer_->async_read(buf, [&](error_code ec, std::size_t) {
      if (ec) return;
      EXPECT_TRUE(peer_->got_binary());
      EXPECT_EQ(beast::buffers_to_string(buf.data()), a_record());
      buf.consume(buf.size());
      ++got;
      read_more();
    });
  };
  read_more();
  ASSERT_TRUE(test::run_until(io_, [&] { return got == accepted; }));
  EXPECT_EQ(server_->stats().records_out, static_cast<std::uint64_t>(accepted));
}

TEST_F(ServerSide, TheWriteQueueIsAlsoBoundedInBytes) {
  const auto record = a_record();
  limits_.max_queued_bytes = record.size() * 5 / 2;
  start_server();
  ASSERT_FALSE(handshake("/usp?eid=self::c"));
  int accepted = 0;
  for (int i = 0; i < 10; ++i) accepted += server_->send(record) ? 1 : 0;
  // The one in flight counts until it is written: two fit in 2.5 Records' bytes.
  EXPECT_EQ(accepted, 2);
  EXPECT_EQ(server_->stats().dropped_out, 8u);
  beast::flat_buffer buf;
  std::vector<std::size_t> sizes;
  std::function<void()> read_more = [&] {
    peer_->async_read(buf, [&](error_code ec, std::size_t) {
      if (ec) return;
      sizes.push_back(buf.size());
      buf.consume(buf.size());
      read_more();
    });
  };
  read_more();
  ASSERT_TRUE(test::run_until(io_, [&] { return sizes.size() == 2; }));
  ASSERT_TRUE(test::run_until(io_, [&] { return server_->queued() == 0; }));
  // Into an empty queue a Record larger than the whole budget still goes.
  const std::string big(record.size() * 3, 'x');
  EXPECT_TRUE(server_->send(big));
  ASSERT_TRUE(test::run_until(io_, [&] { return sizes.size() == 3; }));
  EXPECT_EQ(sizes.back(), big.size());
}

TEST_F(ServerSide, DrainingCloseSendsQueuedRecordsFirst) {
  start_server();
  ASSERT_FALSE(handshake("/usp?eid=self::c"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(server_->send(a_record()));
  server_->close(1000, "bye", true);
  EXPECT_FALSE(server_->send(a_record()));  // closing: refused
  beast::flat_buffer buf;
  int got = 0;
  std::optional<error_code> end;
  std::function<void()> read_more = [&] {
    peer_->async_read(buf, [&](error_code ec, std::size_t) {
      if (ec) {
        end = ec;
        return;
      }
      buf.consume(buf.size());
      ++got;
      read_more();
    });
  };
  read_more();
  ASSERT_TRUE(test::run_until(io_, [&] { return end.has_value() && ev_.closed.has_value(); }));
  EXPECT_EQ(got, 3);
  EXPECT_EQ(*end, websocket::error::closed);
  EXPECT_EQ(peer_->reason().code, 1000);
  EXPECT_EQ(ev_.closed->code, 1000);
}

// ---- client side ----------------------------------------------------------

class ClientSide : public ::testing::Test {
 protected:
  void start_client(bool legacy = false) {
    test_stream ours(io_), theirs(io_);
    ours.connect(theirs);
    client_ = std::make_shared<session>(std::move(ours), ws_limits{}, record_into(ev_));
    detail::client_upgrade(client_, "ctrl.example", add_eid_query("/usp", "os::000413-A1B2C3"), "os::000413-A1B2C3",
                           legacy);
    peer_.emplace(std::move(theirs));
  }

  // A Beast server peer; `decorate` shapes its 101.
  void peer_accepts(std::function<void(websocket::response_type&)> decorate) {
    peer_->set_option(websocket::stream_base::decorator(std::move(decorate)));
    http::async_read(peer_->next_layer(), peer_buf_, req_, [this](error_code ec, std::size_t) {
      if (ec) {
        accepted_ = ec;
        return;
      }
      peer_->async_accept(req_, [this](error_code aec) { accepted_ = aec; });
    });
  }

  net::io_context io_;
  events ev_;
  std::shared_ptr<session> client_;
  std::optional<websocket::stream<test_stream>> peer_;
  beast::flat_buffer peer_buf_;
  websocket::request_type req_;
  std::optional<error_code> accepted_;
};

TEST_F(ClientSide, SendsEidQueryAndSubprotocol) {
  start_client();
  peer_accepts([](websocket::response_type& res) { res.set(http::field::sec_websocket_protocol, "v1.usp"); });
  ASSERT_TRUE(test::run_until(io_, [&] { return ev_.opened || ev_.closed; }));
  EXPECT_TRUE(ev_.opened);
  EXPECT_EQ(req_.target(), "/usp?eid=os::000413-A1B2C3");                 // R-WS.10b
  EXPECT_EQ(req_[http::field::sec_websocket_protocol], "v1.usp");          // R-WS.10
  EXPECT_EQ(req_[http::field::sec_websocket_extensions], "");              // R-WS.10a is deprecated
}

TEST_F(ClientSide, AbortsWhenTheServerDoesNotEchoTheSubprotocol) {
  start_client();
  peer_accepts([](websocket::response_type&) {});
  ASSERT_TRUE(test::run_until(io_, [&] { return ev_.closed.has_value(); }));
  EXPECT_FALSE(ev_.opened);  // R-WS.12
  EXPECT_EQ(ev_.closed->ec, ws_errc::no_subprotocol);
}

TEST_F(ClientSide, ReadsAnUnaskedLegacyExtension) {
  start_client();
  peer_accepts([](websocket::response_type& res) {
    res.set(http::field::sec_websocket_protocol, "v1.usp");
    res.set(http::field::sec_websocket_extensions, "bbf-usp-protocol; eid=\"self::ctl\"");
  });
  ASSERT_TRUE(test::run_until(io_, [&] { return ev_.opened || ev_.closed; }));
  ASSERT_TRUE(ev_.opened);
  EXPECT_EQ(client_->peer().eid, "self::ctl");
}

TEST_F(ClientSide, OffersTheLegacyExtensionWhenAsked) {
  start_client(true);
  peer_accepts([](websocket::response_type& res) { res.set(http::field::sec_websocket_protocol, "v1.usp"); });
  ASSERT_TRUE(test::run_until(io_, [&] { return ev_.opened || ev_.closed; }));
  EXPECT_EQ(req_[http::field::sec_websocket_extensions], "bbf-usp-protocol; eid=\"os::000413-A1B2C3\"");
}

std::string websocket_accept(const std::string& key) {
  const std::string in = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  unsigned char out[64] = {};
  const int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}

TEST_F(ClientSide, AcceptsTheReferenceAgentsExact101) {
  const auto dir = test::vectors_dir();
  if (dir.empty()) GTEST_SKIP() << "reference vectors not found (set USP_VECTORS_DIR)";
  start_client();
  auto& raw = peer_->next_layer();
  beast::flat_buffer buf;
  http::request<http::empty_body> req;
  std::optional<error_code> read;
  http::async_read(raw, buf, req, [&](error_code ec, std::size_t) { read = ec; });
  ASSERT_TRUE(test::run_until(io_, [&] { return read.has_value(); }));
  ASSERT_FALSE(*read);
  // The captured response, with the Accept value our key needs.
  std::string reply;
  const auto captured = test::read_file(dir + "/ws-obuspa-server-101-response.txt");
  for (auto line : split(captured, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.rfind("Sec-WebSocket-Accept:", 0) == 0) {
      reply += "Sec-WebSocket-Accept: " + websocket_accept(std::string(req[http::field::sec_websocket_key])) + "\r\n";
    } else {
      reply += std::string(line) + "\r\n";
    }
  }
  reply += "\r\n";
  net::write(raw, net::buffer(reply));
  ASSERT_TRUE(test::run_until(io_, [&] { return ev_.opened || ev_.closed; }));
  ASSERT_TRUE(ev_.opened) << (ev_.closed ? ev_.closed->ec.message() : "");
  EXPECT_EQ(client_->peer().eid, "os::012345-OBUSPA0001");
}

}  // namespace
}  // namespace usp::mtp

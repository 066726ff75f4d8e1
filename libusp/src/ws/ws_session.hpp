// One WebSocket session family for every stream type (internal to
// usp_mtp_ws; tests instantiate it over Beast's in-memory test stream).
//
// ws_session_impl<NextLayer> owns a websocket::stream and does everything
// after the opening handshake. serve_upgrade() and client_upgrade() do the
// USP parts of the opening handshake on top of an already connected (and,
// for wss, TLS-established) next layer.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include "usp/bounded_queue.hpp"
#include "usp/envelope.hpp"
#include "usp/log.hpp"
#include "usp/mtp/ws.hpp"
#include "usp/mtp/ws_upgrade.hpp"

namespace usp::mtp::detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using boost::system::error_code;

// Deadline on the TCP layer during the handshake phases Beast's websocket
// timeouts do not cover (TLS, HTTP request); a no-op for streams without one.
template <class Stream>
void expire_after(Stream& s, std::chrono::milliseconds d) {
  auto& low = beast::get_lowest_layer(s);
  if constexpr (requires { low.expires_after(d); }) low.expires_after(d);
}

template <class Stream>
void expire_never(Stream& s) {
  auto& low = beast::get_lowest_layer(s);
  if constexpr (requires { low.expires_never(); }) low.expires_never();
}

template <class Stream>
void close_lowest(Stream& s) {
  error_code ignored;
  auto& low = beast::get_lowest_layer(s);
  if constexpr (requires { low.socket(); }) {
    low.socket().shutdown(boost::asio::socket_base::shutdown_both, ignored);
    low.socket().close(ignored);
  } else {
    low.close();
  }
}

// Beast 1.74 speaks boost::string_view.
inline std::string_view sv(beast::string_view s) noexcept { return {s.data(), s.size()}; }
inline beast::string_view bsv(std::string_view s) noexcept { return {s.data(), s.size()}; }

inline std::shared_ptr<spdlog::logger>& ws_log() {
  static auto lg = usp::log::get("ws");
  return lg;
}

template <class NextLayer>
class ws_session_impl final : public ws_session, public std::enable_shared_from_this<ws_session_impl<NextLayer>> {
 public:
  ws_session_impl(NextLayer next, const ws_limits& limits, ws_handlers handlers)
      : ws_(std::move(next)),
        limits_(limits),
        handlers_(std::move(handlers)),
        queue_(limits.max_queued_records),
        since_(std::chrono::steady_clock::now()) {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = limits_.handshake_timeout;
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_.set_option(t);
  }

  websocket::stream<NextLayer>& stream() noexcept { return ws_; }
  beast::flat_buffer& buffer() noexcept { return buffer_; }
  ws_peer_info& mutable_peer() noexcept { return peer_; }
  const ws_limits& limits() const noexcept { return limits_; }
  // Keeps something alive as long as the session (e.g. its TLS context).
  void hold(std::shared_ptr<void> p) { held_ = std::move(p); }

  // ---- ws_session ----------------------------------------------------------

  bool send(std::string record) override {
    if (!open_ || closing_) {
      ++stats_.dropped_out;
      return false;
    }
    // The byte budget lets one Record of any allowed size through an empty queue.
    const std::size_t size = record.size();
    const bool over_budget = !queue_.empty() && queued_bytes_ + size > limits_.max_queued_bytes;
    if (over_budget || !queue_.push(std::move(record))) {
      ++stats_.dropped_out;
      if (limits_.close_on_overflow) close_for(ws_errc::queue_overflow, 1008, "write queue overflow");
      return false;
    }
    queued_bytes_ += size;
    if (!writing_) do_write();
    return true;
  }

  void close(std::uint16_t code, std::string_view reason, bool drain) override {
    if (finished_ || closing_) return;
    if (!open_) {
      // Still handshaking: abandon the connection; the pending step fails.
      abandoned_ = true;
      close_lowest(ws_);
      return;
    }
    closing_ = true;
    close_code_ = code;
    close_text_ = std::string(reason.substr(0, 120));
    drain_ = drain;
    if (!drain) drop_queue();
    if (writing_ || (drain && !queue_.empty())) {
      pending_close_ = true;
      if (!writing_) do_write();
      return;
    }
    start_close();
  }

  bool is_open() const noexcept override { return open_ && !closing_; }
  const ws_peer_info& peer() const noexcept override { return peer_; }
  std::size_t queued() const noexcept override { return queue_.size(); }
  const ws_session_stats& stats() const noexcept override { return stats_; }
  std::chrono::steady_clock::time_point since() const noexcept override { return since_; }

  // ---- lifecycle -------------------------------------------------------------

  // True once close() was called during the handshake: the dialing and
  // upgrade steps check it between their asynchronous steps.
  bool abandoned() const noexcept { return abandoned_; }

  // The opening handshake succeeded: start reading and pinging.
  void open() {
    ws_.binary(true);
    ws_.auto_fragment(false);  // R-WS.14a
    // The size limit is enforced in on_read, not with Beast's
    // read_message_max: Beast 1.74 sends 1009 on it but then closes the
    // socket after reading at most 2 KiB more (its teardown ignores how much
    // it read), so the rest of the sender's message resets the connection
    // and the peer never reads the Close. async_close reads to the peer's
    // Close frame instead, discarding the rest of the message.
    ws_.read_message_max(0);
    websocket::stream_base::timeout t{};
    t.handshake_timeout = limits_.handshake_timeout;  // also bounds the closing handshake
    if (limits_.keepalive.count() > 0) {
      // Beast pings after half the idle time without incoming data and gives
      // up after the whole of it: a Ping every `keepalive` of silence and a
      // Pong deadline of one more `keepalive` (R-WS.17/18).
      t.idle_timeout = 2 * limits_.keepalive;
      t.keep_alive_pings = true;
    } else {
      t.idle_timeout = websocket::stream_base::none();
      t.keep_alive_pings = false;
    }
    ws_.set_option(t);
    expire_never(ws_);
    open_ = true;
    was_open_ = true;
    since_ = std::chrono::steady_clock::now();
    if (handlers_.on_open) handlers_.on_open(this->shared_from_this());
    if (!finished_) do_read();
  }

  // The opening handshake failed.
  void fail(const error_code& ec, unsigned http_status = 0) {
    ws_close_info info;
    info.ec = ec;
    info.http_status = http_status;
    finish(info);
  }

 private:
  void do_read() {
    // Room for one byte more than the limit, so that an oversize message
    // shows itself; 0 lets Beast choose (no limit).
    const std::size_t max = limits_.max_message_bytes;
    const std::size_t room = max == 0 ? 0 : max + 1 - std::min(buffer_.size(), max);
    ws_.async_read_some(buffer_, room,
                        beast::bind_front_handler(&ws_session_impl::on_read, this->shared_from_this()));
  }

  void on_read(error_code ec, std::size_t /*bytes*/) {
    if (ec) {
      on_read_end(ec);
      return;
    }
    if (!closing_) accept_part();
    if (closing_) {
      // No more reads: async_close reads (and discards) up to the peer's
      // Close, and its completion ends the session. (Reading on here would
      // meet a frame async_close has already consumed.)
      buffer_.clear();
      return;
    }
    do_read();
  }

  // One more part of the current message is in buffer_.
  void accept_part() {
    if (!ws_.got_binary()) {
      ++stats_.rejected_in;
      ws_log()->warn("text frame from {} ({}): closing 1003", peer_.eid, peer_.remote);
      close_for(ws_errc::text_frame, static_cast<std::uint16_t>(websocket::close_code::unknown_data),
                "USP Records travel in binary frames");  // R-WS.14
      return;
    }
    if (limits_.max_message_bytes != 0 && buffer_.size() > limits_.max_message_bytes) {
      ++stats_.rejected_in;
      ws_log()->warn("message over {} bytes from {} ({}): closing 1009", limits_.max_message_bytes, peer_.eid,
                     peer_.remote);
      close_for(websocket::error::message_too_big, static_cast<std::uint16_t>(websocket::close_code::too_big),
                "message too big");  // RFC 6455 7.4.1
      return;
    }
    if (!ws_.is_message_done()) return;
    const auto data = buffer_.cdata();
    deliver(std::string_view(static_cast<const char*>(data.data()), data.size()));
    buffer_.consume(buffer_.size());
    // One large message should not pin its buffer for the session's life.
    if (buffer_.capacity() > kKeptBufferBytes) buffer_.shrink_to_fit();
  }

  void deliver(std::string_view record) {
    error_code sec;
    if (!scan_envelope(record, sec)) {
      ++stats_.rejected_in;
      ws_log()->warn("unextractable record from {} ({}): {}; closing 1003", peer_.eid, peer_.remote, sec.message());
      close_for(ws_errc::unextractable_record, static_cast<std::uint16_t>(websocket::close_code::unknown_data),
                "unextractable USP Record");  // R-WS.16
      return;
    }
    ++stats_.records_in;
    stats_.bytes_in += record.size();
    if (handlers_.on_record) handlers_.on_record(this->shared_from_this(), record);
  }

  void close_for(error_code why, std::uint16_t code, std::string_view text) {
    if (closing_ || finished_) return;
    close_error_ = why;
    close(code, text, false);
  }

  void do_write() {
    const std::string* front = queue_.front();
    if (!front) return;
    writing_ = true;
    ws_.async_write(boost::asio::buffer(*front),
                    beast::bind_front_handler(&ws_session_impl::on_write, this->shared_from_this()));
  }

  void on_write(error_code ec, std::size_t bytes) {
    writing_ = false;
    if (ec) {
      drop_queue();  // the read loop reports how the session ended
      return;
    }
    ++stats_.records_out;
    stats_.bytes_out += bytes;
    if (auto done = queue_.pop()) queued_bytes_ -= done->size();
    if (pending_close_ && (!drain_ || queue_.empty())) {
      start_close();
      return;
    }
    if (!queue_.empty()) do_write();
  }

  void start_close() {
    pending_close_ = false;
    close_sent_ = true;
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(close_code_), close_text_),
                    [self = this->shared_from_this()](error_code ec) {
                      if (ec) close_lowest(self->ws_);
                      // A read still pending ends too; whichever comes first reports.
                      self->on_read_end(ec ? ec : error_code(websocket::error::closed));
                    });
  }

  void drop_queue() {
    stats_.dropped_out += queue_.clear();
    queued_bytes_ = 0;
  }

  void on_read_end(const error_code& ec) {
    ws_close_info info;
    info.ec = close_error_ ? close_error_ : ec;
    info.was_open = was_open_;
    if (close_sent_) {
      info.code = close_code_;
      info.reason = close_text_;
    } else if (ec == websocket::error::closed) {
      info.code = static_cast<std::uint16_t>(ws_.reason().code);
      info.reason = std::string(sv(ws_.reason().reason));
    }
    finish(info);
  }

  void finish(const ws_close_info& info) {
    if (finished_) return;
    finished_ = true;
    open_ = false;
    drop_queue();
    auto handlers = std::move(handlers_);  // break owner <-> session cycles
    handlers_ = {};
    if (handlers.on_close) handlers.on_close(this->shared_from_this(), info);
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buffer_;
  ws_limits limits_;
  ws_handlers handlers_;
  ws_peer_info peer_;
  ws_session_stats stats_;
  bounded_queue<std::string> queue_;
  std::size_t queued_bytes_ = 0;  // of the Records in queue_
  std::chrono::steady_clock::time_point since_;
  std::shared_ptr<void> held_;
  static constexpr std::size_t kKeptBufferBytes = 64 * 1024;

  error_code close_error_;  // why we closed, when it was our decision
  std::string close_text_;
  std::uint16_t close_code_ = 1000;
  bool open_ = false;
  bool was_open_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool pending_close_ = false;
  bool close_sent_ = false;
  bool drain_ = false;
  bool finished_ = false;
  bool abandoned_ = false;
};

// The two sessions the server and the client use are compiled once each, in
// ws_session_tcp.cpp and ws_session_tls.cpp (Beast's composed operations make
// every instantiation cost minutes of compile time).
using tcp_session = ws_session_impl<beast::tcp_stream>;
using tls_session = ws_session_impl<beast::ssl_stream<beast::tcp_stream>>;
extern template class ws_session_impl<beast::tcp_stream>;
extern template class ws_session_impl<beast::ssl_stream<beast::tcp_stream>>;

// ---- server side of the opening handshake ------------------------------------

template <class NextLayer>
void refuse_upgrade(const std::shared_ptr<ws_session_impl<NextLayer>>& s, unsigned status, std::string reason) {
  auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), 11);
  res->set(http::field::content_type, "text/plain");
  res->keep_alive(false);
  res->body() = std::move(reason) + "\n";
  res->prepare_payload();
  ws_log()->info("refused WebSocket upgrade from {}: {} {}", s->peer().remote, status, res->body());
  http::async_write(s->stream().next_layer(), *res, [s, res, status](error_code, std::size_t) {
    close_lowest(s->stream());
    s->fail(make_error_code(ws_errc::upgrade_refused), status);
  });
}

// Reads the HTTP upgrade request, applies USP's rules and the owner's policy,
// and accepts (echoing v1.usp, R-WS.11) or refuses with an HTTP status.
template <class NextLayer>
void serve_upgrade(const std::shared_ptr<ws_session_impl<NextLayer>>& s, const ws_upgrade_policy& policy) {
  auto parser = std::make_shared<http::request_parser<http::empty_body>>();
  parser->header_limit(8 * 1024);
  expire_after(s->stream(), s->limits().handshake_timeout);
  http::async_read(
      s->stream().next_layer(), s->buffer(), *parser, [s, parser, policy](error_code ec, std::size_t) {
        if (ec) {
          s->fail(ec);
          return;
        }
        const auto& req = parser->get();
        if (!websocket::is_upgrade(req)) {
          refuse_upgrade(s, 426, "this is a USP WebSocket endpoint");
          return;
        }
        if (!offers_usp_subprotocol(sv(req[http::field::sec_websocket_protocol]))) {
          refuse_upgrade(s, 400, "Sec-WebSocket-Protocol must offer v1.usp (R-WS.12a)");
          return;
        }
        ws_upgrade_request r;
        r.target = sv(req.target());
        r.path = target_path(r.target);
        r.query_eid = eid_from_target(r.target);
        r.extension_eid = eid_from_extension(sv(req[http::field::sec_websocket_extensions]));
        r.remote = s->peer().remote;
        r.cert = &s->peer().cert;
        auto decision = policy(r);
        if (!decision.accept) {
          refuse_upgrade(s, decision.status, std::move(decision.reason));
          return;
        }
        auto& peer = s->mutable_peer();
        peer.eid = decision.peer_eid;
        peer.target = std::string(r.target);
        peer.legacy_extension = r.extension_eid.has_value();
        const bool answer_extension = peer.legacy_extension && !decision.own_eid.empty();
        s->stream().set_option(websocket::stream_base::decorator(
            [answer_extension, own = decision.own_eid](websocket::response_type& res) {
              res.set(http::field::sec_websocket_protocol, bsv(usp_subprotocol));  // R-WS.11
              if (answer_extension) res.set(http::field::sec_websocket_extensions, make_usp_extension(own));  // R-WS.11a
            }));
        expire_never(s->stream());
        s->stream().async_accept(req, [s, parser](error_code aec) {
          if (aec) {
            s->fail(aec);
          } else {
            s->open();
          }
        });
      });
}

// ---- client side of the opening handshake ------------------------------------

// Sends the upgrade with v1.usp (R-WS.10) and, if asked, the legacy extension;
// opens only when the server echoes v1.usp (R-WS.12). The server's legacy
// extension is read whether or not we offered it (the reference agent sends
// it unasked).
template <class NextLayer>
void client_upgrade(const std::shared_ptr<ws_session_impl<NextLayer>>& s, const std::string& host,
                    const std::string& target, const std::string& own_eid, bool legacy_extension) {
  s->mutable_peer().target = target;
  s->stream().set_option(websocket::stream_base::decorator([own_eid, legacy_extension](websocket::request_type& req) {
    req.set(http::field::sec_websocket_protocol, bsv(usp_subprotocol));
    if (legacy_extension) req.set(http::field::sec_websocket_extensions, make_usp_extension(own_eid));
  }));
  auto res = std::make_shared<websocket::response_type>();
  s->stream().async_handshake(*res, host, target, [s, res](error_code ec) {
    if (ec) {
      const unsigned status = res->result_int();
      s->fail(ec == websocket::error::upgrade_declined ? make_error_code(ws_errc::upgrade_refused) : ec,
              ec == websocket::error::upgrade_declined ? status : 0);
      return;
    }
    if (sv((*res)[http::field::sec_websocket_protocol]) != usp_subprotocol) {
      ws_log()->warn("server at {} did not echo v1.usp: closing (R-WS.12)", s->peer().remote);
      close_lowest(s->stream());
      s->fail(make_error_code(ws_errc::no_subprotocol));
      return;
    }
    if (auto eid = eid_from_extension(sv((*res)[http::field::sec_websocket_extensions]))) {
      s->mutable_peer().eid = std::move(*eid);
      s->mutable_peer().legacy_extension = true;
    }
    s->open();
  });
}

}  // namespace usp::mtp::detail

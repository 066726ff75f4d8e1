// WebSocket MTP sessions carrying USP Records (TR-369 "WebSocket Binding"),
// client and server, plain and TLS, on Boost.Beast.
//
// A session delivers each binary message that holds an extractable Record
// (checked with scan_envelope) and closes with 1003 on a text frame or on
// anything else (R-WS.14, R-WS.16). It keeps one read in flight and a bounded
// write queue, never fragments on send (R-WS.14a), reassembles on receive
// (R-WS.14b), pings after `keepalive` of silence and gives up when nothing
// (not even a Pong) arrives within a second `keepalive` (R-WS.17).
//
// Threading: a session's handlers run on the executor it was created with,
// and its member functions must be called there. Use a single-threaded
// executor (an io_context run by one thread, or a strand).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include "usp/tls.hpp"

namespace usp::mtp {

struct ws_limits {
  std::size_t max_message_bytes = 1024 * 1024;   // larger messages: close 1009
  // The write queue per session holds at most this many Records and bytes,
  // whichever is reached first: bursts of small Records fit, large ones are
  // bounded in memory.
  std::size_t max_queued_records = 4096;
  std::size_t max_queued_bytes = 4 * 1024 * 1024;
  bool close_on_overflow = false;                // else drop the new record (counted)
  std::chrono::milliseconds keepalive{std::chrono::seconds(30)};  // 0 = no pings
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(30)};
};

// Who is at the other end.
struct ws_peer_info {
  std::string eid;           // server side: ?eid= or the legacy extension; client side: server's extension
  std::string target;        // request target (path and query)
  std::string remote;        // "address:port"
  bool legacy_extension = false;  // the peer sent bbf-usp-protocol; eid=...
  peer_identity cert;        // the peer's TLS certificate, when it presented one
};

struct ws_close_info {
  boost::system::error_code ec;  // why it ended (websocket::error::closed for a clean close)
  std::uint16_t code = 0;        // close code sent or received (0 if none)
  std::string reason;
  bool was_open = false;         // false: the handshake never completed
  unsigned http_status = 0;      // client: the server's status when it refused the upgrade
};

struct ws_session_stats {
  std::uint64_t records_in = 0;
  std::uint64_t records_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t dropped_out = 0;   // write-queue overflow
  std::uint64_t rejected_in = 0;   // text frames and unextractable records
};

class ws_session {
 public:
  virtual ~ws_session() = default;
  // Queues one Record (a binary message). False when refused: queue full,
  // or the session is not open. Drops are counted in stats().
  virtual bool send(std::string record) = 0;
  // Closes with `code`; with `drain`, queued records go out first.
  virtual void close(std::uint16_t code = 1000, std::string_view reason = {}, bool drain = false) = 0;
  virtual bool is_open() const noexcept = 0;
  virtual const ws_peer_info& peer() const noexcept = 0;
  virtual std::size_t queued() const noexcept = 0;
  virtual const ws_session_stats& stats() const noexcept = 0;
  virtual std::chrono::steady_clock::time_point since() const noexcept = 0;

  // Free for the owner (e.g. the agent or routing entry this session serves).
  std::shared_ptr<void> user_data;
};

using ws_session_ptr = std::shared_ptr<ws_session>;

struct ws_handlers {
  std::function<void(const ws_session_ptr&)> on_open;
  // `record` passed scan_envelope; valid during the call only.
  std::function<void(const ws_session_ptr&, std::string_view record)> on_record;
  // Exactly once per session, also when the handshake failed.
  std::function<void(const ws_session_ptr&, const ws_close_info&)> on_close;
};

// ---- client ------------------------------------------------------------

struct ws_client_options {
  std::string url;                    // ws://host:port/path or wss://...
  std::string eid;                    // ours, sent as ?eid= (R-WS.10b)
  bool send_legacy_extension = false; // deprecated bbf-usp-protocol header (R-WS.10a)
  tls_options tls;                    // used for wss:// URLs
  // A prepared client context (shared by many sessions); built from `tls`
  // when null.
  std::shared_ptr<boost::asio::ssl::context> tls_context;
  ws_limits limits;
};

// Dials; the session opens after the 101 with v1.usp echoed (R-WS.12).
// Throws std::invalid_argument for a malformed URL and std::runtime_error
// for unusable TLS files (start-up errors).
ws_session_ptr ws_connect(boost::asio::any_io_executor ex, const ws_client_options& opts, ws_handlers handlers);

// ---- server ------------------------------------------------------------

// What a server's policy sees of an upgrade request.
struct ws_upgrade_request {
  std::string_view target;
  std::string_view path;
  std::optional<std::string> query_eid;      // R-WS.10b
  std::optional<std::string> extension_eid;  // R-WS.10a (deprecated, still honoured)
  std::string_view remote;
  const peer_identity* cert = nullptr;
};

struct ws_upgrade_decision {
  bool accept = false;
  unsigned status = 403;     // HTTP status when refused
  std::string reason;        // body of the refusal
  std::string peer_eid;      // the peer's identity for this session
  std::string own_eid;       // answered in the legacy extension when offered (R-WS.11a)
};

using ws_upgrade_policy = std::function<ws_upgrade_decision(const ws_upgrade_request&)>;

struct ws_server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                 // 0 = an ephemeral port (see ws_server::port)
  std::optional<tls_options> tls;         // wss when set
  ws_limits limits;
  std::size_t max_sessions = 100000;
  // Where accepted sessions live; defaults to the server's own executor.
  std::function<boost::asio::any_io_executor()> session_executor;
};

class ws_server {
 public:
  // Binds and starts accepting; throws std::runtime_error when it cannot bind.
  ws_server(boost::asio::any_io_executor ex, ws_server_options opts, ws_upgrade_policy policy,
            ws_handlers handlers);
  ~ws_server();
  ws_server(const ws_server&) = delete;
  ws_server& operator=(const ws_server&) = delete;

  std::uint16_t port() const noexcept;
  void stop();  // stops accepting; open sessions stay

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

// Errors of the WebSocket MTP itself.
enum class ws_errc {
  no_subprotocol = 1,   // the server did not echo v1.usp (R-WS.12)
  upgrade_refused,      // the server answered the upgrade with an HTTP error
  text_frame,           // R-WS.14
  unextractable_record, // R-WS.16
  queue_overflow,       // closed because the write queue overflowed
};
const boost::system::error_category& ws_category() noexcept;
inline boost::system::error_code make_error_code(ws_errc e) noexcept { return {static_cast<int>(e), ws_category()}; }

}  // namespace usp::mtp

template <>
struct boost::system::is_error_code_enum<usp::mtp::ws_errc> : std::true_type {};

// One E2E Session Context with one peer (TR-369 §End to End Message Exchange),
// sans I/O: calls in, Records and Msgs out, time passed in. The agent drives
// one per controller and usp-ctl one per agent; nothing here touches a socket
// or a timer, so every branch is testable with made-up time points.
//
// What a driver does:
//  - send() every serialized usp.Msg for the peer, receive() every Record
//    from it (after its own to_id/from_id routing), and put output.records on
//    the MTP in order, output.msgs to the Msg handler;
//  - call tick() at next_deadline() (expiration, establishment retry, gap
//    retransmission requests);
//  - after a DisconnectRecord it sends (outgoing_record::disconnect) on an MTP
//    that stays up, an agent sends its MTP Connect Record before any later
//    Record (R-MTP.8); a controller waits for the agent's.
//
// Where the spec is silent, we chose (each explained where it is done):
//  - a Msg outside the session under Require is not processed and the session
//    (re)starts, as the reference agent does; no Error 7101;
//  - whoever adopts a peer's start answers at once (an empty Record if it has
//    nothing to say), so the initiator's establishment retry can stop;
//  - an unanswered start is retried in a fresh session that carries the
//    unacknowledged Msgs; a restart does the same; a plain end drops them;
//  - when both ends start at once the agent keeps its own;
//  - Records of another session restart only after a run of them.
// MaxRetransmitTries defaults to 0 in the DM: then any lost Record restarts
// the session, since nothing may be retransmitted.
//
// Scope: PLAINTEXT payloads only. TLS12 payload security (R-E2E.40-43) and the
// integrity check of mac_signature (R-E2E.28-32) are not done here.
// Not thread-safe: a session belongs to one executor.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "usp/backoff.hpp"
#include "usp_record.pb.h"

namespace usp::e2e {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;

// R-E2E.3: session ids are "greater than 1".
inline constexpr std::uint64_t first_session_id = 2;
// R-E2E.8/9: a sequence_id this close to the uint64 maximum forces a new session.
inline constexpr std::uint64_t sequence_margin = 10'000;
inline constexpr std::uint64_t max_sequence_id = std::numeric_limits<std::uint64_t>::max();
// DM MaxUSPRecordSize: 0 (no segmentation) or at least 512.
inline constexpr std::uint32_t min_record_size = 512;

// Controller.{i}.E2ESession.SessionMode.
enum class session_mode : std::uint8_t {
  require,  // no Msg outside a session; setting it starts one
  allow,    // sessions the peer starts are kept; an agent never starts one
  forbid,   // a session record is answered with DisconnectRecord 7106 (R-E2E.6a)
};

// Controller.{i}.E2ESession.Status.
enum class status : std::uint8_t { down, negotiating, up };

struct config {
  std::string local_eid;
  std::string peer_eid;
  bool agent = true;  // which side we are: the spec gives the agent the last word
  session_mode mode = session_mode::allow;
  // MaxUSPRecordSize: bytes of a whole encoded Record; 0 = no segmentation.
  // 1..511 is raised to 512 (the DM minimum).
  std::uint32_t max_record_size = 0;
  std::chrono::seconds expiration{0};  // SessionExpiration, 0 = never (R-E2E.7)
  int max_retransmit_tries = 0;        // MaxRetransmitTries: -1 unlimited, 0 never, max 10
  // SessionRetryMinimumWaitInterval / SessionRetryIntervalMultiplier (R-E2E.10).
  retry_policy retry{};

  // Our own bounds and timers; the spec leaves them to the implementation.
  std::size_t max_buffered_records = 256;        // out-of-order Records held (R-E2E.20 rule 1)
  std::size_t max_buffered_bytes = 8u << 20;     // their payload bytes
  std::size_t max_message_bytes = 8u << 20;      // one reassembled Msg
  std::size_t max_kept_records = 4096;           // sent, not yet acknowledged (R-E2E.16)
  std::size_t max_kept_bytes = 8u << 20;
  std::size_t max_pending_msgs = 64;             // Msgs waiting for a session under Require
  std::chrono::milliseconds gap_wait{1000};      // a gap this old gets retransmit requests
  int max_gap_requests = 3;                      // rounds of requests before giving up (R-E2E.21)
  int max_foreign_records = 8;                   // Records of another session before a restart (R-E2E.24)
  std::uint64_t seed = 0;                        // session ids and retry jitter; 0 = random
};

struct outgoing_record {
  std::string wire;
  // A DisconnectRecord: R-MTP.8 wants the Connect Record exchange before any
  // later Record on the same MTP.
  bool disconnect = false;
};

struct ending {
  std::uint32_t code = 0;  // 7105 when we end it; the peer's reason_code when it does
  std::string reason;
};

struct output {
  std::vector<outgoing_record> records;  // for the peer, in this order
  std::vector<std::string> msgs;         // complete serialized usp.Msg payloads received, in order
  std::optional<ending> ended;           // the (first) session that ended during this call
};

// Every Record or Msg that is not delivered is counted here.
struct counters {
  std::uint64_t records_sent = 0;        // session records (new and retransmitted)
  std::uint64_t records_received = 0;    // addressed to us by the peer
  std::uint64_t msgs_sent = 0;
  std::uint64_t msgs_received = 0;
  std::uint64_t ignored = 0;             // not ours (R-E2E.1), undecodable, other record types
  std::uint64_t duplicates = 0;          // R-E2E.20 rule 2, R-E2E.25
  std::uint64_t buffered = 0;            // arrived ahead of a gap
  std::uint64_t foreign = 0;             // Records of a session we are not in (R-E2E.24)
  std::uint64_t conflicts = 0;           // a controller's start met the agent's own
  std::uint64_t retransmitted = 0;       // Records resent on request
  std::uint64_t retransmit_requests = 0; // Records we sent asking for one
  std::uint64_t failures = 0;            // R-E2E.21-24
  std::uint64_t sessions_started = 0;    // by us
  std::uint64_t sessions_adopted = 0;    // started by the peer (R-E2E.4/6)
  std::uint64_t sessions_ended = 0;
  std::uint64_t establishment_retries = 0;  // R-E2E.10/11
  std::uint64_t refused = 0;             // 7102/7104/7106 sent, or a Msg refused under Require
  std::uint64_t disconnects_sent = 0;
  std::uint64_t dropped_msgs = 0;        // pending overflow, too large, unacknowledged at an end
  std::uint64_t dropped_kept_records = 0;  // outgoing buffer overflow: no longer retransmittable
};

class session {
 public:
  explicit session(config c);

  // Starts a session (R-E2E.3): a new session_id and a first Record with
  // sequence_id 1, carrying pending Msgs or an empty payload. Nothing when a
  // session exists, under Forbid, or for an agent under Allow (the DM says it
  // never starts one).
  output start(time_point now);
  // One serialized usp.Msg: in session Records (segmented to max_record_size)
  // when a session exists or Require wants one, else in a NoSessionContextRecord.
  output send(std::string msg, time_point now);
  // A Record from the peer; the wire form decodes first (undecodable: counted).
  output receive(const usp_record::Record& record, time_point now);
  output receive(std::string_view wire, time_point now);
  // Expiration, establishment retry, retransmit requests for persisting gaps.
  output tick(time_point now);
  // E2ESession.Reset(): the session ends (7105) and, under Require, a new one starts.
  output reset(time_point now);
  // SessionMode written: Forbid ends the session, Require starts one.
  output set_mode(session_mode mode, time_point now);

  std::optional<time_point> next_deadline() const;
  status state() const noexcept { return status_; }
  std::uint64_t session_id() const noexcept { return session_id_; }  // 0 when down
  std::uint32_t retry_count() const noexcept { return retry_count_; }  // CurrentRetryCount
  const counters& counts() const noexcept { return counters_; }
  const config& settings() const noexcept { return cfg_; }

 private:
  friend struct test_access;  // lets the tests put a sequence_id near its maximum

  struct kept_record {
    std::uint64_t seq = 0;
    std::string wire;
    int retransmits = 0;
  };
  struct unacked_msg {
    std::string msg;
    std::uint64_t last_seq = 0;
  };

  // lifecycle (e2e_session.cpp)
  void begin_session(time_point now, output& out, bool retry = false);
  void adopt(std::uint64_t id, time_point now, output& out);
  void end_session(std::uint32_t code, std::string reason, bool send_disconnect, output& out);
  void restart(std::string reason, time_point now, output& out);
  bool fail(std::string reason, time_point now, output& out);
  void refuse(std::uint32_t code, std::string reason, output& out);
  void clear_session();
  void carry_unacked();
  void resume(time_point now, output& out);
  void flush_pending(time_point now, output& out);
  void hold(std::string msg);
  void expire_if_due(time_point now, output& out);
  std::uint64_t new_session_id(std::uint64_t avoid);
  void remember_left(std::uint64_t id);
  bool left_lately(std::uint64_t id) const;

  // receiving (e2e_receive.cpp)
  void on_session_record(const usp_record::Record& record, time_point now, output& out);
  void on_no_session_record(const usp_record::Record& record, time_point now, output& out);
  void on_disconnect(const usp_record::DisconnectRecord& d, time_point now, output& out);
  void on_foreign(const usp_record::SessionContextRecord& sc, time_point now, output& out);
  void in_order(const usp_record::SessionContextRecord& sc, time_point now, output& out);
  void buffer(const usp_record::SessionContextRecord& sc, time_point now, output& out);
  bool process(const usp_record::SessionContextRecord& sc, time_point now, output& out);
  // These two return why the Record failed, or "" when it did not.
  std::string_view take_payload(const usp_record::SessionContextRecord& sc, output& out);
  std::string_view retransmit(std::uint64_t seq, output& out);
  void acknowledge(std::uint64_t expected_id);
  void request_missing(time_point now, output& out);

  // sending (e2e_send.cpp)
  bool emit_msg(std::string msg, time_point now, output& out);
  void emit_wire(std::uint64_t seq, std::string wire, time_point now, output& out);
  void emit_control(std::uint64_t retransmit_id, time_point now, output& out);
  void emit_no_session(const std::string& msg, output& out);
  void emit_disconnect(std::uint32_t code, std::string_view reason, output& out);
  void keep(std::uint64_t seq, const std::string& wire);
  usp_record::Record record_template() const;

  config cfg_;
  std::mt19937_64 rng_;
  status status_ = status::down;
  bool initiated_ = false;               // we started the current session
  std::uint64_t session_id_ = 0;
  std::array<std::uint64_t, 4> left_{};  // sessions we left lately: their stragglers are stale
  std::size_t left_next_ = 0;
  std::uint64_t next_seq_ = 1;           // our next sequence_id (R-E2E.14/15)
  std::uint64_t expected_ = 1;           // the peer's next sequence_id (R-E2E.17/20)
  std::uint64_t peer_expected_ = 1;      // the peer's expected_id: ours below it are acknowledged
  std::deque<kept_record> kept_;         // R-E2E.16
  std::size_t kept_bytes_ = 0;
  std::deque<unacked_msg> unacked_;      // carried into the next session on a restart
  std::map<std::uint64_t, usp_record::SessionContextRecord> inbox_;  // R-E2E.20 rule 1
  std::size_t inbox_bytes_ = 0;
  std::optional<std::string> reassembly_;  // SAR in progress
  std::deque<std::string> pending_;        // Msgs waiting for a session
  time_point last_activity_{};
  time_point negotiation_started_{};
  std::optional<time_point> retry_at_;   // establishment retry, or the next attempt after a refusal
  std::optional<time_point> gap_at_;     // when to ask for missing Records
  int gap_rounds_ = 0;
  int foreign_run_ = 0;
  std::uint32_t retry_count_ = 0;
  counters counters_;
};

}  // namespace usp::e2e

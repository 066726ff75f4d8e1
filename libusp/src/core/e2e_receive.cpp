// E2E session: what a Record from the peer does (TR-369 §USP Record
// Reception R-E2E.20, §USP Record Retransmission, §Handling Duplicate USP
// Records, the receiving half of §SAR function algorithm).
#include <algorithm>
#include <string>

#include "usp/e2e_session.hpp"
#include "usp/err_code.hpp"
#include "usp/record.hpp"

namespace usp::e2e {
namespace {

using sc_record = usp_record::SessionContextRecord;

constexpr std::uint32_t terminated = value(err_code::session_context_terminated);  // 7105
constexpr std::size_t max_requests_per_round = 16;

std::size_t payload_bytes(const sc_record& sc) {
  std::size_t n = 0;
  for (const auto& p : sc.payload()) n += p.size();
  return n;
}

bool fields_valid(const sc_record& sc) {
  // session_id, sequence_id and expected_id are required; PLAINTEXT carries one
  // payload field per Record, and its two SAR states are equal.
  return sc.sequence_id() != 0 && sc.expected_id() != 0 && sc.payload_size() <= 1 &&
         sc_record::PayloadSARState_IsValid(sc.payload_sar_state()) &&
         sc.payload_sar_state() == sc.payloadrec_sar_state();
}

}  // namespace

output session::receive(std::string_view wire, time_point now) {
  boost::system::error_code ec;
  auto record = decode_record(wire, ec);
  if (!record) {
    ++counters_.ignored;
    return {};
  }
  return receive(*record, now);
}

output session::receive(const usp_record::Record& record, time_point now) {
  output out;
  // R-E2E.1: not addressed to us, ignored; from another endpoint, not this session's.
  if (record.to_id() != cfg_.local_eid || record.from_id() != cfg_.peer_eid) {
    ++counters_.ignored;
    return out;
  }
  ++counters_.records_received;
  expire_if_due(now, out);
  switch (record.record_type_case()) {
    case usp_record::Record::kSessionContext: on_session_record(record, now, out); break;
    case usp_record::Record::kNoSessionContext: on_no_session_record(record, now, out); break;
    case usp_record::Record::kDisconnect: on_disconnect(record.disconnect(), now, out); break;
    default: ++counters_.ignored; break;  // Connect Records belong to the MTP layer (R-MTP.6/8)
  }
  return out;
}

void session::on_disconnect(const usp_record::DisconnectRecord& d, time_point now, output& out) {
  // R-MTP.7: a DisconnectRecord clears all E2E state for the peer.
  const std::uint32_t code = d.reason_code();
  end_session(code, d.reason().empty() ? std::string(describe(code)) : d.reason(), false, out);
  if (code == value(err_code::session_context_not_allowed) && cfg_.mode == session_mode::require) {
    // The peer refuses sessions: a failed establishment, retried after the
    // R-E2E.10 wait, and on until one succeeds (R-E2E.11).
    retry_at_ = now + draw_wait(cfg_.retry, retry_count_ + 1, rng_);
  }
}

void session::on_no_session_record(const usp_record::Record& record, time_point now, output& out) {
  const auto& payload = record.no_session_context().payload();
  const std::uint32_t invalid = value(err_code::invalid_record_value);  // 7104
  // Nothing in a no-session Record can be answered with an Error (no msg_id to
  // read), so failures get the DisconnectRecord R-E2E.27 asks for.
  if (record.payload_security() != usp_record::Record::PLAINTEXT) {
    refuse(invalid, "payload_security other than PLAINTEXT needs a Session Context", out);
    return;
  }
  if (payload.empty()) {
    refuse(invalid, "NoSessionContextRecord without a payload (R-E2E.26)", out);
    return;
  }
  if (cfg_.mode == session_mode::require) {
    // Require: no Msg outside a session. The spec names no answer; like the
    // reference agent we leave the Msg unprocessed and (re)start the session so
    // the peer learns to use one. Not Error 7101: that code is about Secure
    // Message Exchange, not about session contexts.
    ++counters_.refused;
    if (status_ == status::up) {
      restart("a Msg outside the session while SessionMode is Require", now, out);
    } else if (status_ == status::down) {
      if (retry_at_) {
        resume(now, out);  // after a refusal, not before the retry time
      } else {
        begin_session(now, out);
      }
    }  // negotiating: our start is already on its way
    return;
  }
  out.msgs.push_back(payload);
  ++counters_.msgs_received;
}

void session::on_session_record(const usp_record::Record& record, time_point now, output& out) {
  const auto& sc = record.session_context();
  if (cfg_.mode == session_mode::forbid) {  // R-E2E.6a
    ++counters_.refused;
    emit_disconnect(value(err_code::session_context_not_allowed), "Session Context not allowed", out);
    return;
  }
  if (record.payload_security() != usp_record::Record::PLAINTEXT) {
    // TLS12 payload security is not implemented: 7102, the reference agent's
    // answer too. An unknown enum value is an invalid Record value (R-ENC.2).
    const bool tls = record.payload_security() == usp_record::Record::TLS12;
    refuse(tls ? value(err_code::secure_session_not_supported) : value(err_code::invalid_record_value),
           tls ? "Secure session not supported" : "unknown payload_security", out);
    return;
  }
  if (sc.session_id() < first_session_id) {  // R-E2E.3; R-E2E.24: ignore and restart
    fail("session_id below 2 (R-E2E.24)", now, out);
    return;
  }

  bool adopted = false;
  if (status_ == status::down || sc.session_id() != session_id_) {
    // §Establishing: a start is sequence_id 1 in a session we do not hold.
    // expected_id 1 says its sender has received nothing in it, which tells a
    // true start from the answer to a start we have since abandoned; and a
    // start of a session we left lately is a late copy, not a new start.
    const bool start = sc.sequence_id() == 1 && sc.expected_id() == 1;
    if (!start || (status_ != status::down && left_lately(sc.session_id()))) {
      on_foreign(sc, now, out);
      return;
    }
    if (cfg_.agent && status_ == status::negotiating) {
      // Both ends started at once. The agent keeps its own and the controller
      // adopts it; were both to adopt, each would chase the other's id forever.
      ++counters_.conflicts;
      return;
    }
    adopt(sc.session_id(), now, out);  // R-E2E.4/6
    adopted = true;
  }
  if (!fields_valid(sc)) {
    fail("invalid SessionContextRecord fields (R-E2E.21)", now, out);
    return;
  }
  if (sc.sequence_id() >= max_sequence_id - sequence_margin) {
    restart("the peer's sequence_id is near its maximum (R-E2E.8)", now, out);
    return;
  }

  const auto id = session_id_;
  in_order(sc, now, out);
  if (adopted && status_ != status::down && session_id_ == id) {
    flush_pending(now, out);  // carried over from the session this one replaced
    if (next_seq_ == 1) emit_control(0, now, out);  // so the initiator sees its session up
  }
}

void session::on_foreign(const sc_record& sc, time_point now, output& out) {
  // A Record of a session we are not in, and not a start. R-E2E.24: ignore it
  // and restart; but not at once. Records that overtook the peer's start, or
  // stragglers of a session we left, are normal: only a run of them with
  // nothing of our own session in between means the two ends lost each other
  // (every Record of our session resets the run). While our own start is
  // unanswered, stragglers of sessions we left are expected and not counted;
  // the establishment retry covers that state. Once up, or without a session,
  // they count: e.g. a DisconnectRecord overtaken by the start that followed
  // it ends the session the peer still uses, and only its Records tell us so.
  ++counters_.foreign;
  if (status_ == status::negotiating && left_lately(sc.session_id())) return;
  if (++foreign_run_ < cfg_.max_foreign_records) return;
  if (status_ != status::down) {
    fail("Records of another session (R-E2E.24)", now, out);
    return;
  }
  // We hold no session (e.g. we lost our state): get the peer out of its own.
  ++counters_.failures;
  foreign_run_ = 0;
  if (cfg_.mode == session_mode::require) {
    begin_session(now, out);
  } else {
    emit_disconnect(terminated, "Session Context terminated", out);
  }
}

void session::in_order(const sc_record& sc, time_point now, output& out) {
  const auto seq = sc.sequence_id();
  if (seq < expected_) {  // R-E2E.20 rule 2, R-E2E.25
    ++counters_.duplicates;
    return;
  }
  // A valid Record of the session: it is up, and R-E2E.12 resets the retry count.
  status_ = status::up;
  retry_count_ = 0;
  retry_at_.reset();
  foreign_run_ = 0;
  last_activity_ = now;
  if (seq > expected_) {  // R-E2E.20 rule 1
    buffer(sc, now, out);
    return;
  }
  // R-E2E.20 rule 3: this Record, then the buffered ones that follow it.
  if (!process(sc, now, out)) return;
  while (!inbox_.empty() && inbox_.begin()->first == expected_) {
    auto node = inbox_.extract(inbox_.begin());
    inbox_bytes_ -= payload_bytes(node.mapped());
    if (!process(node.mapped(), now, out)) return;
  }
  gap_rounds_ = 0;
  if (inbox_.empty()) {
    gap_at_.reset();
  } else {
    gap_at_ = now + cfg_.gap_wait;  // progress: the next gap gets its own wait
  }
}

void session::buffer(const sc_record& sc, time_point now, output& out) {
  const auto seq = sc.sequence_id();
  if (inbox_.count(seq) != 0) {  // R-E2E.25
    ++counters_.duplicates;
    return;
  }
  const auto bytes = payload_bytes(sc);
  if (seq - expected_ > cfg_.max_buffered_records || inbox_.size() >= cfg_.max_buffered_records ||
      inbox_bytes_ + bytes > cfg_.max_buffered_bytes) {
    fail("no room to buffer an out-of-order Record (R-E2E.21)", now, out);
    return;
  }
  // R-E2E.20 serves a retransmit request in order; we serve one held ahead of
  // a gap at once, since what it asks for may be what fills the gap at the
  // other end: with Records lost both ways, each side's request would
  // otherwise wait behind its own gap until both gave up. Its expected_id
  // still waits its turn: taken early it could drop a Record that an earlier
  // request, not yet processed, asks for.
  const auto wanted = sc.retransmit_id();
  inbox_.emplace(seq, sc).first->second.set_retransmit_id(0);  // not served twice
  inbox_bytes_ += bytes;
  ++counters_.buffered;
  if (!gap_at_) gap_at_ = now + cfg_.gap_wait;
  if (wanted != 0) {
    if (auto why = retransmit(wanted, out); !why.empty()) fail(std::string(why), now, out);
  }
}

bool session::process(const sc_record& sc, time_point now, output& out) {
  // R-E2E.16: the peer's expected_id acknowledges our Records below it.
  if (sc.expected_id() > next_seq_) {
    return fail("expected_id acknowledges Records never sent (R-E2E.21)", now, out);
  }
  acknowledge(sc.expected_id());
  if (auto why = take_payload(sc, out); !why.empty()) return fail(std::string(why), now, out);  // rule 3.1
  if (sc.retransmit_id() != 0) {                                                               // rule 3.2
    if (auto why = retransmit(sc.retransmit_id(), out); !why.empty()) return fail(std::string(why), now, out);
  }
  expected_ = sc.sequence_id() + 1;  // rule 4
  return true;
}

std::string_view session::take_payload(const sc_record& sc, output& out) {
  static const std::string none;
  const std::string& p = sc.payload_size() == 1 ? sc.payload(0) : none;
  const auto state = sc.payload_sar_state();
  switch (state) {
    case sc_record::NONE:
      if (p.empty()) return {};  // no Msg: a start, an acknowledgement or a retransmit request
      if (reassembly_) return "a whole Msg inside a segmented one (SAR)";
      out.msgs.push_back(p);
      ++counters_.msgs_received;
      return {};
    case sc_record::BEGIN:
      if (reassembly_) return "BEGIN before the previous segmented Msg completed (SAR)";
      reassembly_.emplace();
      break;
    case sc_record::INPROCESS:
    case sc_record::COMPLETE:
      if (!reassembly_) return "a segment without BEGIN (SAR)";
      break;
    default:
      return "unknown payload_sar_state";
  }
  if (reassembly_->size() + p.size() > cfg_.max_message_bytes) return "segmented Msg over the size limit (SAR)";
  // §SAR, receiving step 3: Records arrive here in ascending sequence_id, so
  // appending is reassembling in order.
  reassembly_->append(p);
  if (state == sc_record::COMPLETE) {  // both states COMPLETE (they are equal)
    if (!reassembly_->empty()) {
      out.msgs.push_back(std::move(*reassembly_));
      ++counters_.msgs_received;
    }
    reassembly_.reset();
  }
  return {};
}

std::string_view session::retransmit(std::uint64_t seq, output& out) {
  // §USP Record Retransmission: from the outgoing buffer, at most
  // MaxRetransmitTries times (count >= limit fails; -1 means no limit).
  auto it = std::lower_bound(kept_.begin(), kept_.end(), seq,
                             [](const kept_record& k, std::uint64_t s) { return k.seq < s; });
  if (it == kept_.end() || it->seq != seq) return "retransmit request for a Record not kept";
  if (cfg_.max_retransmit_tries >= 0 && it->retransmits >= cfg_.max_retransmit_tries) {
    return "retransmit request beyond MaxRetransmitTries";
  }
  ++it->retransmits;
  out.records.push_back(outgoing_record{it->wire, false});
  ++counters_.retransmitted;
  ++counters_.records_sent;
  return {};
}

void session::acknowledge(std::uint64_t expected_id) {
  if (expected_id <= peer_expected_) return;
  peer_expected_ = expected_id;
  while (!kept_.empty() && kept_.front().seq < expected_id) {
    kept_bytes_ -= kept_.front().wire.size();
    kept_.pop_front();
  }
  while (!unacked_.empty() && unacked_.front().last_seq < expected_id) unacked_.pop_front();
}

void session::request_missing(time_point now, output& out) {
  // §SAR receiving step 2 and §USP Record Retransmission: ask for every
  // missing Record below the highest one held, a bounded number per round.
  if (inbox_.empty()) {
    gap_at_.reset();
    return;
  }
  if (gap_rounds_ >= cfg_.max_gap_requests) {
    fail("missing Records were not retransmitted (R-E2E.21)", now, out);
    return;
  }
  ++gap_rounds_;
  const auto last = inbox_.rbegin()->first;
  std::size_t asked = 0;
  for (auto seq = expected_; seq < last && asked < max_requests_per_round; ++seq) {
    if (inbox_.count(seq) != 0) continue;
    emit_control(seq, now, out);
    ++asked;
    ++counters_.retransmit_requests;
  }
  gap_at_ = now + cfg_.gap_wait;
}

}  // namespace usp::e2e

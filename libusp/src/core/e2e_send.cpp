// E2E session: building the Records we send, and segmenting a Msg into them
// (TR-369 §Segmented Message Exchange, "SAR function algorithm").
#include <algorithm>
#include <vector>

#include <google/protobuf/io/coded_stream.h>

#include "usp/e2e_session.hpp"
#include "usp/record.hpp"

namespace usp::e2e {
namespace {

using sc_record = usp_record::SessionContextRecord;

std::size_t varint_size(std::size_t v) {
  return google::protobuf::io::CodedOutputStream::VarintSize64(v);
}

// The largest payload with which `r` (ids and SAR states set, no payload yet)
// stays within `max` bytes once encoded; 0 when not even one byte fits. The
// overhead is measured by encoding the Record with an empty payload; a payload
// of n bytes then adds n, its length prefix beyond the empty one's single
// byte, and whatever the session_context's own length prefix grows by.
std::size_t payload_capacity(usp_record::Record r, std::size_t max) {
  r.mutable_session_context()->add_payload();
  const std::size_t empty = r.ByteSizeLong();
  const std::size_t sc_empty = r.session_context().ByteSizeLong();
  if (empty >= max) return 0;
  auto size_with = [&](std::size_t n) {
    const std::size_t sc = sc_empty + n + varint_size(n) - 1;
    return empty + (sc - sc_empty) + varint_size(sc) - varint_size(sc_empty);
  };
  std::size_t n = max - empty;
  while (n > 0 && size_with(n) > max) --n;  // at most a few steps: only varints grow
  return n;
}

void set_sar(sc_record& sc, sc_record::PayloadSARState state) {
  // PLAINTEXT: one payload field per Msg, so both states are equal (§SAR
  // function algorithm, steps 4 and 5).
  sc.set_payload_sar_state(state);
  sc.set_payloadrec_sar_state(state);
}

}  // namespace

usp_record::Record session::record_template() const {
  auto r = make_record(cfg_.local_eid, cfg_.peer_eid);
  auto* sc = r.mutable_session_context();
  sc->set_session_id(session_id_);
  sc->set_expected_id(expected_);  // R-E2E.17: every Record says what we expect next
  return r;
}

void session::keep(std::uint64_t seq, const std::string& wire) {
  // R-E2E.16: kept until the peer's expected_id passes it. Bounded: past the
  // bounds the oldest goes, and a later request for it restarts the session.
  kept_.push_back(kept_record{seq, wire, 0});
  kept_bytes_ += wire.size();
  while (kept_.size() > 1 &&
         (kept_.size() > cfg_.max_kept_records || kept_bytes_ > cfg_.max_kept_bytes)) {
    kept_bytes_ -= kept_.front().wire.size();
    kept_.pop_front();
    ++counters_.dropped_kept_records;
  }
}

void session::emit_wire(std::uint64_t seq, std::string wire, time_point now, output& out) {
  keep(seq, wire);
  out.records.push_back(outgoing_record{std::move(wire), false});
  next_seq_ = seq + 1;  // R-E2E.14/15: 1, then one more per Record
  last_activity_ = now;
  ++counters_.records_sent;
}

bool session::emit_msg(std::string msg, time_point now, output& out) {
  auto r = record_template();
  auto* sc = r.mutable_session_context();
  const std::size_t max = cfg_.max_record_size;

  sc->set_sequence_id(next_seq_);
  sc->add_payload(msg);
  if (max == 0 || r.ByteSizeLong() <= max) {  // §SAR step 4.1: one Record, NONE
    const auto seq = next_seq_;
    emit_wire(seq, encode(r), now, out);
    unacked_.push_back(unacked_msg{std::move(msg), seq});
    ++counters_.msgs_sent;
    return true;
  }

  // §SAR step 3: segmented. Plan every piece first, so a Msg we cannot carry
  // (headers alone over the limit) is dropped whole rather than cut short.
  // BEGIN, INPROCESS and COMPLETE encode alike, so BEGIN measures them all.
  sc->clear_payload();
  set_sar(*sc, sc_record::BEGIN);
  std::vector<std::size_t> pieces;
  std::uint64_t seq = next_seq_;
  for (std::size_t off = 0; off < msg.size(); ++seq) {
    sc->set_sequence_id(seq);
    const std::size_t cap = payload_capacity(r, max);
    if (cap == 0) {
      ++counters_.dropped_msgs;
      return false;
    }
    pieces.push_back(std::min(cap, msg.size() - off));
    off += pieces.back();
  }

  std::size_t off = 0;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const auto state = i == 0                     ? sc_record::BEGIN
                       : i + 1 == pieces.size()   ? sc_record::COMPLETE
                                                  : sc_record::INPROCESS;
    seq = next_seq_;
    sc->set_sequence_id(seq);
    set_sar(*sc, state);
    sc->clear_payload();
    sc->add_payload(msg.data() + off, pieces[i]);
    off += pieces[i];
    emit_wire(seq, encode(r), now, out);
  }
  unacked_.push_back(unacked_msg{std::move(msg), next_seq_ - 1});
  ++counters_.msgs_sent;
  return true;
}

void session::emit_control(std::uint64_t retransmit_id, time_point now, output& out) {
  // A Record without a Msg: a session start (R-E2E.3 allows an empty payload),
  // an acknowledgement, or a retransmit request. It carries one empty payload
  // field, because the reference agent refuses session Records without
  // exactly one.
  auto r = record_template();
  auto* sc = r.mutable_session_context();
  const auto seq = next_seq_;
  sc->set_sequence_id(seq);
  sc->set_retransmit_id(retransmit_id);
  sc->add_payload();
  emit_wire(seq, encode(r), now, out);
}

void session::emit_no_session(const std::string& msg, output& out) {
  out.records.push_back(outgoing_record{make_no_session_record(cfg_.local_eid, cfg_.peer_eid, msg), false});
  ++counters_.msgs_sent;
}

void session::emit_disconnect(std::uint32_t code, std::string_view reason, output& out) {
  // R-MTP.9: reason_code and reason from the Record error table.
  out.records.push_back(
      outgoing_record{make_disconnect_record(cfg_.local_eid, cfg_.peer_eid, reason, code), true});
  ++counters_.disconnects_sent;
}

}  // namespace usp::e2e

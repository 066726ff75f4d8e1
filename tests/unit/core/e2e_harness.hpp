// Test harness for usp::e2e::session: hand-made Records, and an agent and a
// controller session wired back to back in memory, with an optional hook that
// loses Records on the way. Time only moves when a test moves it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "usp/e2e_session.hpp"
#include "usp/record.hpp"

namespace usp::e2e {

// The engine keeps its sequence counter private; tests reach it to get near
// the uint64 maximum (R-E2E.9) without sending 2^64 Records.
struct test_access {
  static void set_next_sequence_id(session& s, std::uint64_t v) { s.next_seq_ = v; }
};

namespace test {

using sar = usp_record::SessionContextRecord;
using std::chrono::milliseconds;
using std::chrono::seconds;

inline const std::string agent_eid = "os::000413-A1B2C3D4E5F6";
inline const std::string ctrl_eid = "self::acme-controller";
inline const time_point t0 = time_point{} + std::chrono::hours(1);

inline config agent_config(session_mode mode = session_mode::require) {
  config c;
  c.local_eid = agent_eid;
  c.peer_eid = ctrl_eid;
  c.agent = true;
  c.mode = mode;
  c.seed = 11;
  return c;
}

inline config ctrl_config(session_mode mode = session_mode::allow) {
  config c;
  c.local_eid = ctrl_eid;
  c.peer_eid = agent_eid;
  c.agent = false;
  c.mode = mode;
  c.seed = 22;
  return c;
}

// A real serialized usp.Msg (a Get) of about `path_len` + 30 bytes.
inline std::string make_msg(const std::string& msg_id, std::size_t path_len = 10) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(msg_id);
  m.mutable_header()->set_msg_type(usp::Header::GET);
  std::string path = "Device.";
  for (std::size_t i = 0; i < path_len; ++i) path += static_cast<char>('a' + i % 26);
  m.mutable_body()->mutable_request()->mutable_get()->add_param_paths(path + ".");
  return encode(m);
}

inline usp_record::Record decode(const std::string& wire) {
  boost::system::error_code ec;
  auto r = decode_record(wire, ec);
  EXPECT_TRUE(r) << ec.message();
  return r.value_or(usp_record::Record());
}

inline const sar& sc_of(const usp_record::Record& r) { return r.session_context(); }

// A SessionContextRecord from `from` to `to`, as a peer would send it.
struct sc_fields {
  std::uint64_t session_id = 0;
  std::uint64_t sequence_id = 0;
  std::uint64_t expected_id = 1;
  std::uint64_t retransmit_id = 0;
  sar::PayloadSARState state = sar::NONE;
  std::string payload{};
  bool with_payload_field = true;
};

inline usp_record::Record make_sc(const std::string& from, const std::string& to, const sc_fields& f) {
  auto r = make_record(from, to);
  auto* sc = r.mutable_session_context();
  sc->set_session_id(f.session_id);
  sc->set_sequence_id(f.sequence_id);
  sc->set_expected_id(f.expected_id);
  sc->set_retransmit_id(f.retransmit_id);
  sc->set_payload_sar_state(f.state);
  sc->set_payloadrec_sar_state(f.state);
  if (f.with_payload_field) sc->add_payload(f.payload);
  return r;
}

inline usp_record::Record from_ctrl(const sc_fields& f) { return make_sc(ctrl_eid, agent_eid, f); }
inline usp_record::Record from_agent(const sc_fields& f) { return make_sc(agent_eid, ctrl_eid, f); }

inline std::uint64_t seq_of(const std::string& wire) { return decode(wire).session_context().sequence_id(); }

inline config with_max(config c, std::uint32_t max) {
  c.max_record_size = max;
  return c;
}

// Every Record `wires` holds is within max, and the SAR states of each
// segmented run are BEGIN, INPROCESS..., COMPLETE with payloadrec equal.
// Retransmissions (a sequence_id seen before) are skipped.
inline void check_segments(const std::vector<std::string>& wires, std::uint32_t max) {
  bool in_run = false;
  std::uint64_t session = 0, last_seq = 0;
  for (const auto& w : wires) {
    EXPECT_LE(w.size(), max);
    const auto r = decode(w);
    if (!r.has_session_context()) continue;
    const auto& sc = r.session_context();
    if (sc.session_id() != session) {
      session = sc.session_id();
      last_seq = 0;
    }
    if (sc.sequence_id() <= last_seq) continue;
    last_seq = sc.sequence_id();
    EXPECT_EQ(sc.payload_sar_state(), sc.payloadrec_sar_state());
    switch (sc.payload_sar_state()) {
      case sar::NONE: EXPECT_FALSE(in_run); break;
      case sar::BEGIN: EXPECT_FALSE(in_run); in_run = true; break;
      case sar::INPROCESS: EXPECT_TRUE(in_run); break;
      case sar::COMPLETE: EXPECT_TRUE(in_run); in_run = false; break;
      default: ADD_FAILURE() << "unknown SAR state";
    }
  }
  EXPECT_FALSE(in_run);
}

// Agent and controller back to back. Records queue per direction and are
// delivered by pump(); `lose` drops a Record on its way (to_agent says which way).
struct peers {
  explicit peers(config a = agent_config(), config c = ctrl_config()) : agent(std::move(a)), ctrl(std::move(c)) {}

  session agent;
  session ctrl;
  time_point now = t0;
  std::deque<std::string> to_ctrl;
  std::deque<std::string> to_agent;
  std::vector<std::string> at_agent;  // Msgs the agent received
  std::vector<std::string> at_ctrl;
  std::vector<ending> agent_ended;
  std::vector<ending> ctrl_ended;
  std::vector<std::string> wire_from_agent;  // every Record the agent put on the wire
  std::vector<std::string> wire_from_ctrl;
  std::function<bool(const std::string& wire, bool to_agent)> lose;

  void take(output o, bool from_agent_side) {
    for (auto& rec : o.records) {
      (from_agent_side ? wire_from_agent : wire_from_ctrl).push_back(rec.wire);
      if (lose && lose(rec.wire, !from_agent_side)) continue;
      (from_agent_side ? to_ctrl : to_agent).push_back(std::move(rec.wire));
    }
    auto& got = from_agent_side ? at_agent : at_ctrl;
    got.insert(got.end(), o.msgs.begin(), o.msgs.end());
    if (o.ended) (from_agent_side ? agent_ended : ctrl_ended).push_back(*o.ended);
  }
  void from_agent_out(output o) { take(std::move(o), true); }
  void from_ctrl_out(output o) { take(std::move(o), false); }

  void pump() {
    for (int guard = 0; guard < 1'000'000 && (!to_ctrl.empty() || !to_agent.empty()); ++guard) {
      if (!to_ctrl.empty()) {
        auto w = std::move(to_ctrl.front());
        to_ctrl.pop_front();
        take(ctrl.receive(w, now), false);
      }
      if (!to_agent.empty()) {
        auto w = std::move(to_agent.front());
        to_agent.pop_front();
        take(agent.receive(w, now), true);
      }
    }
    ASSERT_TRUE(to_ctrl.empty() && to_agent.empty()) << "Records still bouncing";
  }

  void agent_sends(std::string msg) {
    take(agent.send(std::move(msg), now), true);
    pump();
  }
  void ctrl_sends(std::string msg) {
    take(ctrl.send(std::move(msg), now), false);
    pump();
  }
  // Moves time on and ticks both ends, as a driver would at next_deadline().
  void advance(std::chrono::milliseconds d) {
    now += d;
    take(agent.tick(now), true);
    take(ctrl.tick(now), false);
    pump();
  }
};

}  // namespace test
}  // namespace usp::e2e

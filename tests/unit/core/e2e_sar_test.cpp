// usp::e2e::session: segmentation and reassembly (§SAR function algorithm),
// out-of-order and duplicate Records (R-E2E.20, R-E2E.25), retransmission
// (§USP Record Retransmission, MaxRetransmitTries), the establishment retry
// (R-E2E.10-12), and the bounds on every buffer. The seeded runs through a
// bad link are in e2e_chaos_test.cpp.
#include <set>

#include "e2e_harness.hpp"

namespace usp::e2e {
namespace {

using namespace test;

// --- segmentation and reassembly -----------------------------------------------------------

TEST(E2eSar, ALargeMsgIsSegmentedAndReassembledExactly) {
  peers p(with_max(agent_config(), 512), with_max(ctrl_config(), 600));
  const auto big = make_msg("big-1", 5000);
  p.agent_sends(big);
  ASSERT_EQ(p.at_ctrl.size(), 1u);
  EXPECT_EQ(p.at_ctrl[0], big);
  ASSERT_GE(p.wire_from_agent.size(), 10u);
  check_segments(p.wire_from_agent, 512);
  // Records are filled: every one but the last is within a byte or two of the limit.
  for (std::size_t i = 0; i + 1 < p.wire_from_agent.size(); ++i) EXPECT_GE(p.wire_from_agent[i].size(), 510u);
  EXPECT_EQ(sc_of(decode(p.wire_from_agent.front())).payload_sar_state(), sar::BEGIN);
  EXPECT_EQ(sc_of(decode(p.wire_from_agent.back())).payload_sar_state(), sar::COMPLETE);
  // And the other way, with its own limit.
  const auto resp = make_msg("big-resp", 3000);
  p.ctrl_sends(resp);
  ASSERT_EQ(p.at_agent.size(), 1u);
  EXPECT_EQ(p.at_agent[0], resp);
  check_segments(p.wire_from_ctrl, 600);
}

TEST(E2eSar, EverySizeAroundTheLimitFits) {
  // From one Record (NONE) to several, byte by byte, with long endpoint ids:
  // the header overhead is measured, never guessed.
  auto a = with_max(agent_config(), 512);
  auto c = ctrl_config();
  a.local_eid = c.peer_eid = "os::000413-" + std::string(53, 'A');
  a.peer_eid = c.local_eid = "self::" + std::string(58, 'c');
  a.max_kept_records = 100000;
  peers p(a, c);
  std::vector<std::string> sent;
  bool saw_exact_single = false;
  for (std::size_t len = 200; len < 1400; ++len) {
    sent.push_back(make_msg("m", len));
    const auto before = p.wire_from_agent.size();
    p.agent_sends(sent.back());
    const auto n = p.wire_from_agent.size() - before;
    ASSERT_GE(n, 1u);
    if (n == 1 && p.wire_from_agent.back().size() == 512) saw_exact_single = true;
  }
  EXPECT_TRUE(saw_exact_single) << "a Msg that fills a Record exactly travels in one";
  EXPECT_EQ(p.at_ctrl, sent);
  check_segments(p.wire_from_agent, 512);
}

TEST(E2eSar, SmallLimitsAreRaisedTo512) {
  session s(with_max(agent_config(), 100));
  EXPECT_EQ(s.settings().max_record_size, 512u);
  session off(with_max(agent_config(), 0));
  auto out = off.send(make_msg("big", 20000), t0);
  ASSERT_EQ(out.records.size(), 1u) << "0 = no segmentation";
}

TEST(E2eSar, AMsgWhoseHeadersAloneExceedTheLimitIsDropped) {
  auto a = with_max(agent_config(), 512);
  a.peer_eid = "self::" + std::string(600, 'c');
  session s(a);
  s.start(t0);
  auto out = s.send(make_msg("m"), t0);
  EXPECT_TRUE(out.records.empty());
  EXPECT_EQ(s.counts().dropped_msgs, 1u);
}

TEST(E2eSar, SarViolationsRestartTheSession) {
  auto setup = [](peers& p) {
    p.agent_sends(make_msg("boot-1"));
    return p.agent.session_id();
  };
  struct bad_case {
    const char* what;
    std::vector<std::pair<sar::PayloadSARState, std::string>> records;
  };
  const std::vector<bad_case> cases = {
      {"INPROCESS without BEGIN", {{sar::INPROCESS, "x"}}},
      {"COMPLETE without BEGIN", {{sar::COMPLETE, "x"}}},
      {"BEGIN twice", {{sar::BEGIN, "x"}, {sar::BEGIN, "y"}}},
      {"a whole Msg inside a segmented one", {{sar::BEGIN, "x"}, {sar::NONE, "y"}}},
  };
  for (const auto& c : cases) {
    peers p;
    const auto id = setup(p);
    std::uint64_t seq = 2;
    for (const auto& [state, payload] : c.records) {
      p.agent.receive(from_ctrl({.session_id = id, .sequence_id = seq++, .expected_id = 2, .state = state, .payload = payload}), p.now);
    }
    EXPECT_EQ(p.agent.counts().failures, 1u) << c.what;
    EXPECT_NE(p.agent.session_id(), id) << c.what;
  }
}

TEST(E2eSar, ControlRecordsMayComeBetweenSegments) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  p.agent.receive(from_ctrl({.session_id = id, .sequence_id = 2, .expected_id = 2, .state = sar::BEGIN, .payload = "abc"}), p.now);
  p.agent.receive(from_ctrl({.session_id = id, .sequence_id = 3, .expected_id = 2}), p.now);
  p.agent.receive(from_ctrl({.session_id = id, .sequence_id = 4, .expected_id = 2, .with_payload_field = false}), p.now);
  auto out = p.agent.receive(from_ctrl({.session_id = id, .sequence_id = 5, .expected_id = 2, .state = sar::COMPLETE, .payload = "def"}), p.now);
  ASSERT_EQ(out.msgs.size(), 1u);
  EXPECT_EQ(out.msgs[0], "abcdef");
  EXPECT_EQ(p.agent.counts().failures, 0u);
}

TEST(E2eSar, AReassembledMsgOverTheLimitRestarts) {
  auto a = agent_config();
  a.max_message_bytes = 1000;
  peers p(a);
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  p.agent.receive(from_ctrl({.session_id = id, .sequence_id = 2, .expected_id = 2, .state = sar::BEGIN, .payload = std::string(600, 'x')}), p.now);
  p.agent.receive(from_ctrl({.session_id = id, .sequence_id = 3, .expected_id = 2, .state = sar::INPROCESS, .payload = std::string(600, 'x')}), p.now);
  EXPECT_EQ(p.agent.counts().failures, 1u);
}

// --- out of order, duplicates (R-E2E.20, R-E2E.25) ----------------------------------------

TEST(E2eOrder, OutOfOrderRecordsAreHeldAndDeliveredInOrder) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  std::vector<std::string> wires;
  for (int i = 0; i < 3; ++i) {
    auto out = p.agent.send(make_msg("n-" + std::to_string(i)), p.now);
    ASSERT_EQ(out.records.size(), 1u);
    wires.push_back(out.records[0].wire);
  }
  EXPECT_TRUE(p.ctrl.receive(wires[2], p.now).msgs.empty());
  EXPECT_TRUE(p.ctrl.receive(wires[1], p.now).msgs.empty());
  EXPECT_EQ(p.ctrl.counts().buffered, 2u);
  EXPECT_TRUE(p.ctrl.next_deadline()) << "a gap is being watched";
  auto out = p.ctrl.receive(wires[0], p.now);
  ASSERT_EQ(out.msgs.size(), 3u);
  EXPECT_EQ(out.msgs[0], make_msg("n-0"));
  EXPECT_EQ(out.msgs[1], make_msg("n-1"));
  EXPECT_EQ(out.msgs[2], make_msg("n-2"));
  EXPECT_FALSE(p.ctrl.next_deadline()) << "no gap left";
}

TEST(E2eOrder, DuplicatesAreIgnored) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  std::vector<std::string> wires;
  for (int i = 0; i < 3; ++i) wires.push_back(p.agent.send(make_msg("n-" + std::to_string(i)), p.now).records[0].wire);
  EXPECT_EQ(p.ctrl.receive(wires[0], p.now).msgs.size(), 1u);
  EXPECT_TRUE(p.ctrl.receive(wires[0], p.now).msgs.empty());  // already processed
  EXPECT_TRUE(p.ctrl.receive(wires[2], p.now).msgs.empty());
  EXPECT_TRUE(p.ctrl.receive(wires[2], p.now).msgs.empty());  // already held
  EXPECT_EQ(p.ctrl.receive(wires[1], p.now).msgs.size(), 2u);
  EXPECT_EQ(p.ctrl.counts().duplicates, 2u);
  EXPECT_EQ(p.ctrl.counts().msgs_received, 4u);
  EXPECT_EQ(p.ctrl.counts().failures, 0u);
}

TEST(E2eOrder, NoRoomToBufferRestarts) {
  auto c = ctrl_config();
  c.max_buffered_records = 4;
  peers p(agent_config(), c);
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.ctrl.session_id();
  // Too far ahead of what is expected (R-E2E.21: cannot buffer).
  p.ctrl.receive(from_agent({.session_id = id, .sequence_id = 10, .expected_id = 2, .payload = "x"}), p.now);
  EXPECT_EQ(p.ctrl.counts().failures, 1u);
  EXPECT_EQ(p.ctrl.state(), status::down) << "a controller under Allow only ends it";
  // Too many bytes.
  auto c2 = ctrl_config();
  c2.max_buffered_bytes = 100;
  peers q(agent_config(), c2);
  q.agent_sends(make_msg("boot-1"));
  q.ctrl.receive(from_agent({.session_id = q.ctrl.session_id(), .sequence_id = 3, .expected_id = 2, .payload = std::string(200, 'x')}), q.now);
  EXPECT_EQ(q.ctrl.counts().failures, 1u);
}

// --- retransmission ------------------------------------------------------------------------

TEST(E2eRetransmit, ALostSegmentIsRecoveredByARetransmitRequest) {
  auto a = with_max(agent_config(), 512);
  a.max_retransmit_tries = 2;
  peers p(a, ctrl_config());
  bool lost = false;
  p.lose = [&lost](const std::string& w, bool to_agent) {
    if (to_agent || lost || seq_of(w) != 3) return false;
    return lost = true;
  };
  const auto big = make_msg("big-1", 4000);
  p.agent_sends(big);
  EXPECT_TRUE(p.at_ctrl.empty());
  EXPECT_GT(p.ctrl.counts().buffered, 0u);
  const auto deadline = p.ctrl.next_deadline();
  ASSERT_TRUE(deadline);
  EXPECT_EQ(*deadline, p.now + p.ctrl.settings().gap_wait);
  p.advance(p.ctrl.settings().gap_wait);
  ASSERT_EQ(p.at_ctrl.size(), 1u);
  EXPECT_EQ(p.at_ctrl[0], big);
  EXPECT_EQ(p.ctrl.counts().retransmit_requests, 1u);
  EXPECT_EQ(p.agent.counts().retransmitted, 1u);
  const auto req = decode(p.wire_from_ctrl.back());
  EXPECT_EQ(sc_of(req).retransmit_id(), 3u);
  EXPECT_EQ(sc_of(req).expected_id(), 3u);
  EXPECT_FALSE(p.ctrl.next_deadline());
}

TEST(E2eRetransmit, SeveralGapsAreRequestedInOneRoundAndLostRequestsRepeated) {
  auto a = with_max(agent_config(), 512);
  a.max_retransmit_tries = -1;
  auto c = ctrl_config();
  c.max_retransmit_tries = -1;  // its lost request leaves the agent a gap to ask about
  peers p(a, c);
  std::set<std::uint64_t> lose_once = {3, 5, 6};
  int lost_requests = 0;
  p.lose = [&](const std::string& w, bool to_agent) {
    const auto r = decode(w);
    if (to_agent) {  // the controller's first request is lost too
      return sc_of(r).retransmit_id() != 0 && lost_requests++ == 0;
    }
    return lose_once.erase(sc_of(r).sequence_id()) != 0;
  };
  const auto big = make_msg("big-1", 5000);
  p.agent_sends(big);
  p.advance(p.ctrl.settings().gap_wait);  // asks for 3, 5, 6: the request for 3 is lost
  EXPECT_TRUE(p.at_ctrl.empty());
  p.advance(p.ctrl.settings().gap_wait);
  ASSERT_EQ(p.at_ctrl.size(), 1u);
  EXPECT_EQ(p.at_ctrl[0], big);
  EXPECT_EQ(p.ctrl.counts().failures, 0u);
}

TEST(E2eRetransmit, AGapThatIsNeverFilledRestarts) {
  auto a = with_max(agent_config(), 512);
  a.max_retransmit_tries = -1;
  peers p(a, ctrl_config());
  p.lose = [](const std::string& w, bool to_agent) { return !to_agent && decode(w).has_session_context() && seq_of(w) == 3; };
  p.agent_sends(make_msg("big-1", 3000));
  for (int i = 0; i < p.ctrl.settings().max_gap_requests; ++i) p.advance(p.ctrl.settings().gap_wait);
  EXPECT_EQ(p.ctrl.counts().failures, 0u);
  EXPECT_EQ(p.ctrl.counts().retransmit_requests, 3u);
  p.advance(p.ctrl.settings().gap_wait);  // R-E2E.21
  EXPECT_EQ(p.ctrl.counts().failures, 1u);
  ASSERT_FALSE(p.ctrl_ended.empty());
  EXPECT_NE(p.ctrl_ended.back().reason.find("not retransmitted"), std::string::npos);
  EXPECT_EQ(p.ctrl.state(), status::down);
  EXPECT_EQ(p.agent.state(), status::down) << "told with 7105";
}

TEST(E2eRetransmit, MaxRetransmitTriesLimitsResends) {
  for (int tries : {0, 1, 3}) {
    auto a = agent_config();
    a.max_retransmit_tries = tries;
    peers p(a);
    p.agent_sends(make_msg("boot-1"));
    const auto id = p.agent.session_id();
    const auto msg = make_msg("n-1");
    ASSERT_EQ(p.agent.send(msg, p.now).records.size(), 1u);  // the agent's Record 2, unacknowledged
    std::uint64_t seq = 2;
    for (int i = 0; i < tries; ++i) {
      auto out = p.agent.receive(from_ctrl({.session_id = id, .sequence_id = seq++, .expected_id = 2, .retransmit_id = 2}), p.now);
      ASSERT_EQ(out.records.size(), 1u) << tries;
      EXPECT_EQ(sc_of(decode(out.records[0].wire)).sequence_id(), 2u);
    }
    // One more is a failure: restart, carrying the unacknowledged Msg.
    auto out = p.agent.receive(from_ctrl({.session_id = id, .sequence_id = seq, .expected_id = 2, .retransmit_id = 2}), p.now);
    EXPECT_EQ(p.agent.counts().failures, 1u) << tries;
    EXPECT_NE(p.agent.session_id(), id);
    ASSERT_TRUE(out.ended);
    EXPECT_NE(out.ended->reason.find("MaxRetransmitTries"), std::string::npos);
    ASSERT_EQ(out.records.size(), 2u);
    EXPECT_TRUE(out.records[0].disconnect);
    EXPECT_EQ(sc_of(decode(out.records[1].wire)).payload(0), msg);
    EXPECT_EQ(p.agent.counts().retransmitted, static_cast<std::uint64_t>(tries));
  }
}

TEST(E2eRetransmit, UnlimitedTries) {
  auto a = agent_config();
  a.max_retransmit_tries = -1;
  peers p(a);
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  p.agent.send(make_msg("n-1"), p.now);
  for (std::uint64_t seq = 2; seq < 30; ++seq) {
    EXPECT_EQ(p.agent.receive(from_ctrl({.session_id = id, .sequence_id = seq, .expected_id = 2, .retransmit_id = 2}), p.now).records.size(), 1u);
  }
  EXPECT_EQ(p.agent.counts().failures, 0u);
}

TEST(E2eRetransmit, ARequestForARecordNoLongerKeptRestarts) {
  auto a = agent_config();
  a.max_retransmit_tries = 5;
  peers p(a);
  p.agent_sends(make_msg("boot-1"));  // acknowledged by the controller's answer
  const auto id = p.agent.session_id();
  p.agent.receive(from_ctrl({.session_id = id, .sequence_id = 2, .expected_id = 2, .retransmit_id = 1}), p.now);
  EXPECT_EQ(p.agent.counts().failures, 1u);
  EXPECT_NE(p.agent.session_id(), id);
}

// --- establishment retry (R-E2E.10-12) --------------------------------------------------

TEST(E2eRetry, AnUnansweredStartIsRetriedInTheR_E2E_10Windows) {
  peers p;
  bool blackhole = true;
  p.lose = [&blackhole](const std::string&, bool) { return blackhole; };
  const auto boot = make_msg("boot-1");
  p.agent_sends(boot);
  std::uint64_t id = p.agent.session_id();
  const std::int64_t lo[] = {5, 10, 20};
  for (int n = 0; n < 3; ++n) {
    const auto d = p.agent.next_deadline();
    ASSERT_TRUE(d);
    EXPECT_GE(*d - p.now, seconds(lo[n])) << n;
    EXPECT_LE(*d - p.now, seconds(2 * lo[n])) << n;
    if (n == 2) blackhole = false;
    p.advance(std::chrono::duration_cast<milliseconds>(*d - p.now));
    if (n < 2) {
      EXPECT_EQ(p.agent.retry_count(), static_cast<std::uint32_t>(n + 1));
      EXPECT_NE(p.agent.session_id(), id) << "each retry is a fresh session";
      id = p.agent.session_id();
      // It carries the Msg the unanswered start held.
      EXPECT_EQ(sc_of(decode(p.wire_from_agent.back())).payload(0), boot);
    }
  }
  EXPECT_EQ(p.agent.state(), status::up);
  EXPECT_EQ(p.agent.retry_count(), 0u);  // R-E2E.12
  EXPECT_EQ(p.at_ctrl, std::vector<std::string>{boot});
  EXPECT_EQ(p.agent.counts().establishment_retries, 3u);
}

TEST(E2eRetry, RetriesStopAtSessionExpiration) {
  auto a = agent_config();
  a.expiration = seconds(60);
  peers p(a);
  p.lose = [](const std::string&, bool) { return true; };
  p.agent_sends(make_msg("boot-1"));
  const auto started = p.now;
  for (int i = 0; i < 20 && p.agent.state() != status::down; ++i) {
    p.advance(std::chrono::duration_cast<milliseconds>(*p.agent.next_deadline() - p.now));
  }
  EXPECT_EQ(p.agent.state(), status::down);
  EXPECT_EQ(p.now - started, seconds(60));  // R-E2E.11
  ASSERT_FALSE(p.agent_ended.empty());
  EXPECT_NE(p.agent_ended.back().reason.find("R-E2E.11"), std::string::npos);
}

// --- bounds -------------------------------------------------------------------------------

TEST(E2eBounds, TheOutgoingBufferIsBounded) {
  auto a = agent_config();
  a.max_kept_records = 8;
  a.max_retransmit_tries = -1;
  peers p(a);
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  for (int i = 0; i < 20; ++i) p.agent.send(make_msg("n-" + std::to_string(i)), p.now);  // never acknowledged
  EXPECT_EQ(p.agent.counts().dropped_kept_records, 12u);
  // The newest are still there; an old one is gone, and asking for it restarts.
  EXPECT_EQ(p.agent.receive(from_ctrl({.session_id = id, .sequence_id = 2, .expected_id = 2, .retransmit_id = 21}), p.now).records.size(), 1u);
  p.agent.receive(from_ctrl({.session_id = id, .sequence_id = 3, .expected_id = 2, .retransmit_id = 5}), p.now);
  EXPECT_EQ(p.agent.counts().failures, 1u);
}

TEST(E2eBounds, MsgsWaitingForASessionAreBounded) {
  auto a = agent_config(session_mode::require);
  a.max_pending_msgs = 10;
  peers p(a, ctrl_config(session_mode::forbid));
  p.agent_sends(make_msg("boot-1"));  // refused with 7106: the agent waits for its retry
  for (int i = 0; i < 15; ++i) p.agent_sends(make_msg("n-" + std::to_string(i)));
  EXPECT_EQ(p.agent.counts().dropped_msgs, 5u);
}

}  // namespace
}  // namespace usp::e2e

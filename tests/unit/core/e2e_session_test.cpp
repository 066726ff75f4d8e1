// usp::e2e::session: starting, exchanging in, ending and restarting E2E
// Session Contexts (TR-369 §End to End Message Exchange), an agent and a
// controller back to back plus hand-made Records for every branch.
// Segmentation, retransmission and buffering are in e2e_sar_test.cpp.
#include "e2e_harness.hpp"

#include "usp/err_code.hpp"

namespace usp::e2e {
namespace {

using namespace test;

// --- starting (R-E2E.3-6, R-E2E.14/15/17) ---------------------------------------------

TEST(E2eStart, FirstMsgStartsTheSessionUnderRequire) {
  session agent(agent_config(session_mode::require));
  const auto msg = make_msg("boot-1");
  auto out = agent.send(msg, t0);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_FALSE(out.records[0].disconnect);
  const auto r = decode(out.records[0].wire);
  ASSERT_TRUE(r.has_session_context());
  EXPECT_EQ(r.from_id(), agent_eid);
  EXPECT_EQ(r.to_id(), ctrl_eid);
  EXPECT_EQ(r.payload_security(), usp_record::Record::PLAINTEXT);
  const auto& sc = r.session_context();
  EXPECT_GE(sc.session_id(), first_session_id);  // R-E2E.3
  EXPECT_EQ(sc.sequence_id(), 1u);               // R-E2E.14
  EXPECT_EQ(sc.expected_id(), 1u);               // R-E2E.17
  EXPECT_EQ(sc.payload_sar_state(), sar::NONE);
  ASSERT_EQ(sc.payload_size(), 1);
  EXPECT_EQ(sc.payload(0), msg);
  EXPECT_EQ(agent.state(), status::negotiating);
  EXPECT_EQ(agent.session_id(), sc.session_id());
}

TEST(E2eStart, ControllerAdoptsAndAcknowledges) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  EXPECT_EQ(p.at_ctrl.size(), 1u);
  EXPECT_EQ(p.ctrl.state(), status::up);  // R-E2E.4
  EXPECT_EQ(p.agent.state(), status::up);
  EXPECT_EQ(p.ctrl.session_id(), p.agent.session_id());
  // The controller had nothing to say, so it answered with an empty Record:
  // its sequence_id 1, expecting the agent's 2.
  ASSERT_EQ(p.wire_from_ctrl.size(), 1u);
  const auto ack = decode(p.wire_from_ctrl[0]);
  EXPECT_EQ(sc_of(ack).sequence_id(), 1u);
  EXPECT_EQ(sc_of(ack).expected_id(), 2u);
  ASSERT_EQ(sc_of(ack).payload_size(), 1);  // one empty payload, as the reference agent wants
  EXPECT_TRUE(sc_of(ack).payload(0).empty());
  EXPECT_EQ(p.ctrl.counts().sessions_adopted, 1u);
  EXPECT_EQ(p.agent.counts().sessions_started, 1u);
}

TEST(E2eStart, StartSendsAnEmptyFirstRecord) {
  session agent(agent_config(session_mode::require));
  auto out = agent.start(t0);
  ASSERT_EQ(out.records.size(), 1u);
  const auto r = decode(out.records[0].wire);
  EXPECT_EQ(sc_of(r).sequence_id(), 1u);
  ASSERT_EQ(sc_of(r).payload_size(), 1);
  EXPECT_TRUE(sc_of(r).payload(0).empty());
  EXPECT_TRUE(agent.start(t0).records.empty()) << "one session per peer (R-E2E.5)";
}

TEST(E2eStart, WhoMayStart) {
  // The DM: an agent under Allow never starts a session; nobody does under Forbid.
  session agent_allow(agent_config(session_mode::allow));
  EXPECT_TRUE(agent_allow.start(t0).records.empty());
  EXPECT_EQ(agent_allow.state(), status::down);
  session agent_forbid(agent_config(session_mode::forbid));
  EXPECT_TRUE(agent_forbid.start(t0).records.empty());
  session ctrl_forbid(ctrl_config(session_mode::forbid));
  EXPECT_TRUE(ctrl_forbid.start(t0).records.empty());
  // A controller under Allow may: usp-ctl decides.
  session ctrl_allow(ctrl_config(session_mode::allow));
  EXPECT_EQ(ctrl_allow.start(t0).records.size(), 1u);
  EXPECT_EQ(ctrl_allow.state(), status::negotiating);
}

TEST(E2eStart, ControllerStartsAndAgentUnderAllowAdopts) {
  peers p(agent_config(session_mode::allow), ctrl_config(session_mode::allow));
  p.from_ctrl_out(p.ctrl.start(p.now));
  p.pump();
  EXPECT_EQ(p.agent.state(), status::up);
  EXPECT_EQ(p.ctrl.state(), status::up);
  EXPECT_EQ(p.agent.session_id(), p.ctrl.session_id());
  p.ctrl_sends(make_msg("get-1"));
  p.agent_sends(make_msg("get-resp-1"));
  EXPECT_EQ(p.at_agent.size(), 1u);
  EXPECT_EQ(p.at_ctrl.size(), 1u);
}

TEST(E2eStart, SessionIdsDifferAcrossSessionsAndSeeds) {
  session a(agent_config());
  a.start(t0);
  const auto first = a.session_id();
  a.reset(t0);
  EXPECT_NE(a.session_id(), first);
  EXPECT_GE(a.session_id(), first_session_id);
  auto c = agent_config();
  c.seed = 12345;
  session b(c);
  b.start(t0);
  EXPECT_NE(b.session_id(), first);
}

TEST(E2eStart, SimultaneousStartsSettleOnTheAgentsSession) {
  // Both Require, both start at once: the agent keeps its own, the controller
  // adopts it. (Both adopting would swap ids forever.)
  peers p(agent_config(session_mode::require), ctrl_config(session_mode::require));
  p.from_agent_out(p.agent.start(p.now));
  p.from_ctrl_out(p.ctrl.start(p.now));
  const auto agent_id = p.agent.session_id();
  p.pump();
  EXPECT_EQ(p.agent.session_id(), agent_id);
  EXPECT_EQ(p.ctrl.session_id(), agent_id);
  EXPECT_EQ(p.agent.state(), status::up);
  EXPECT_EQ(p.ctrl.state(), status::up);
  EXPECT_EQ(p.agent.counts().conflicts, 1u);
  p.ctrl_sends(make_msg("get-1"));
  EXPECT_EQ(p.at_agent.size(), 1u);
}

// --- exchanging (R-E2E.14-17, R-E2E.20) ------------------------------------------------

TEST(E2eExchange, ManyMsgsBothWaysInOrderWithConsecutiveIds) {
  peers p;
  std::vector<std::string> to_ctrl, to_agent;
  for (int i = 0; i < 60; ++i) {
    to_ctrl.push_back(make_msg("a-" + std::to_string(i), static_cast<std::size_t>(i)));
    p.agent_sends(to_ctrl.back());
    if (i % 3 != 0) {
      to_agent.push_back(make_msg("c-" + std::to_string(i)));
      p.ctrl_sends(to_agent.back());
    }
  }
  EXPECT_EQ(p.at_ctrl, to_ctrl);
  EXPECT_EQ(p.at_agent, to_agent);
  // R-E2E.14/15: 1, 2, 3... per sender; R-E2E.17: expected_id on every one.
  auto check = [](const std::vector<std::string>& wires) {
    std::uint64_t seq = 1;
    for (const auto& w : wires) {
      const auto r = decode(w);
      ASSERT_TRUE(r.has_session_context());
      EXPECT_EQ(sc_of(r).sequence_id(), seq++);
      EXPECT_GE(sc_of(r).expected_id(), 1u);
    }
  };
  check(p.wire_from_agent);
  check(p.wire_from_ctrl);
  // The last Record each side sent acknowledges everything it had received.
  EXPECT_EQ(sc_of(decode(p.wire_from_ctrl.back())).expected_id(), p.wire_from_agent.size() + 1);
  EXPECT_EQ(p.agent.counts().duplicates + p.ctrl.counts().duplicates, 0u);
  EXPECT_EQ(p.agent.counts().failures + p.ctrl.counts().failures, 0u);
}

TEST(E2eExchange, ForeignRecordsAreIgnored) {
  session agent(agent_config());
  auto r = from_ctrl({.session_id = 7, .sequence_id = 1, .payload = make_msg("x")});
  r.set_to_id("os::000413-OTHER");  // R-E2E.1
  EXPECT_TRUE(agent.receive(r, t0).records.empty());
  r.set_to_id(agent_eid);
  r.set_from_id("self::someone-else");  // not this session's peer
  EXPECT_TRUE(agent.receive(r, t0).records.empty());
  EXPECT_TRUE(agent.receive(std::string_view("\xff\xff garbage", 10), t0).records.empty());
  auto connect = make_record(ctrl_eid, agent_eid);
  connect.mutable_websocket_connect();
  EXPECT_TRUE(agent.receive(connect, t0).records.empty());
  EXPECT_EQ(agent.counts().ignored, 4u);
  EXPECT_EQ(agent.state(), status::down);
}

TEST(E2eExchange, NoSessionRecordsOutsideRequire) {
  session agent(agent_config(session_mode::allow));
  const auto msg = make_msg("notify-1");
  auto out = agent.send(msg, t0);
  ASSERT_EQ(out.records.size(), 1u);
  const auto r = decode(out.records[0].wire);
  ASSERT_TRUE(r.has_no_session_context());
  EXPECT_EQ(r.no_session_context().payload(), msg);
  // ... and received ones are delivered.
  auto in = agent.receive(decode(make_no_session_record(ctrl_eid, agent_eid, msg)), t0);
  ASSERT_EQ(in.msgs.size(), 1u);
  EXPECT_EQ(in.msgs[0], msg);
  EXPECT_TRUE(agent.send("", t0).records.empty()) << "a Msg is never empty";
}

TEST(E2eExchange, AllowKeepsTheSessionWhenThePeerAnswersWithoutOne) {
  // A reply to a request sent before the session came up travels without one.
  peers p(agent_config(session_mode::allow), ctrl_config(session_mode::allow));
  p.from_ctrl_out(p.ctrl.start(p.now));
  p.pump();
  auto out = p.ctrl.receive(decode(make_no_session_record(agent_eid, ctrl_eid, make_msg("resp"))), p.now);
  EXPECT_EQ(out.msgs.size(), 1u);
  EXPECT_EQ(p.ctrl.state(), status::up);
}

// --- modes: Forbid (R-E2E.6a), Require ---------------------------------------------------

TEST(E2eModes, ForbidAnswersASessionRecordWith7106) {
  peers p(agent_config(session_mode::forbid), ctrl_config(session_mode::require));
  p.from_ctrl_out(p.ctrl.start(p.now));
  p.pump();
  ASSERT_EQ(p.wire_from_agent.size(), 1u);
  const auto d = decode(p.wire_from_agent[0]);
  ASSERT_TRUE(d.has_disconnect());
  EXPECT_EQ(d.disconnect().reason_code(), value(err_code::session_context_not_allowed));
  EXPECT_EQ(p.agent.state(), status::down);
  EXPECT_EQ(p.agent.counts().refused, 1u);
  // The controller learns it: the session ended with 7106, and (Require) it
  // tries again only after the R-E2E.10 wait.
  ASSERT_EQ(p.ctrl_ended.size(), 1u);
  EXPECT_EQ(p.ctrl_ended[0].code, 7106u);
  EXPECT_EQ(p.ctrl.state(), status::down);
  const auto retry = p.ctrl.next_deadline();
  ASSERT_TRUE(retry);
  EXPECT_GE(*retry, p.now + seconds(5));
  EXPECT_LE(*retry, p.now + seconds(10));
  // Msgs wait for the session meanwhile.
  EXPECT_TRUE(p.ctrl.send(make_msg("get-1"), p.now).records.empty());
  p.now = *retry;
  p.from_ctrl_out(p.ctrl.tick(p.now));
  EXPECT_EQ(p.ctrl.retry_count(), 1u);
  ASSERT_EQ(p.to_agent.size(), 1u);
  EXPECT_EQ(sc_of(decode(p.to_agent.front())).payload(0), make_msg("get-1"));
  p.pump();
  EXPECT_EQ(p.ctrl_ended.size(), 2u);
  EXPECT_TRUE(p.at_agent.empty());
}

TEST(E2eModes, RequireRefusesAMsgOutsideTheSession) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  auto out = p.agent.receive(decode(make_no_session_record(ctrl_eid, agent_eid, make_msg("get-1"))), p.now);
  EXPECT_TRUE(out.msgs.empty());
  EXPECT_EQ(p.agent.counts().refused, 1u);
  // Like the reference agent: the session restarts (7105, then a new start),
  // so the controller learns to use one.
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_TRUE(out.records[0].disconnect);
  EXPECT_EQ(decode(out.records[0].wire).disconnect().reason_code(), 7105u);
  EXPECT_EQ(sc_of(decode(out.records[1].wire)).sequence_id(), 1u);
  EXPECT_NE(p.agent.session_id(), id);
  // With no session at all, it just starts one.
  session fresh(agent_config(session_mode::require));
  out = fresh.receive(decode(make_no_session_record(ctrl_eid, agent_eid, make_msg("get-2"))), t0);
  EXPECT_TRUE(out.msgs.empty());
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(fresh.state(), status::negotiating);
}

TEST(E2eModes, SettingModes) {
  peers p(agent_config(session_mode::allow), ctrl_config(session_mode::allow));
  // Setting Require starts a session (the DM).
  p.from_agent_out(p.agent.set_mode(session_mode::require, p.now));
  p.pump();
  EXPECT_EQ(p.agent.state(), status::up);
  // Setting Forbid ends it with 7105 (R-E2E.6b), and Msgs go without one.
  auto out = p.agent.set_mode(session_mode::forbid, p.now);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(decode(out.records[0].wire).disconnect().reason_code(), 7105u);
  ASSERT_TRUE(out.ended);
  EXPECT_EQ(p.agent.state(), status::down);
  p.from_agent_out(std::move(out));
  p.pump();
  EXPECT_EQ(p.ctrl.state(), status::down);  // R-MTP.7
  ASSERT_EQ(p.ctrl_ended.size(), 1u);
  EXPECT_EQ(p.ctrl_ended[0].code, 7105u);
  EXPECT_TRUE(decode(p.agent.send(make_msg("n"), p.now).records[0].wire).has_no_session_context());
}

TEST(E2eModes, MsgsHeldUnderRequireLeaveWhenTheModeRelaxes) {
  peers p(agent_config(session_mode::require), ctrl_config(session_mode::forbid));
  p.agent_sends(make_msg("boot-1"));  // refused with 7106
  EXPECT_EQ(p.agent.state(), status::down);
  EXPECT_TRUE(p.agent.send(make_msg("n-1"), p.now).records.empty());  // held until the retry
  auto out = p.agent.set_mode(session_mode::allow, p.now);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_TRUE(decode(out.records[0].wire).has_no_session_context());
  EXPECT_FALSE(p.agent.next_deadline());
}

// --- ending (R-E2E.6b, R-E2E.7, R-MTP.7), Reset() ----------------------------------------

TEST(E2eEnd, ExpirationEndsWith7105AndTheNextMsgStartsAnew) {
  auto a = agent_config();
  a.expiration = seconds(30);
  peers p(a);
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  EXPECT_EQ(p.agent.next_deadline(), p.now + seconds(30));
  p.advance(seconds(29));
  EXPECT_EQ(p.agent.state(), status::up);
  p.advance(seconds(1));  // R-E2E.7
  EXPECT_EQ(p.agent.state(), status::down);
  ASSERT_EQ(p.agent_ended.size(), 1u);
  EXPECT_EQ(p.agent_ended[0].code, 7105u);
  EXPECT_EQ(p.ctrl.state(), status::down);  // the DisconnectRecord cleared it (R-MTP.7)
  p.agent_sends(make_msg("n-1"));
  EXPECT_EQ(p.agent.state(), status::up);
  EXPECT_NE(p.agent.session_id(), id);
  EXPECT_EQ(p.ctrl.session_id(), p.agent.session_id());
  EXPECT_EQ(p.at_ctrl.size(), 2u);
}

TEST(E2eEnd, ActivityKeepsTheSessionAlive) {
  auto a = agent_config();
  a.expiration = seconds(30);
  peers p(a);
  p.agent_sends(make_msg("boot-1"));
  for (int i = 0; i < 5; ++i) {
    p.advance(seconds(20));
    p.ctrl_sends(make_msg("get-" + std::to_string(i)));
  }
  EXPECT_EQ(p.agent.state(), status::up);
  EXPECT_TRUE(p.agent_ended.empty());
}

TEST(E2eEnd, ExpiryIsNoticedOnTheNextCallWithoutATick) {
  auto a = agent_config();
  a.expiration = seconds(10);
  peers p(a);
  p.agent_sends(make_msg("boot-1"));
  p.now += seconds(60);
  auto out = p.agent.send(make_msg("n-1"), p.now);
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_TRUE(out.records[0].disconnect);
  EXPECT_EQ(sc_of(decode(out.records[1].wire)).sequence_id(), 1u);
  ASSERT_TRUE(out.ended);
  EXPECT_NE(out.ended->reason.find("R-E2E.7"), std::string::npos);
}

TEST(E2eEnd, ResetRestartsUnderRequire) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  auto out = p.agent.reset(p.now);
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_TRUE(out.records[0].disconnect);  // R-MTP.8: the agent's Connect Record goes between
  EXPECT_EQ(decode(out.records[0].wire).disconnect().reason_code(), 7105u);
  EXPECT_FALSE(out.records[1].disconnect);
  EXPECT_EQ(sc_of(decode(out.records[1].wire)).sequence_id(), 1u);
  EXPECT_NE(p.agent.session_id(), id);
  p.from_agent_out(std::move(out));
  p.pump();
  EXPECT_EQ(p.ctrl.session_id(), p.agent.session_id());
  EXPECT_EQ(p.agent.state(), status::up);
}

TEST(E2eEnd, ResetUnderAllowOnlyEnds) {
  peers p(agent_config(session_mode::allow));
  p.from_ctrl_out(p.ctrl.start(p.now));
  p.pump();
  auto out = p.agent.reset(p.now);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(decode(out.records[0].wire).disconnect().reason_code(), 7105u);
  EXPECT_EQ(p.agent.state(), status::down);
  EXPECT_TRUE(p.agent.reset(p.now).records.empty()) << "nothing to end";
}

TEST(E2eEnd, PeerDisconnectClearsTheSession) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  auto d = decode(make_disconnect_record(agent_eid, ctrl_eid, "", 7105));
  auto out = p.ctrl.receive(d, p.now);
  EXPECT_TRUE(out.records.empty());
  ASSERT_TRUE(out.ended);
  EXPECT_EQ(out.ended->code, 7105u);
  EXPECT_EQ(out.ended->reason, "Session Context terminated");  // from the code when none given
  EXPECT_EQ(p.ctrl.state(), status::down);
  EXPECT_EQ(p.ctrl.session_id(), 0u);
}

// --- a new session from the peer (R-E2E.6) and foreign Records (R-E2E.24) ----------------

TEST(E2eRestart, NewSessionIdFromThePeerRestartsAtOne) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  p.ctrl_sends(make_msg("get-1"));
  const auto old_id = p.agent.session_id();
  // The agent sends a Msg the controller has not acknowledged yet...
  const auto pending = make_msg("notify-1");
  auto sent = p.agent.send(pending, p.now);
  ASSERT_EQ(sent.records.size(), 1u);
  // ...and the controller restarts with a new session_id.
  const std::uint64_t new_id = old_id + 1000;
  auto out = p.agent.receive(from_ctrl({.session_id = new_id, .sequence_id = 1, .payload = make_msg("get-2")}), p.now);
  EXPECT_EQ(p.agent.session_id(), new_id);
  ASSERT_EQ(out.msgs.size(), 1u);
  ASSERT_TRUE(out.ended);
  EXPECT_EQ(out.ended->code, 7105u);
  // The unacknowledged Msg goes again, in the new session, as its Record 1.
  ASSERT_EQ(out.records.size(), 1u);
  const auto r = decode(out.records[0].wire);
  EXPECT_EQ(sc_of(r).session_id(), new_id);
  EXPECT_EQ(sc_of(r).sequence_id(), 1u);
  EXPECT_EQ(sc_of(r).expected_id(), 2u);
  EXPECT_EQ(sc_of(r).payload(0), pending);
  EXPECT_EQ(p.agent.counts().sessions_adopted, 1u);
}

TEST(E2eRestart, StaleRecordsOfAnAbandonedSessionAreIgnored) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  const auto old_id = p.agent.session_id();
  p.from_agent_out(p.agent.reset(p.now));
  p.pump();
  // A late Record of the old session: ignored, no restart.
  auto out = p.agent.receive(from_ctrl({.session_id = old_id, .sequence_id = 5, .expected_id = 3}), p.now);
  EXPECT_TRUE(out.records.empty());
  EXPECT_EQ(p.agent.counts().foreign, 1u);
  EXPECT_EQ(p.agent.counts().failures, 0u);
}

TEST(E2eRestart, ALateCopyOfAStartIsNotAdoptedAgain) {
  session agent(agent_config(session_mode::allow));
  const auto start_x = from_ctrl({.session_id = 100, .sequence_id = 1});
  agent.receive(start_x, t0);
  agent.receive(from_ctrl({.session_id = 200, .sequence_id = 1}), t0);  // the controller restarted
  EXPECT_EQ(agent.session_id(), 200u);
  auto out = agent.receive(start_x, t0);  // delayed or duplicated on the way
  EXPECT_TRUE(out.records.empty());
  EXPECT_EQ(agent.session_id(), 200u);
  EXPECT_EQ(agent.counts().sessions_adopted, 2u);
  EXPECT_EQ(agent.counts().foreign, 1u);
  // Without a session it is a start like any other (R-E2E.4): a peer that lost
  // its state may well pick an id again.
  agent.receive(decode(make_disconnect_record(ctrl_eid, agent_eid, "bye", 7105)), t0);
  agent.receive(start_x, t0);
  EXPECT_EQ(agent.session_id(), 100u);
  EXPECT_EQ(agent.state(), status::up);
}

TEST(E2eRestart, RecordsOfAnUnknownSessionRestartAfterAFew) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  const auto n = static_cast<std::uint64_t>(p.agent.settings().max_foreign_records);
  for (std::uint64_t i = 1; i < n; ++i) {
    auto out = p.agent.receive(from_ctrl({.session_id = 999, .sequence_id = 10 + i, .expected_id = 4}), p.now);
    EXPECT_TRUE(out.records.empty());
  }
  EXPECT_EQ(p.agent.session_id(), id);
  auto out = p.agent.receive(from_ctrl({.session_id = 999, .sequence_id = 10 + n, .expected_id = 4}), p.now);
  EXPECT_EQ(p.agent.counts().failures, 1u);  // R-E2E.24
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_TRUE(out.records[0].disconnect);
  EXPECT_NE(p.agent.session_id(), id);
}

TEST(E2eRestart, AnUnknownSessionWhileDownMakesThePeerStartOver) {
  // We lost our state (a reboot) while the peer carries on in its session.
  // A few are tolerated (they may have overtaken a start), then the peer is
  // told, once per run.
  session agent_allow(agent_config(session_mode::allow));
  const int n = agent_allow.settings().max_foreign_records;
  auto stale = from_ctrl({.session_id = 77, .sequence_id = 9, .expected_id = 5, .payload = make_msg("get")});
  for (int i = 1; i < n; ++i) EXPECT_TRUE(agent_allow.receive(stale, t0).records.empty());
  auto out = agent_allow.receive(stale, t0);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(decode(out.records[0].wire).disconnect().reason_code(), 7105u);
  for (int i = 1; i < n; ++i) EXPECT_TRUE(agent_allow.receive(stale, t0).records.empty());
  session agent_require(agent_config(session_mode::require));
  for (int i = 1; i < n; ++i) agent_require.receive(stale, t0);
  out = agent_require.receive(stale, t0);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(sc_of(decode(out.records[0].wire)).sequence_id(), 1u);
  EXPECT_EQ(agent_require.state(), status::negotiating);
}

TEST(E2eRestart, InvalidSessionIdRestarts) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  auto out = p.agent.receive(from_ctrl({.session_id = 1, .sequence_id = 2, .expected_id = 2}), p.now);
  EXPECT_EQ(p.agent.counts().failures, 1u);  // R-E2E.3, R-E2E.24
  EXPECT_NE(p.agent.session_id(), id);
  EXPECT_EQ(out.records.size(), 2u);
}

TEST(E2eRestart, InvalidFieldsRestart) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  auto r = from_ctrl({.session_id = id, .sequence_id = 2, .expected_id = 2, .payload = make_msg("x")});
  r.mutable_session_context()->set_payloadrec_sar_state(sar::BEGIN);  // PLAINTEXT wants both equal
  p.agent.receive(r, p.now);
  EXPECT_EQ(p.agent.counts().failures, 1u);
  EXPECT_NE(p.agent.session_id(), id);
}

TEST(E2eRestart, ExpectedIdBeyondWhatWasSentRestarts) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  p.agent.receive(from_ctrl({.session_id = id, .sequence_id = 2, .expected_id = 50}), p.now);
  EXPECT_EQ(p.agent.counts().failures, 1u);
  EXPECT_NE(p.agent.session_id(), id);
}

TEST(E2eRestart, ControllerRestartsWithoutADisconnect) {
  // For a controller its new session_id is enough (R-E2E.6), and it spares the
  // Connect Record exchange R-MTP.8 would want after a DisconnectRecord.
  peers p(agent_config(session_mode::allow), ctrl_config(session_mode::require));
  p.from_ctrl_out(p.ctrl.start(p.now));
  p.pump();
  const auto id = p.ctrl.session_id();
  auto out = p.ctrl.receive(from_agent({.session_id = id, .sequence_id = 2, .expected_id = 99}), p.now);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_FALSE(out.records[0].disconnect);
  EXPECT_EQ(sc_of(decode(out.records[0].wire)).sequence_id(), 1u);
  EXPECT_NE(p.ctrl.session_id(), id);
}

// --- sequence ids near the maximum (R-E2E.8/9) -------------------------------------------

TEST(E2eSequence, OurSequenceNearItsMaximumStartsANewSession) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  test_access::set_next_sequence_id(p.agent, max_sequence_id - sequence_margin);
  auto out = p.agent.send(make_msg("n-1"), p.now);  // R-E2E.9
  EXPECT_NE(p.agent.session_id(), id);
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_TRUE(out.records[0].disconnect);
  const auto r = decode(out.records[1].wire);
  EXPECT_EQ(sc_of(r).sequence_id(), 1u);
  EXPECT_EQ(sc_of(r).payload(0), make_msg("n-1"));
}

TEST(E2eSequence, JustBelowTheMarginIsStillFine) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  test_access::set_next_sequence_id(p.agent, max_sequence_id - sequence_margin - 1);
  auto out = p.agent.send(make_msg("n-1"), p.now);
  EXPECT_EQ(p.agent.session_id(), id);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(sc_of(decode(out.records[0].wire)).sequence_id(), max_sequence_id - sequence_margin - 1);
}

TEST(E2eSequence, PeerSequenceNearItsMaximumStartsANewSession) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  const auto id = p.agent.session_id();
  auto out = p.agent.receive(from_ctrl({.session_id = id, .sequence_id = max_sequence_id - 5, .expected_id = 2}), p.now);
  EXPECT_NE(p.agent.session_id(), id);  // R-E2E.8
  EXPECT_EQ(out.records.size(), 2u);
  EXPECT_EQ(p.agent.counts().failures, 0u);
}

// --- payload security (TLS12 is not implemented) -------------------------------------------

TEST(E2eSecurity, Tls12InASessionGets7102) {
  peers p;
  p.agent_sends(make_msg("boot-1"));
  auto r = from_ctrl({.session_id = p.agent.session_id(), .sequence_id = 2, .expected_id = 2, .payload = "tls"});
  r.set_payload_security(usp_record::Record::TLS12);
  auto out = p.agent.receive(r, p.now);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(decode(out.records[0].wire).disconnect().reason_code(),
            value(err_code::secure_session_not_supported));
  EXPECT_EQ(p.agent.state(), status::down);
  ASSERT_TRUE(out.ended);
  EXPECT_EQ(out.ended->code, 7102u);
}

TEST(E2eSecurity, BadNoSessionRecordsGet7104) {
  session agent(agent_config(session_mode::allow));
  auto r = decode(make_no_session_record(ctrl_eid, agent_eid, make_msg("x")));
  r.set_payload_security(usp_record::Record::TLS12);
  auto out = agent.receive(r, t0);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(decode(out.records[0].wire).disconnect().reason_code(), 7104u);
  EXPECT_TRUE(out.msgs.empty());
  r.set_payload_security(usp_record::Record::PLAINTEXT);
  r.mutable_no_session_context()->clear_payload();  // R-E2E.26
  out = agent.receive(r, t0);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(decode(out.records[0].wire).disconnect().reason_code(), 7104u);
}

}  // namespace
}  // namespace usp::e2e

// usp::e2e::session through a bad link, seeded: Records reordered,
// duplicated and lost, with and without resets on both sides. Everything must
// arrive once and in order while no session restarts; with resets, both ends
// must settle on one session once the link heals.
// USP_E2E_CHAOS_FIRST / USP_E2E_CHAOS_SEEDS pick other seeds when hunting.
#include <cstdlib>
#include <random>

#include "e2e_harness.hpp"

namespace usp::e2e {
namespace {

using namespace test;

std::uint64_t chaos_env(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::strtoull(v, nullptr, 10) : fallback;
}

// --- a seeded run through a bad link ------------------------------------------------------

void run_chaos(std::uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  auto a = with_max(agent_config(), 512);
  auto c = with_max(ctrl_config(), 700);
  for (auto* cfg : {&a, &c}) {
    cfg->max_retransmit_tries = -1;
    cfg->max_gap_requests = 50;
  }
  peers p(a, c);
  p.agent_sends(make_msg("boot-1"));  // a clean start; the link goes bad afterwards
  std::mt19937_64 rng(seed);
  std::deque<std::string> to_ctrl, to_agent;
  bool lossy = true;
  auto put = [&](output o, bool from_agent_side) {
    for (auto& r : o.records) {
      (from_agent_side ? p.wire_from_agent : p.wire_from_ctrl).push_back(r.wire);
      if (lossy && rng() % 100 < 8) continue;                               // lost
      auto& q = from_agent_side ? to_ctrl : to_agent;
      q.push_back(r.wire);
      if (rng() % 100 < 10) q.push_back(r.wire);                           // duplicated
    }
    auto& got = from_agent_side ? p.at_agent : p.at_ctrl;
    got.insert(got.end(), o.msgs.begin(), o.msgs.end());
    if (o.ended) ADD_FAILURE() << (from_agent_side ? "agent" : "controller") << ": " << o.ended->reason;
  };
  auto deliver_one = [&](std::deque<std::string>& q, bool to_agent_side) {
    if (q.empty()) return;
    const auto i = static_cast<std::size_t>(rng() % std::min<std::size_t>(q.size(), 4));  // reordered
    auto w = q[i];
    q.erase(q.begin() + static_cast<std::ptrdiff_t>(i));
    put(to_agent_side ? p.agent.receive(w, p.now) : p.ctrl.receive(w, p.now), to_agent_side);
  };
  std::vector<std::string> sent_up{make_msg("boot-1")}, sent_down;
  for (int step = 0; step < 3000; ++step) {
    const auto r = rng() % 100;
    if (r < 4) {
      sent_up.push_back(make_msg("up-" + std::to_string(step), rng() % 1500));
      put(p.agent.send(sent_up.back(), p.now), true);
    } else if (r < 8) {
      sent_down.push_back(make_msg("down-" + std::to_string(step), rng() % 1500));
      put(p.ctrl.send(sent_down.back(), p.now), false);
    } else if (r < 12) {
      p.now += milliseconds(300);
      put(p.agent.tick(p.now), true);
      put(p.ctrl.tick(p.now), false);
    } else if (rng() % 2 == 0) {
      deliver_one(to_ctrl, false);
    } else {
      deliver_one(to_agent, true);
    }
  }
  // Heal the link; one more Msg each way makes any lost tail visible as a gap.
  lossy = false;
  sent_up.push_back(make_msg("up-last"));
  put(p.agent.send(sent_up.back(), p.now), true);
  sent_down.push_back(make_msg("down-last"));
  put(p.ctrl.send(sent_down.back(), p.now), false);
  for (int i = 0; i < 200 && (p.at_ctrl.size() < sent_up.size() || p.at_agent.size() < sent_down.size() ||
                              !to_ctrl.empty() || !to_agent.empty());
       ++i) {
    while (!to_ctrl.empty() || !to_agent.empty()) {
      deliver_one(to_ctrl, false);
      deliver_one(to_agent, true);
    }
    p.now += milliseconds(1000);
    put(p.agent.tick(p.now), true);
    put(p.ctrl.tick(p.now), false);
  }
  EXPECT_EQ(p.agent.counts().failures + p.ctrl.counts().failures, 0u);
  EXPECT_EQ(p.at_ctrl, sent_up);
  EXPECT_EQ(p.at_agent, sent_down);
  EXPECT_GT(p.ctrl.counts().retransmit_requests + p.agent.counts().retransmit_requests, 0u);
  EXPECT_GT(p.ctrl.counts().duplicates + p.agent.counts().duplicates, 0u);
  check_segments(p.wire_from_agent, 512);
}

TEST(E2eChaos, ReorderedDuplicatedLossyLinkDeliversEverythingOnceInOrder) {
  const std::uint64_t first = chaos_env("USP_E2E_CHAOS_FIRST", 1);
  const std::uint64_t seeds = chaos_env("USP_E2E_CHAOS_SEEDS", 20);
  for (std::uint64_t seed = first; seed < first + seeds; ++seed) run_chaos(seed);
}

// Resets on both sides (both under Require) through a reordering, lossy link:
// whatever happens, once the link heals both ends settle on one session and
// Msgs flow again. Msgs may be lost or repeated around a restart (the spec
// leaves that policy to the sender); convergence is what is checked.
void run_restart_chaos(std::uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  auto a = with_max(agent_config(session_mode::require), 512);
  auto c = with_max(ctrl_config(session_mode::require), 512);
  a.seed = seed * 2 + 1;
  c.seed = seed * 2 + 2;
  for (auto* cfg : {&a, &c}) cfg->max_retransmit_tries = 3;
  peers p(a, c);
  std::mt19937_64 rng(seed);
  std::deque<std::string> to_ctrl, to_agent;
  bool lossy = true;
  auto put = [&](output o, bool from_agent_side) {
    for (auto& r : o.records) {
      EXPECT_LE(r.wire.size(), 512u);
      if (lossy && rng() % 100 < 10) continue;
      (from_agent_side ? to_ctrl : to_agent).push_back(std::move(r.wire));
    }
    auto& got = from_agent_side ? p.at_agent : p.at_ctrl;
    got.insert(got.end(), o.msgs.begin(), o.msgs.end());
  };
  auto deliver_one = [&](std::deque<std::string>& q, bool to_agent_side) {
    if (q.empty()) return;
    const auto i = static_cast<std::size_t>(rng() % std::min<std::size_t>(q.size(), 3));
    auto w = q[i];
    q.erase(q.begin() + static_cast<std::ptrdiff_t>(i));
    put(to_agent_side ? p.agent.receive(w, p.now) : p.ctrl.receive(w, p.now), to_agent_side);
  };
  for (int step = 0; step < 2000; ++step) {
    const auto r = rng() % 100;
    if (r < 4) {
      put(p.agent.send(make_msg("up", rng() % 1200), p.now), true);
    } else if (r < 8) {
      put(p.ctrl.send(make_msg("down", rng() % 1200), p.now), false);
    } else if (r < 9) {
      put(p.agent.reset(p.now), true);
    } else if (r < 10) {
      put(p.ctrl.reset(p.now), false);
    } else if (r < 14) {
      p.now += milliseconds(700);
      put(p.agent.tick(p.now), true);
      put(p.ctrl.tick(p.now), false);
    } else if (rng() % 2 == 0) {
      deliver_one(to_ctrl, false);
    } else {
      deliver_one(to_agent, true);
    }
  }
  // Heal the link and keep Msgs flowing: recovering from a lost state takes
  // some traffic (foreign Records, or a Msg that starts a session).
  lossy = false;
  auto drain = [&] {
    for (int i = 0; i < 400; ++i) {
      for (int guard = 0; guard < 100000 && (!to_ctrl.empty() || !to_agent.empty()); ++guard) {
        deliver_one(to_ctrl, false);
        deliver_one(to_agent, true);
      }
      const auto da = p.agent.next_deadline(), dc = p.ctrl.next_deadline();
      if (!da && !dc) return;
      p.now = std::max(std::min(da.value_or(time_point::max()), dc.value_or(time_point::max())), p.now);
      put(p.agent.tick(p.now), true);
      put(p.ctrl.tick(p.now), false);
    }
  };
  auto converged = [&] {
    return p.agent.state() == status::up && p.ctrl.state() == status::up && p.agent.session_id() == p.ctrl.session_id();
  };
  drain();
  for (int round = 0; round < 10 && !converged(); ++round) {
    put(p.agent.send(make_msg("up-round"), p.now), true);
    put(p.ctrl.send(make_msg("down-round"), p.now), false);
    drain();
  }
  ASSERT_TRUE(converged()) << "agent " << static_cast<int>(p.agent.state()) << " ctrl "
                           << static_cast<int>(p.ctrl.state());
  const auto up = make_msg("up-last"), down = make_msg("down-last");
  put(p.agent.send(up, p.now), true);
  put(p.ctrl.send(down, p.now), false);
  drain();
  ASSERT_FALSE(p.at_ctrl.empty());
  ASSERT_FALSE(p.at_agent.empty());
  EXPECT_EQ(p.at_ctrl.back(), up);
  EXPECT_EQ(p.at_agent.back(), down);
}

TEST(E2eChaos, ResetsOnBothSidesThroughABadLinkStillConverge) {
  const std::uint64_t first = chaos_env("USP_E2E_CHAOS_FIRST", 1);
  const std::uint64_t seeds = chaos_env("USP_E2E_CHAOS_SEEDS", 20);
  for (std::uint64_t seed = first; seed < first + seeds; ++seed) run_restart_chaos(seed);
}

}  // namespace
}  // namespace usp::e2e

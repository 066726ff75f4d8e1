// E2E session: starting, ending and restarting Session Contexts, and the
// calls a driver makes (TR-369 §Establishing an E2E Session Context,
// §Guidelines for Handling Session Context Restarts).
#include "usp/e2e_session.hpp"

#include <algorithm>

#include "usp/err_code.hpp"

namespace usp::e2e {
namespace {

constexpr std::uint32_t terminated = value(err_code::session_context_terminated);  // 7105

}  // namespace

session::session(config c)
    : cfg_(std::move(c)), rng_(cfg_.seed != 0 ? cfg_.seed : std::random_device{}()) {
  if (cfg_.max_record_size != 0 && cfg_.max_record_size < min_record_size) {
    cfg_.max_record_size = min_record_size;
  }
  cfg_.max_retransmit_tries = std::clamp(cfg_.max_retransmit_tries, -1, 10);
}

output session::start(time_point now) {
  output out;
  expire_if_due(now, out);
  // R-E2E.5: one session per peer. The DM: an agent under Allow never starts one.
  if (status_ != status::down || cfg_.mode == session_mode::forbid ||
      (cfg_.agent && cfg_.mode == session_mode::allow)) {
    return out;
  }
  begin_session(now, out);
  return out;
}

output session::send(std::string msg, time_point now) {
  output out;
  if (msg.empty()) {  // a Msg is never empty (R-E2E.26); an empty payload means "no Msg"
    ++counters_.dropped_msgs;
    return out;
  }
  expire_if_due(now, out);
  if (status_ != status::down && next_seq_ >= max_sequence_id - sequence_margin) {
    // R-E2E.9: our sequence_id near its maximum: a new session at this
    // contact, whose first Record carries the Msg.
    hold(std::move(msg));
    restart("our sequence_id is near its maximum (R-E2E.9)", now, out);
    flush_pending(now, out);  // under Allow it only ended: the Msg goes without one
    return out;
  }
  if (status_ != status::down) {
    emit_msg(std::move(msg), now, out);
  } else if (cfg_.mode != session_mode::require) {
    emit_no_session(msg, out);
  } else {
    // Require: no Msg outside a session. R-E2E.7: a new session at the next
    // interaction; after a refusal, at the retry time (R-E2E.10).
    hold(std::move(msg));
    resume(now, out);
  }
  return out;
}

output session::tick(time_point now) {
  output out;
  expire_if_due(now, out);
  if (status_ == status::negotiating && retry_at_ && now >= *retry_at_) {
    // R-E2E.10/11: no answer to our start. Try again in a fresh session that
    // carries what the unanswered one held; a new session_id is what makes a
    // peer that did adopt the old one start over (R-E2E.6).
    ++retry_count_;
    ++counters_.establishment_retries;
    carry_unacked();
    remember_left(session_id_);
    begin_session(now, out, /*retry=*/true);
  }
  resume(now, out);
  if (status_ != status::down && gap_at_ && now >= *gap_at_) request_missing(now, out);
  return out;
}

output session::reset(time_point now) {
  output out;
  if (cfg_.mode == session_mode::require) {
    restart("E2ESession.Reset()", now, out);
  } else {
    end_session(terminated, "E2ESession.Reset()", true, out);
  }
  return out;
}

output session::set_mode(session_mode mode, time_point now) {
  output out;
  cfg_.mode = mode;
  if (mode == session_mode::forbid) {
    end_session(terminated, "SessionMode set to Forbid", true, out);  // the DM: setting Forbid ends it
  } else if (mode == session_mode::require && status_ == status::down) {
    retry_at_.reset();
    begin_session(now, out);  // the DM: setting Require starts one
  }
  if (mode != session_mode::require) {
    if (status_ == status::down) retry_at_.reset();
    flush_pending(now, out);  // what waited for a session may now go without one
  }
  return out;
}

std::optional<time_point> session::next_deadline() const {
  std::optional<time_point> d;
  auto take = [&d](time_point t) {
    if (!d || t < *d) d = t;
  };
  if (status_ != status::down && cfg_.expiration.count() > 0) {
    take((status_ == status::negotiating ? negotiation_started_ : last_activity_) + cfg_.expiration);
  }
  if (retry_at_) take(*retry_at_);
  if (status_ != status::down && gap_at_) take(*gap_at_);
  return d;
}

std::uint64_t session::new_session_id(std::uint64_t avoid) {
  // R-E2E.3: chosen by the originator, greater than 1. Random rather than
  // counted, so a restarted endpoint does not reuse the id its peer still
  // holds (the peer would drop our sequence 1 as a duplicate). Kept below
  // 2^32 for short varints.
  std::uniform_int_distribution<std::uint64_t> pick(first_session_id, 0xFFFF'FFFFu);
  std::uint64_t id = 0;
  do {
    id = pick(rng_);
  } while (id == avoid || left_lately(id));
  return id;
}

void session::remember_left(std::uint64_t id) {
  if (id == 0 || left_lately(id)) return;
  left_[left_next_] = id;
  left_next_ = (left_next_ + 1) % left_.size();
}

bool session::left_lately(std::uint64_t id) const {
  return std::find(left_.begin(), left_.end(), id) != left_.end();
}

void session::begin_session(time_point now, output& out, bool retry) {
  const auto old = session_id_;
  clear_session();
  session_id_ = new_session_id(old);
  status_ = status::negotiating;
  initiated_ = true;
  if (!retry) negotiation_started_ = now;  // R-E2E.11 counts SessionExpiration from the first try
  last_activity_ = now;
  retry_at_ = now + draw_wait(cfg_.retry, retry_count_ + 1, rng_);  // R-E2E.10 windows
  ++counters_.sessions_started;
  flush_pending(now, out);
  if (next_seq_ == 1) emit_control(0, now, out);  // R-E2E.3: sequence_id 1, empty payload
}

void session::adopt(std::uint64_t id, time_point now, output& out) {
  // R-E2E.4/6: the peer's session replaces ours; our sequence restarts at 1.
  if (status_ != status::down) {
    carry_unacked();  // the note under R-E2E.6: outstanding Msgs go into the new session
    remember_left(session_id_);
    ++counters_.sessions_ended;
    if (!out.ended) out.ended = ending{terminated, "the peer started a new session (R-E2E.6)"};
  }
  clear_session();
  session_id_ = id;
  status_ = status::up;
  initiated_ = false;
  retry_at_.reset();
  last_activity_ = now;
  ++counters_.sessions_adopted;
}

void session::end_session(std::uint32_t code, std::string reason, bool send_disconnect, output& out) {
  if (status_ == status::down) return;
  if (send_disconnect) emit_disconnect(code, reason, out);  // R-E2E.6b
  // Msgs still unacknowledged are not resent outside a restart: the peer may
  // have processed them, and without a session we cannot ask.
  remember_left(session_id_);
  ++counters_.sessions_ended;
  if (!out.ended) out.ended = ending{code, std::move(reason)};
  clear_session();
  session_id_ = 0;
  status_ = status::down;
  initiated_ = false;
  retry_at_.reset();
}

void session::restart(std::string reason, time_point now, output& out) {
  if (cfg_.mode == session_mode::require) {
    // R-E2E.21-24: a new session. An agent first ends the old one with 7105
    // (R-E2E.6b); for a controller its new session_id is enough (R-E2E.6),
    // and it avoids the Connect Record exchange R-MTP.8 would require.
    carry_unacked();
    end_session(terminated, std::move(reason), cfg_.agent, out);
    begin_session(now, out);
  } else {
    // Allow: an agent never starts a session (the DM), so it only ends it, as
    // the reference agent does; the same holds for our controller side.
    end_session(terminated, std::move(reason), true, out);
  }
}

bool session::fail(std::string reason, time_point now, output& out) {
  ++counters_.failures;
  restart(std::move(reason), now, out);
  return false;
}

void session::refuse(std::uint32_t code, std::string reason, output& out) {
  // The peer clears its E2E state on our DisconnectRecord (R-MTP.7), so ours goes too.
  ++counters_.refused;
  emit_disconnect(code, reason, out);
  end_session(code, std::move(reason), false, out);
}

void session::clear_session() {
  next_seq_ = 1;
  expected_ = 1;
  peer_expected_ = 1;
  kept_.clear();
  kept_bytes_ = 0;
  unacked_.clear();
  inbox_.clear();
  inbox_bytes_ = 0;
  reassembly_.reset();
  gap_at_.reset();
  gap_rounds_ = 0;
  foreign_run_ = 0;
}

void session::carry_unacked() {
  for (auto it = unacked_.rbegin(); it != unacked_.rend(); ++it) pending_.push_front(std::move(it->msg));
  unacked_.clear();
  while (pending_.size() > cfg_.max_pending_msgs) {
    pending_.pop_back();
    ++counters_.dropped_msgs;
  }
}

void session::hold(std::string msg) {
  if (pending_.size() >= cfg_.max_pending_msgs) {
    ++counters_.dropped_msgs;
    return;
  }
  pending_.push_back(std::move(msg));
}

void session::resume(time_point now, output& out) {
  // Require and no session: start one when a Msg waits, or when the retry
  // time after a refusal has come (R-E2E.11: keep trying).
  if (status_ != status::down || cfg_.mode != session_mode::require) return;
  if (retry_at_) {
    if (now < *retry_at_) return;
    ++retry_count_;
    ++counters_.establishment_retries;
  } else if (pending_.empty()) {
    return;
  }
  begin_session(now, out);
}

void session::flush_pending(time_point now, output& out) {
  if (status_ == status::down) {
    if (cfg_.mode == session_mode::require) return;
    for (const auto& m : pending_) emit_no_session(m, out);
    pending_.clear();
    return;
  }
  while (!pending_.empty()) {
    auto m = std::move(pending_.front());
    pending_.pop_front();
    emit_msg(std::move(m), now, out);
  }
}

void session::expire_if_due(time_point now, output& out) {
  if (status_ == status::down || cfg_.expiration.count() <= 0) return;
  if (status_ == status::negotiating) {
    if (now - negotiation_started_ >= cfg_.expiration) {
      end_session(terminated, "no answer within SessionExpiration (R-E2E.11)", true, out);
    }
  } else if (now - last_activity_ >= cfg_.expiration) {
    // R-E2E.7: the next interaction starts a new session; R-E2E.6b: say so now.
    end_session(terminated, "SessionExpiration reached (R-E2E.7)", true, out);
  }
}

}  // namespace usp::e2e

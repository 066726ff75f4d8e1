#include "driver.hpp"

#include "usp_test/wait.hpp"

namespace usp::bench {

void driver::on_record(const ctl::received_record& r) {
  if (r.msg && r.msg->body().has_response()) on_answer(r.msg->header().msg_id());
}

void driver::on_answer(const std::string& msg_id) {
  const auto it = pending_.find(msg_id);
  if (it == pending_.end()) return;
  if (measuring_) {
    win_.latencies.push_back(steady::now() - it->second);
    ++win_.answered;
  }
  pending_.erase(it);
  if (!paced_) fill();
}

window driver::run(unsigned inflight, double rate, std::chrono::milliseconds warmup, std::chrono::milliseconds d,
                   const std::function<void()>& at_start, const std::function<void()>& at_end) {
  cap_ = inflight;
  paced_ = rate > 0;
  rate_ = rate;
  win_ = {};
  attempted_ = 0;
  sending_ = true;
  paced_start_ = steady::now();
  paced_sent_ = 0;
  if (paced_) arm(); else fill();
  test::run_until(io_, [] { return false; }, warmup);
  win_ = {};
  at_start();
  measuring_ = true;
  test::run_until(io_, [] { return false; }, d);
  measuring_ = false;
  at_end();
  sending_ = false;
  tick_.cancel();
  // Drain: whatever is still unanswered after 10 s is a drop.
  test::run_until(io_, [&] { return pending_.empty(); }, std::chrono::seconds(10));
  window out = std::move(win_);
  out.failed += pending_.size();
  out.attempted = attempted_;
  pending_.clear();
  return out;
}

void driver::send_one() {
  const auto id = prefix_ + std::to_string(++seq_);
  const auto& eid = eids_[next_++ % eids_.size()];
  const auto now = steady::now();
  pending_.emplace(id, now);
  if (!send_(eid, id, now)) {
    pending_.erase(id);
    ++win_.failed;
    return;
  }
  ++attempted_;
  if (measuring_) ++win_.sent;
}

void driver::fill() {
  while (sending_ && pending_.size() < cap_) send_one();
}

// Open loop: every 0.5 ms, send what the rate owes (within the cap).
void driver::arm() {
  tick_.expires_after(std::chrono::microseconds(500));
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !sending_) return;
    const double owed = rate_ * std::chrono::duration<double>(steady::now() - paced_start_).count();
    while (static_cast<double>(paced_sent_) < owed && pending_.size() < cap_) {
      send_one();
      ++paced_sent_;
    }
    // Owed requests that the cap held back are skipped, not bunched later.
    if (static_cast<double>(paced_sent_) < owed - static_cast<double>(cap_)) paced_sent_ = static_cast<std::uint64_t>(owed);
    arm();
  });
}

}  // namespace usp::bench

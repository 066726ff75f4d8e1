#include "conversation.hpp"

#include <signal.h>

namespace usp::ctl {

conversation::conversation(boost::asio::io_context& io, agent_link& link, std::chrono::milliseconds timeout)
    : io_(io), link_(link), timeout_(timeout), signals_(io, SIGINT, SIGTERM) {
  link_.on_record = [this](const received_record& r) { inbox_.push_back(r); };
  signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (!ec) interrupted_ = true;
  });
}

conversation::~conversation() {
  boost::system::error_code ec;
  signals_.cancel(ec);
  link_.on_record = nullptr;
}

wait_result conversation::run_until(const std::function<bool()>& done,
                                    std::optional<std::chrono::steady_clock::time_point> deadline) {
  using clock = std::chrono::steady_clock;
  while (!done()) {
    if (interrupted_) return wait_result::interrupted;
    if (!link_.failure().empty()) return wait_result::failed;
    // Without a deadline, wake up now and then to look at the flags.
    const auto until = deadline.value_or(clock::now() + std::chrono::seconds(1));
    const auto now = clock::now();
    if (now >= until) {
      if (deadline) return wait_result::timed_out;
      continue;
    }
    io_.run_one_for(until - now);
    if (io_.stopped()) io_.restart();
  }
  return wait_result::done;
}

wait_result conversation::open() {
  return run_until([this] { return link_.listening(); }, std::chrono::steady_clock::now() + timeout_);
}

wait_result conversation::reach_agent() {
  return run_until([this] { return !link_.agent().empty() && link_.reaches(link_.agent()); },
                   std::chrono::steady_clock::now() + timeout_);
}

wait_result conversation::request(const usp::Msg& req, usp::Msg& resp) {
  if (!link_.send(link_.agent(), req)) return wait_result::failed;
  const auto& id = req.header().msg_id();
  received_record r;
  const auto res = next(
      [&](const received_record& rec) {
        return rec.msg && rec.record.from_id() == link_.agent() && rec.msg->header().msg_id() == id &&
               (rec.msg->body().has_response() || rec.msg->body().has_error());
      },
      r, timeout_);
  if (res == wait_result::done) resp = *r.msg;
  return res;
}

wait_result conversation::next(const std::function<bool(const received_record&)>& pred, received_record& out,
                               std::optional<std::chrono::milliseconds> timeout) {
  auto scan = [&] {
    for (auto it = inbox_.begin(); it != inbox_.end(); ++it) {
      if (pred(*it)) {
        out = std::move(*it);
        inbox_.erase(it);
        return true;
      }
    }
    return false;
  };
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (timeout) deadline = std::chrono::steady_clock::now() + *timeout;
  return run_until(scan, deadline);
}

}  // namespace usp::ctl

#include "usp/e2e_driver.hpp"

namespace usp::e2e {

driver::driver(boost::asio::any_io_executor ex, config c, driver_hooks h)
    : session_(std::move(c)), hooks_(std::move(h)), timer_(std::move(ex)) {}

driver::~driver() { *alive_ = false; }

void driver::start() { apply(session_.start(clock::now())); }
void driver::send(std::string msg) { apply(session_.send(std::move(msg), clock::now())); }
void driver::receive(const usp_record::Record& record) { apply(session_.receive(record, clock::now())); }
void driver::reset() { apply(session_.reset(clock::now())); }
void driver::set_mode(session_mode mode) { apply(session_.set_mode(mode, clock::now())); }

void driver::apply(output out) {
  // Callbacks may call back into this driver (a delivered request is
  // answered at once) or destroy it: check after each.
  const auto alive = alive_;
  for (const auto& r : out.records) {
    if (hooks_.send_record) hooks_.send_record(r);
    if (!*alive) return;
  }
  if (out.ended && hooks_.ended) {
    hooks_.ended(*out.ended);
    if (!*alive) return;
  }
  for (auto& m : out.msgs) {
    if (hooks_.deliver) hooks_.deliver(std::move(m));
    if (!*alive) return;
  }
  arm();
}

void driver::arm() {
  const auto at = session_.next_deadline();
  if (!at) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(*at);
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    apply(session_.tick(clock::now()));
  });
}

std::optional<session_mode> parse_session_mode(std::string_view s) noexcept {
  if (s == "Require") return session_mode::require;
  if (s == "Allow") return session_mode::allow;
  if (s == "Forbid") return session_mode::forbid;
  return std::nullopt;
}

const char* to_string(status s) noexcept {
  switch (s) {
    case status::down: return "Down";
    case status::negotiating: return "Negotiating";
    case status::up: return "Up";
  }
  return "Down";
}

}  // namespace usp::e2e

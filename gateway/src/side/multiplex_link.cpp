#include "side/multiplex_link.hpp"

#include "usp/log.hpp"

namespace usp::gateway {

namespace {
std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("gateway.multiplex");
  return lg;
}
}  // namespace

multiplex_link::multiplex_link(boost::asio::any_io_executor ex, snapshot_ptr snap, std::string controller,
                               gateway_stats& stats, callbacks cb)
    : ex_(std::move(ex)),
      snap_(std::move(snap)),
      controller_(std::move(controller)),
      stats_(stats),
      cb_(std::move(cb)),
      retry_(dial_policy(snap_->controller(controller_))),
      timer_(ex_) {}

multiplex_link::~multiplex_link() {
  *alive_ = false;
  stop();
}

void multiplex_link::start() {
  stopped_ = false;
  dial();
}

void multiplex_link::dial() {
  std::size_t index = 0;
  const auto* c = snap_->controller(controller_, &index);
  if (!c || stopped_) return;
  mtp::ws_client_options o;
  o.url = c->websocket.url;
  o.eid = c->websocket.multiplex_eid;
  o.tls_context = snap_->tls[index];
  o.limits.keepalive = c->websocket.keepalive;
  o.limits.max_message_bytes = snap_->cfg.agents.max_record_bytes;
  o.limits.max_queued_bytes = 16 * 1024 * 1024;  // many agents share this session's write queue
  mtp::ws_handlers h;
  h.on_open = [this, alive = alive_](const mtp::ws_session_ptr& s) {
    if (!*alive) return;
    retry_.reset();  // R-WS.20
    bump(stats_.sessions_opened);
    stats_.sessions_open.add(1);
    log()->info("{}: shared session open", controller_);
    cb_.up(controller_, channel{s, ex_});
  };
  h.on_record = [this, alive = alive_](const mtp::ws_session_ptr&, std::string_view record) {
    if (*alive) cb_.record(controller_, record);
  };
  h.on_close = [this, alive = alive_](const mtp::ws_session_ptr& s, const mtp::ws_close_info& info) {
    if (!*alive) return;
    if (info.was_open) {
      count_session_end(stats_, info);
      log()->info("{}: shared session closed ({} {})", controller_, info.code, info.ec.message());
      cb_.down(controller_, s);
    } else {
      bump(stats_.dial_failures);
      log()->warn("{}: cannot open the shared session: {}", controller_, info.ec.message());
    }
    if (s == session_) session_.reset();
    retry();
  };
  try {
    session_ = mtp::ws_connect(ex_, o, std::move(h));
  } catch (const std::exception& e) {
    log()->error("{}: cannot dial {}: {}", controller_, o.url, e.what());
    retry();
  }
}

void multiplex_link::retry() {
  if (stopped_) return;
  timer_.expires_after(retry_.next_wait());  // R-WS.19, capped
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!ec && *alive) dial();
  });
}

void multiplex_link::stop() {
  stopped_ = true;
  timer_.cancel();
  if (session_) session_->close(1001, "gateway shutting down", true);
}

}  // namespace usp::gateway

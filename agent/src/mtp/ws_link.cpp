#include "mtp/ws_link.hpp"

#include <boost/asio/post.hpp>

#include "usp/log.hpp"
#include "usp/record.hpp"

namespace usp::agent {

namespace {
std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("agent.ws");
  return lg;
}
}  // namespace

ws_link::ws_link(boost::asio::any_io_executor ex, ws_link_config cfg, callbacks cb)
    : ex_(std::move(ex)), cfg_(std::move(cfg)), cb_(std::move(cb)), retry_(cfg_.retry), timer_(ex_) {}

ws_link::~ws_link() {
  *alive_ = false;
  if (session_) session_->close(1001, "going away");
}

void ws_link::start() {
  stopped_ = false;
  dial();
}

void ws_link::stop(std::function<void()> closed) {
  stopped_ = true;
  timer_.cancel();
  if (!session_) {
    if (closed) boost::asio::post(ex_, std::move(closed));
    return;
  }
  closed_ = std::move(closed);
  if (ready()) {
    // R-MTP.7: say goodbye before a deliberate close.
    session_->send(make_disconnect_record(cfg_.agent_eid, cfg_.controller_eid, "agent is shutting down", 7105));
  }
  session_->close(1000, "agent is shutting down", true);
}

std::string ws_link::status() const {
  if (ready()) return "Up";
  return retry_.count() > 0 ? "Error" : "Down";
}

bool ws_link::send(std::string_view record) {
  if (!ready()) return false;
  return session_->send(std::string(record));
}

void ws_link::dial() {
  if (stopped_) return;
  if (cb_.may_dial && !cb_.may_dial()) {
    schedule_retry();
    return;
  }
  mtp::ws_client_options o;
  o.url = cfg_.url;
  o.eid = cfg_.agent_eid;
  o.tls = cfg_.tls;
  o.limits.keepalive = cfg_.keepalive;
  mtp::ws_handlers h;
  h.on_open = [this, alive = alive_](const mtp::ws_session_ptr& s) {
    if (!*alive) return;
    // R-MTP.6: the Connect Record before anything else.
    if (!s->send(make_websocket_connect_record(cfg_.agent_eid, cfg_.controller_eid))) return;
    connected_ = true;
    retry_.reset();  // R-WS.20
    log()->info("WebSocket MTP to {} at {} ready", cfg_.controller_eid, cfg_.url);
    if (cb_.on_ready) cb_.on_ready();
  };
  h.on_record = [this, alive = alive_](const mtp::ws_session_ptr& s, std::string_view record) {
    if (*alive && cb_.on_record) cb_.on_record(record, s);
  };
  h.on_close = [this, alive = alive_](const mtp::ws_session_ptr& s, const mtp::ws_close_info& info) {
    if (!*alive || s != session_) return;
    if (closed_) boost::asio::post(ex_, std::exchange(closed_, {}));
    const bool was_ready = connected_;
    connected_ = false;
    session_.reset();
    if (info.was_open) {
      log()->warn("WebSocket MTP to {} closed ({} {})", cfg_.controller_eid, info.code, info.ec.message());
    } else {
      log()->warn("cannot open the WebSocket MTP to {} at {}: {}{}", cfg_.controller_eid, cfg_.url, info.ec.message(),
                  info.http_status ? " (HTTP " + std::to_string(info.http_status) + ")" : std::string());
    }
    if (was_ready && cb_.on_down) cb_.on_down();
    schedule_retry();
  };
  try {
    session_ = mtp::ws_connect(ex_, o, std::move(h));
  } catch (const std::exception& e) {
    log()->error("WebSocket MTP to {}: {}", cfg_.controller_eid, e.what());
    schedule_retry();
  }
}

void ws_link::schedule_retry() {
  if (stopped_) return;
  const auto wait = retry_.next_wait();  // R-WS.19
  log()->info("WebSocket retry {} to {} in {} ms", retry_.count(), cfg_.controller_eid, wait.count());
  timer_.expires_after(wait);
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!ec && *alive) dial();
  });
}

}  // namespace usp::agent

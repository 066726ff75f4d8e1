#include "mtp/ws_listener.hpp"

#include "usp/log.hpp"
#include "usp/record.hpp"

namespace usp::agent {

namespace {
std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("agent.ws");
  return lg;
}
}  // namespace

ws_listener::ws_listener(boost::asio::any_io_executor ex, ws_listener_config cfg, callbacks cb)
    : cfg_(std::move(cfg)), cb_(std::move(cb)) {
  mtp::ws_server_options o;
  o.address = cfg_.address;
  o.port = cfg_.port;
  o.tls = cfg_.tls;
  o.limits.keepalive = cfg_.keepalive;
  auto policy = [this, alive = alive_](const mtp::ws_upgrade_request& r) {
    mtp::ws_upgrade_decision d;
    d.own_eid = cfg_.agent_eid;
    if (!*alive) return d;
    if (r.path != cfg_.path) {
      d.status = 404;
      d.reason = "the USP endpoint is at " + cfg_.path;
      return d;
    }
    const auto eid = r.query_eid ? *r.query_eid : r.extension_eid.value_or("");
    if (eid.empty()) {
      d.status = 400;
      d.reason = "say who you are: ?eid=<controller endpoint id> (R-WS.10b)";
      return d;
    }
    if (!cb_.is_enabled_controller(eid)) {
      d.status = 403;
      d.reason = eid + " is not an enabled controller of this phone";
      return d;
    }
    if (sessions_.count(eid) || (cb_.has_other_session && cb_.has_other_session(eid))) {
      d.status = 409;  // R-WS.4: one session per pair; refuse the new one, as the reference agent does
      d.reason = "a session with " + eid + " is already open";
      return d;
    }
    d.accept = true;
    d.peer_eid = eid;
    return d;
  };
  mtp::ws_handlers h;
  h.on_open = [this, alive = alive_](const mtp::ws_session_ptr& s) {
    if (!*alive) return;
    const auto& eid = s->peer().eid;
    sessions_[eid] = s;
    log()->info("controller {} connected from {}", eid, s->peer().remote);
    // R-MTP.6: the Connect Record first, whichever side dialed.
    s->send(make_websocket_connect_record(cfg_.agent_eid, eid));
    if (cb_.on_open) cb_.on_open(eid);
  };
  h.on_record = [this, alive = alive_](const mtp::ws_session_ptr& s, std::string_view record) {
    if (*alive && cb_.on_record) cb_.on_record(s->peer().eid, record, s);
  };
  h.on_close = [this, alive = alive_](const mtp::ws_session_ptr& s, const mtp::ws_close_info&) {
    if (!*alive) return;
    const auto& eid = s->peer().eid;
    if (auto it = sessions_.find(eid); it != sessions_.end() && it->second == s) {
      sessions_.erase(it);
      log()->info("controller {} disconnected", eid);
      if (cb_.on_close) cb_.on_close(eid);
    }
  };
  server_ = std::make_unique<mtp::ws_server>(std::move(ex), std::move(o), std::move(policy), std::move(h));
}

ws_listener::~ws_listener() {
  *alive_ = false;
  stop();
}

std::uint16_t ws_listener::port() const noexcept { return server_->port(); }

bool ws_listener::has_session(const std::string& eid) const {
  const auto it = sessions_.find(eid);
  return it != sessions_.end() && it->second->is_open();
}

bool ws_listener::send(const std::string& eid, std::string_view record) {
  const auto it = sessions_.find(eid);
  return it != sessions_.end() && it->second->send(std::string(record));
}

void ws_listener::stop() {
  if (server_) server_->stop();
  for (auto& [eid, s] : sessions_) {
    s->send(make_disconnect_record(cfg_.agent_eid, eid, "agent is shutting down", 7105));  // R-MTP.7
    s->close(1001, "agent is shutting down", true);
  }
  sessions_.clear();
}

}  // namespace usp::agent

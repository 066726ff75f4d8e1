#include "side/listener.hpp"

#include "usp/log.hpp"
#include "usp/strings.hpp"

namespace usp::gateway {

namespace {

std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("gateway.listen");
  return lg;
}

// The (controller, agent) a session serves, kept on the session.
struct session_key {
  std::string controller;
  std::string agent;
};

const session_key* key_of(const mtp::ws_session_ptr& s) { return static_cast<const session_key*>(s->user_data.get()); }

}  // namespace

listener::listener(boost::asio::any_io_executor ex, snapshot_ptr snap, gateway_stats& stats, callbacks cb)
    : ex_(std::move(ex)), snap_(std::move(snap)), stats_(stats), cb_(std::move(cb)) {
  const auto& l = snap_->cfg.listen;
  mtp::ws_server_options o;
  o.address = l.address;
  o.port = l.port;
  o.tls = l.tls;
  o.limits.max_message_bytes = snap_->cfg.agents.max_record_bytes;
  mtp::ws_handlers h;
  h.on_open = [this, alive = alive_](const mtp::ws_session_ptr& s) {
    if (!*alive) return;
    const auto& peer = s->peer();
    const auto path = std::string(peer.target.substr(0, peer.target.find('?')));
    const auto& prefix = snap_->cfg.listen.path_prefix;
    std::string agent;
    if (path.size() > prefix.size()) agent = percent_decode(std::string_view(path).substr(prefix.size())).value_or("");
    s->user_data = std::make_shared<session_key>(session_key{peer.eid, agent});
    auto& slot = sessions_[{peer.eid, agent}];
    if (slot && slot->is_open()) {  // lost a race with another upgrade (R-WS.4)
      s->close(1008, "a session for this pair is already open");
      return;
    }
    slot = s;
    bump(stats_.sessions_opened);
    stats_.sessions_open.add(1);
    log()->info("{} connected{} from {}", peer.eid, agent.empty() ? " (shared)" : " for " + agent, peer.remote);
    cb_.opened(peer.eid, agent, channel{s, ex_});
  };
  h.on_record = [this, alive = alive_](const mtp::ws_session_ptr& s, std::string_view record) {
    if (!*alive) return;
    if (const auto* k = key_of(s)) cb_.record(k->controller, k->agent, record);
  };
  h.on_close = [this, alive = alive_](const mtp::ws_session_ptr& s, const mtp::ws_close_info& info) {
    if (!*alive || !info.was_open) return;
    const auto* k = key_of(s);
    if (!k) return;
    if (auto it = sessions_.find({k->controller, k->agent}); it != sessions_.end() && it->second == s) {
      sessions_.erase(it);
      count_session_end(stats_, info);
      log()->info("{} disconnected{} ({} {})", k->controller, k->agent.empty() ? " (shared)" : " from " + k->agent,
                  info.code, info.ec.message());
      cb_.closed(k->controller, k->agent, s);
    }
  };
  server_ = std::make_unique<mtp::ws_server>(ex_, o, [this](const mtp::ws_upgrade_request& r) { return decide(r); },
                                             std::move(h));
}

listener::~listener() {
  *alive_ = false;
  stop();
}

std::uint16_t listener::port() const noexcept { return server_ ? server_->port() : 0; }

mtp::ws_upgrade_decision listener::decide(const mtp::ws_upgrade_request& req) {
  mtp::ws_upgrade_decision d;
  auto refuse = [&](unsigned status, std::string why) {
    bump(stats_.upgrades_refused);
    log()->warn("refusing a WebSocket upgrade for {} from {}: {}", req.target, req.remote, why);
    d.status = status;
    d.reason = std::move(why);
    return d;
  };
  const auto& prefix = snap_->cfg.listen.path_prefix;
  const std::string_view bare = std::string_view(prefix).substr(0, prefix.size() - 1);
  std::string agent;
  if (req.path != prefix && req.path != bare) {
    if (!req.path.starts_with(prefix)) return refuse(404, "no USP endpoint at " + std::string(req.path));
    auto decoded = percent_decode(req.path.substr(prefix.size()));  // R-WS.10c
    if (!decoded || decoded->empty()) return refuse(404, "malformed agent in " + std::string(req.path));
    agent = std::move(*decoded);
  }
  // R-WS.10b: the controller names itself (the legacy extension still counts, R-WS.10a).
  const auto eid = req.query_eid ? req.query_eid : req.extension_eid;
  if (!eid || eid->empty()) return refuse(400, "the request does not name the controller (?eid=)");
  const auto* c = snap_->controller(*eid);
  if (!c || c->websocket.mode != ws_mode::listen) return refuse(403, *eid + " is not a controller served here");
  if (!agent.empty() && !cb_.known(agent)) return refuse(404, "unknown agent " + agent);
  if (auto it = sessions_.find({*eid, agent}); it != sessions_.end() && it->second->is_open()) {
    return refuse(409, "a session between " + *eid + " and " + (agent.empty() ? "the gateway" : agent) +
                           " is already open");  // R-WS.4
  }
  d.accept = true;
  d.peer_eid = *eid;
  d.own_eid = agent;  // answered in the legacy extension when offered (R-WS.11a)
  return d;
}

void listener::reload(snapshot_ptr snap) {
  snap_ = std::move(snap);
  for (auto& [key, s] : sessions_) {
    const auto* c = snap_->controller(key.first);
    if (!c || c->websocket.mode != ws_mode::listen) s->close(1001, "controller no longer served");
  }
}

void listener::stop() {
  if (server_) server_->stop();
  for (auto& [key, s] : sessions_) s->close(1001, "gateway shutting down", true);
}

}  // namespace usp::gateway

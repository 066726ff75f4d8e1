#include "router.hpp"

#include <boost/asio/post.hpp>

#include "usp/envelope.hpp"
#include "usp/log.hpp"

namespace usp::gateway {

namespace {
std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("gateway");
  return lg;
}
}  // namespace

router::router(boost::asio::any_io_executor ex, snapshot_ptr snap, gateway_stats& stats, router_ports ports)
    : ex_(std::move(ex)), snap_(std::move(snap)), stats_(stats), ports_(std::move(ports)) {}

router::~router() {
  stats_.agents_known.sub(static_cast<std::int64_t>(agents_.size()));
}

router::agent_state& router::agent(const std::string& eid) {
  auto [it, fresh] = agents_.try_emplace(eid);
  if (fresh) {
    it->second.route = snap_->topics.guess(eid);
    stats_.agents_known.add(1);
    if (ports_.directory) ports_.directory(eid, true);
  }
  return it->second;
}

pair& router::pair_for(const std::string& controller, const std::string& agent_eid) {
  auto& p = pairs_[{controller, agent_eid}];
  if (!p) {
    p = std::make_unique<pair>(*this, agent_eid, controller);
    if (auto it = shared_.find(controller); it != shared_.end()) p->shared_up(it->second);
  }
  return *p;
}

// ---- from the MQTT side --------------------------------------------------------

void router::from_agent(const snapshot_ptr& snap, agent_record r) {
  if (draining_) {
    stats_.drop(drop_reason::shutdown);
    return;
  }
  // Routed with an older configuration: find the controller again by id.
  const auto& controller = snap->cfg.controllers.at(r.controller).endpoint_id;
  if (snap != snap_ && !snap_->controller(controller)) {
    stats_.drop(drop_reason::wrong_to_id);
    log()->warn("{}: dropping a Record for {}, no longer configured", r.from_id, controller);
    return;
  }
  auto& a = agent(r.from_id);
  if (learn_route(a.route, r.is_mqtt_connect, r.connect_version, r.subscribed_topic, r.response_topic, r.reply_to)) {
    log()->debug("{}: reachable on {} (MQTT {})", r.from_id, a.route.topic,
                 a.route.version == mqtt_version::v5 ? "5.0" : "3.1.1");
  }
  // Traffic proves presence.
  if (a.online != true) {
    if (a.online == false) stats_.agents_online.add(1);
    a.online = true;
    if (a.grace) a.grace->cancel();
  }
  auto& p = pair_for(controller, r.from_id);
  if (r.is_mqtt_connect) {
    p.agent_connected();  // Connect Records are per MTP: translated, not forwarded
    return;
  }
  p.unpark();
  p.to_controller(std::move(r.record));
}

void router::presence(const presence_event& e) {
  auto& a = agent(e.eid);
  if (!a.route.learned && e.version) a.route.version = *e.version;
  const bool was = a.online.value_or(false);
  a.online = e.online;
  if (e.online != was) stats_.agents_online.add(e.online ? 1 : -1);
  if (e.online) {
    if (a.grace) a.grace->cancel();
    // Every dial-mode controller gets a session for an agent that is online,
    // so a controller can reach phones that have nothing to say yet (also
    // after a gateway restart: presence is retained).
    for (const auto& c : snap_->cfg.controllers) {
      auto it = pairs_.find({c.endpoint_id, e.eid});
      if (it != pairs_.end() && !was) it->second->agent_online();
      if (c.websocket.mode != ws_mode::dial) continue;
      auto& p = pair_for(c.endpoint_id, e.eid);
      p.parked_ ? p.unpark() : p.dial();
    }
    return;
  }
  if (!a.grace) a.grace = std::make_unique<boost::asio::steady_timer>(ex_);
  a.grace->expires_after(snap_->cfg.agents.offline_grace);
  a.grace->async_wait([this, eid = e.eid](const boost::system::error_code& ec) {
    if (!ec) went_offline(eid);
  });
}

void router::went_offline(const std::string& eid) {
  const auto it = agents_.find(eid);
  if (it == agents_.end() || it->second.online != false) return;
  log()->info("{}: offline for {} s, closing its sessions", eid, snap_->cfg.agents.offline_grace.count());
  for (auto& [key, p] : pairs_) {
    if (key.second == eid) p->park();
  }
}

void router::mqtt_connected(bool) {}

// ---- from the controller side ---------------------------------------------------

void router::from_controller(const std::string& controller, const std::string& agent_eid, std::string_view record) {
  boost::system::error_code ec;
  const auto env = scan_envelope(record, ec);
  if (!env) {
    stats_.drop(drop_reason::malformed);
    log()->warn("{} -> {}: dropping an unreadable Record: {}", controller, agent_eid, ec.message());
    return;
  }
  if (!agent_eid.empty() && env->to_id != agent_eid) {
    stats_.drop(drop_reason::wrong_to_id);
    log()->warn("{} -> {}: dropping a Record for {} on this agent's session", controller, agent_eid, env->to_id);
    return;
  }
  if (env->from_id != controller) {
    stats_.drop(drop_reason::wrong_from_id);
    log()->warn("{} -> {}: dropping a Record claiming to come from {}", controller, env->to_id, env->from_id);
    return;
  }
  const std::string to(env->to_id);
  const auto it = agents_.find(to);
  if (it == agents_.end()) {
    stats_.drop(drop_reason::unknown_agent);
    log()->warn("{}: dropping a Record for unknown agent {}", controller, to);
    return;
  }
  std::size_t index = 0;
  if (!snap_->controller(controller, &index)) {
    stats_.drop(drop_reason::wrong_from_id);
    return;
  }
  bump(stats_.records_to_agent);
  if (agent_eid.empty()) {
    if (auto p = pairs_.find({controller, to}); p != pairs_.end()) ++p->second->to_agent_;
  }
  ports_.publish(snap_->topics.to_agent(it->second.route, index), std::string(record));
}

void router::attach(const std::string& controller, const std::string& agent_eid, channel ch) {
  agent(agent_eid);
  pair_for(controller, agent_eid).attach(std::move(ch));
}

void router::detach(const std::string& controller, const std::string& agent_eid, const mtp::ws_session_ptr& s) {
  if (auto it = pairs_.find({controller, agent_eid}); it != pairs_.end()) it->second->detach(s);
}

void router::shared_up(const std::string& controller, channel ch) {
  shared_[controller] = ch;
  for (auto& [eid, a] : agents_) {
    if (a.online != false) pair_for(controller, eid).shared_up(ch);
  }
}

void router::shared_down(const std::string& controller, const mtp::ws_session_ptr& s) {
  if (auto it = shared_.find(controller); it != shared_.end() && it->second.session == s) shared_.erase(it);
  for (auto& [key, p] : pairs_) {
    if (key.first == controller) p->shared_down(s);
  }
}

// ---- life cycle ------------------------------------------------------------------

void router::reload(snapshot_ptr snap) {
  snap_ = std::move(snap);
  for (auto it = pairs_.begin(); it != pairs_.end();) {
    if (!snap_->controller(it->first.first)) {
      it->second->close(1001, "controller removed", false);
      it->second->drop_waiting(drop_reason::wrong_to_id);
      it = pairs_.erase(it);
      continue;
    }
    it->second->reconfigure();
    ++it;
  }
  // Newly configured dial-mode controllers: sessions for the agents online.
  for (const auto& c : snap_->cfg.controllers) {
    if (c.websocket.mode != ws_mode::dial) continue;
    for (auto& [eid, a] : agents_) {
      if (a.online == true) pair_for(c.endpoint_id, eid).dial();
    }
  }
}

void router::drain(std::function<void()> done) {
  draining_ = true;
  drained_ = std::move(done);
  for (auto& [eid, a] : agents_) {
    if (a.grace) a.grace->cancel();
  }
  for (auto& [key, p] : pairs_) {
    p->close(1001, "gateway shutting down", true);
    p->drop_waiting(drop_reason::shutdown);
  }
  check_drained();
}

void router::session_closed() { check_drained(); }

void router::waiting(pair* p, bool any) {
  if (any) {
    waiting_.insert(p);
  } else {
    waiting_.erase(p);
  }
}

void router::sweep_queues() {
  // expire() may empty a queue, which erases its pair from waiting_.
  std::vector<pair*> due(waiting_.begin(), waiting_.end());
  for (auto* p : due) p->expire();
}

void router::check_drained() {
  if (!draining_ || !drained_) return;
  for (const auto& [key, p] : pairs_) {
    if (p->state_ != pair::dial_state::idle && p->own_) return;
  }
  boost::asio::post(ex_, std::exchange(drained_, {}));
}

std::string router::sessions_json() const {
  std::string out;
  for (const auto& [key, p] : pairs_) {
    if (!out.empty()) out += ",";
    out += p->json();
  }
  return out;
}

}  // namespace usp::gateway

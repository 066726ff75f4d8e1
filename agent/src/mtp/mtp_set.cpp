#include "mtp/mtp_set.hpp"

#include "usp/log.hpp"
#include "usp/record.hpp"

namespace usp::agent {

namespace {

std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("agent");
  return lg;
}

// What a reconnect is worth: anything but the retry timing.
bool same(const mqtt_link_config& a, const mqtt_link_config& b) {
  const auto& x = a.mqtt;
  const auto& y = b.mqtt;
  return a.controller_eid == b.controller_eid && a.controller_topic == b.controller_topic && a.own_topic == b.own_topic &&
         a.publish_qos == b.publish_qos && x.host == y.host && x.port == y.port && x.version == y.version &&
         x.username == y.username && x.password == y.password && x.client_id == y.client_id &&
         x.keepalive_s == y.keepalive_s && x.tls.has_value() == y.tls.has_value();
}

bool same(const ws_link_config& a, const ws_link_config& b) {
  return a.url == b.url && a.controller_eid == b.controller_eid && a.keepalive == b.keepalive &&
         a.tls.ca_file == b.tls.ca_file;
}

}  // namespace

mtp_set::mtp_set(boost::asio::any_io_executor ex, callbacks cb) : ex_(std::move(ex)), cb_(std::move(cb)) {}

mtp_set::~mtp_set() { stop(); }

void mtp_set::apply(const controller_mtp& want) {
  if (stopped_) return;
  auto& l = links_[want.index];
  const bool eid_changed = l.eid != want.eid;
  // A link that started without a client id got one from the broker (and
  // the state folder now offers it): that is the same configuration.
  if (l.mqtt && want.mqtt && l.mqtt_cfg->mqtt.client_id.empty() && want.mqtt->mqtt.client_id == l.mqtt->client_id()) {
    l.mqtt_cfg->mqtt.client_id = want.mqtt->mqtt.client_id;
  }
  l.want_mqtt = want.mqtt;
  l.want_ws = want.ws;
  if (l.mqtt && (!want.mqtt || !same(*l.mqtt_cfg, *want.mqtt) || eid_changed)) retire_mqtt(want.index, l);
  if (l.ws && (!want.ws || !same(*l.ws_cfg, *want.ws) || eid_changed)) retire_ws(want.index, l);
  const auto old_eid = l.eid;
  l.eid = want.eid;
  if (!old_eid.empty()) update_reachability(old_eid);
  start_wanted(want.index, l);
}

void mtp_set::start_wanted(unsigned index, links& l) {
  if (stopped_ || l.retiring > 0) return;
  if (l.want_mqtt && !l.mqtt) start_mqtt(index, l, *l.want_mqtt);
  if (l.want_ws && !l.ws) start_ws(index, l, *l.want_ws);
}

void mtp_set::retire_mqtt(unsigned index, links& l) {
  log()->info("MQTT MTP to controller {} changes: reconnecting", index);
  ++l.retiring;
  auto* raw = l.mqtt.get();
  retired_mqtt_.push_back(std::move(l.mqtt));
  l.mqtt_cfg.reset();
  raw->stop([this, index, raw] {
    std::erase_if(retired_mqtt_, [raw](const auto& p) { return p.get() == raw; });
    auto& again = links_[index];
    --again.retiring;
    start_wanted(index, again);
  });
}

void mtp_set::retire_ws(unsigned index, links& l) {
  log()->info("WebSocket MTP to controller {} changes: reconnecting", index);
  ++l.retiring;
  auto* raw = l.ws.get();
  retired_ws_.push_back(std::move(l.ws));
  l.ws_cfg.reset();
  raw->stop([this, index, raw] {
    std::erase_if(retired_ws_, [raw](const auto& p) { return p.get() == raw; });
    auto& again = links_[index];
    --again.retiring;
    start_wanted(index, again);
  });
}

void mtp_set::start_mqtt(unsigned index, links& l, const mqtt_link_config& cfg) {
  mqtt_link::callbacks cb;
  const auto eid = cfg.controller_eid;
  auto* lp = &l;  // std::map nodes do not move
  cb.on_record = [this, lp](std::string_view record, const std::string& reply_to) {
    // Answer on this link, to the request's reply-to (or the controller's topic).
    mqtt_link* link = lp->mqtt.get();
    cb_.on_record(record, [link, reply_to](std::string answer) { return link && link->send(answer, reply_to); });
  };
  cb.on_ready = [this, eid] { update_reachability(eid); };
  cb.on_down = [this, eid] { update_reachability(eid); };
  cb.on_client_id = [this, index](const std::string& id) {
    if (cb_.on_client_id) cb_.on_client_id(index, id);
  };
  try {
    auto link = std::make_unique<mqtt_link>(ex_, cfg, std::move(cb));
    link->start();
    l.mqtt = std::move(link);
    l.mqtt_cfg = cfg;
  } catch (const std::exception& e) {
    log()->error("cannot start the MQTT MTP to controller {}: {}", index, e.what());
  }
}

void mtp_set::start_ws(unsigned index, links& l, const ws_link_config& cfg) {
  ws_link::callbacks cb;
  const auto eid = cfg.controller_eid;
  cb.on_record = [this](std::string_view record, const mtp::ws_session_ptr& s) {
    std::weak_ptr<mtp::ws_session> weak = s;
    cb_.on_record(record, [weak](std::string answer) {
      auto session = weak.lock();
      return session && session->send(std::move(answer));
    });
  };
  cb.on_ready = [this, eid] { update_reachability(eid); };
  cb.on_down = [this, eid] { update_reachability(eid); };
  cb.may_dial = [this, eid] { return !(listener_ && listener_->has_session(eid)); };  // R-WS.4
  auto link = std::make_unique<ws_link>(ex_, cfg, std::move(cb));
  link->start();
  l.ws = std::move(link);
  l.ws_cfg = cfg;
  log()->info("WebSocket MTP to controller {} at {}", index, cfg.url);
}

void mtp_set::listen(ws_listener_config cfg) {
  ws_listener::callbacks cb;
  cb.is_enabled_controller = [this](const std::string& eid) {
    return cb_.is_enabled_controller && cb_.is_enabled_controller(eid);
  };
  cb.has_other_session = [this](const std::string& eid) {
    for (const auto& [i, l] : links_) {
      if (l.eid == eid && l.ws && l.ws->ready()) return true;  // R-WS.4
    }
    return false;
  };
  cb.on_record = [this](const std::string&, std::string_view record, const mtp::ws_session_ptr& s) {
    std::weak_ptr<mtp::ws_session> weak = s;
    cb_.on_record(record, [weak](std::string answer) {
      auto session = weak.lock();
      return session && session->send(std::move(answer));
    });
  };
  cb.on_open = [this](const std::string& eid) { update_reachability(eid); };
  cb.on_close = [this](const std::string& eid) { update_reachability(eid); };
  listener_ = std::make_unique<ws_listener>(ex_, std::move(cfg), std::move(cb));
}

void mtp_set::stop() {
  stopped_ = true;
  for (auto& [i, l] : links_) {
    if (l.mqtt) l.mqtt->stop();
    if (l.ws) l.ws->stop();
  }
  if (listener_) listener_->stop();
}

bool mtp_set::send(const std::string& eid, std::string_view record) {
  for (auto& [i, l] : links_) {
    if (l.eid != eid) continue;
    if (l.mqtt && l.mqtt->ready()) return l.mqtt->send(record);
    if (l.ws && l.ws->ready()) return l.ws->send(record);
  }
  return listener_ && listener_->has_session(eid) && listener_->send(eid, record);
}

std::string mtp_set::connect_record(const std::string& eid) const {
  for (const auto& [i, l] : links_) {
    if (l.eid != eid) continue;
    if (l.mqtt && l.mqtt->ready()) {
      const auto& c = l.mqtt->config();
      return make_mqtt_connect_record(c.agent_eid, eid, c.mqtt.version, l.mqtt->reply_to());
    }
    if (l.ws && l.ws->ready()) return make_websocket_connect_record(l.ws->config().agent_eid, eid);
  }
  if (listener_ && listener_->has_session(eid)) return make_websocket_connect_record(listener_->config().agent_eid, eid);
  return {};
}

bool mtp_set::reachable(const std::string& eid) const {
  for (const auto& [i, l] : links_) {
    if (l.eid != eid) continue;
    if ((l.mqtt && l.mqtt->ready()) || (l.ws && l.ws->ready())) return true;
  }
  return listener_ && listener_->has_session(eid);
}

void mtp_set::update_reachability(const std::string& eid) {
  const bool now = reachable(eid);
  auto& was = reachable_[eid];
  if (now == was) return;
  was = now;
  if (now && cb_.on_reachable) cb_.on_reachable(eid);
  if (!now && cb_.on_unreachable) cb_.on_unreachable(eid);
}

std::string mtp_set::mqtt_status(unsigned index) const {
  const auto it = links_.find(index);
  return it == links_.end() || !it->second.mqtt ? "Disabled" : it->second.mqtt->client_status();
}

std::string mtp_set::mqtt_client_id(unsigned index) const {
  const auto it = links_.find(index);
  return it == links_.end() || !it->second.mqtt ? std::string() : it->second.mqtt->client_id();
}

std::string mtp_set::mqtt_response_information(unsigned index) const {
  const auto it = links_.find(index);
  return it == links_.end() || !it->second.mqtt ? std::string() : it->second.mqtt->response_information();
}

std::string mtp_set::mtp_status(unsigned index) const {
  const auto it = links_.find(index);
  if (it == links_.end()) return "Down";
  if (it->second.mqtt) return it->second.mqtt->mtp_status();
  if (it->second.ws) return it->second.ws->status();
  return "Down";
}

std::uint32_t mtp_set::ws_retry_count(unsigned index) const {
  const auto it = links_.find(index);
  return it == links_.end() || !it->second.ws ? 0 : it->second.ws->retry_count();
}

std::optional<std::uint16_t> mtp_set::listener_port() const {
  if (!listener_) return std::nullopt;
  return listener_->port();
}

void mtp_set::force_mqtt_reconnect(unsigned index) {
  if (auto it = links_.find(index); it != links_.end() && it->second.mqtt) it->second.mqtt->force_reconnect();
}

}  // namespace usp::agent

#include "side/mqtt_side.hpp"

#include <algorithm>

#include "usp/envelope.hpp"
#include "usp/partition.hpp"

namespace usp::gateway {

namespace {

std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("gateway.mqtt");
  return lg;
}

constexpr std::size_t backlog_records = 4096;

mtp::mqtt_options client_options(const gateway_config& cfg) {
  const auto& m = cfg.mqtt;
  mtp::mqtt_options o;
  o.host = m.host;
  o.port = m.port;
  o.version = mqtt_version::v5;
  o.client_id = m.client_id;
  o.username = m.username;
  o.password = m.password;
  o.keepalive_s = m.keepalive_s;
  // A persistent session: what the broker holds for us while we are away
  // (QoS 1 Records from agents) is delivered when we come back.
  o.clean_start = false;
  o.session_expiry_s = static_cast<std::uint32_t>(m.session_expiry.count());
  o.request_response_info = false;
  o.maximum_packet_size = static_cast<std::uint32_t>(cfg.agents.max_record_bytes + 1024);
  // Every agent's Records reach us on this one connection: with the broker's
  // default window (mosquitto: 20 in flight, then 1,000 queued) a connect
  // storm of a few thousand phones overflowed its queue and the gateway
  // never heard of some of them. The whole window; TCP still paces it.
  o.receive_maximum = 65535;
  o.tls = m.tls;
  o.retry = retry_policy{std::chrono::seconds(1), 2000, std::chrono::seconds(60)};
  o.max_inflight = 1024;
  return o;
}

}  // namespace

mqtt_side::mqtt_side(boost::asio::any_io_executor ex, snapshot_ptr snap, gateway_stats& stats, callbacks cb)
    : ex_(std::move(ex)),
      snap_(std::move(snap)),
      stats_(stats),
      cb_(std::move(cb)),
      backlog_(backlog_records, overflow_policy::drop_oldest,
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(snap_->cfg.agents.queue_ttl)) {
  mtp::mqtt_client::handlers h;
  h.on_connected = [this](const mtp::connack_info& ack) {
    connected_ = true;
    subscribed_ = snap_->topics.filters();
    boost::system::error_code ec;
    connect_subscribe_mid_ = client_->subscribe(subscribed_, 1, ec);
    if (!connect_subscribe_mid_) log()->error("cannot subscribe: {}", ec.message());
    log()->info("connected to {}:{} (session {})", snap_->cfg.mqtt.host, snap_->cfg.mqtt.port,
                ack.session_present ? "resumed" : "new");
    flush();
  };
  h.on_subscribed = [this](int mid, const std::vector<int>& granted) {
    for (std::size_t i = 0; i < granted.size() && i < subscribed_.size(); ++i) {
      if (granted[i] >= 0x80) log()->error("the broker refused the subscription to {}", subscribed_[i]);
    }
    // Ready (/readyz) once the broker routes agents' Records to us: between
    // CONNACK and SUBACK of a new session they would find no subscriber.
    if (connect_subscribe_mid_ && mid == *connect_subscribe_mid_) {
      connect_subscribe_mid_.reset();
      if (cb_.on_connection) cb_.on_connection(true);
    }
  };
  h.on_disconnected = [this](const boost::system::error_code& ec) {
    if (connected_ && stopping_) {
      log()->info("disconnected from the broker");
    } else if (connected_) {
      log()->warn("broker connection lost: {}", ec ? ec.message() : "closed by the broker");
    }
    connected_ = false;
    if (cb_.on_connection) cb_.on_connection(false);
  };
  h.on_message = [this](const mtp::mqtt_message& m) { on_message(m); };
  h.on_published = [this](int) {
    if (!backlog_.empty()) flush();
  };
  client_ = std::make_unique<mtp::mqtt_client>(ex_, client_options(snap_->cfg), std::move(h));
}

mqtt_side::~mqtt_side() = default;

void mqtt_side::start() { client_->start(); }

void mqtt_side::stop(std::function<void()> closed) {
  stopping_ = true;
  const auto left = backlog_.clear();
  if (left) stats_.drop(drop_reason::shutdown, left);
  account();
  client_->stop(std::move(closed));
}

void mqtt_side::warn_drop(drop_reason r, const std::string& what) {
  stats_.drop(r);
  std::uint64_t suppressed = 0;
  if (drop_log_.allow(suppressed)) {
    log()->warn("dropping {} ({}){}", what, to_string(r),
                suppressed ? " (" + std::to_string(suppressed) + " similar drops not logged)" : std::string());
  }
}

// ---- inbound -----------------------------------------------------------------------

void mqtt_side::on_message(const mtp::mqtt_message& m) {
  if (auto eid = snap_->topics.presence_agent(m.topic)) {
    const auto e = parse_presence(m.payload);
    if (!e || e->eid != *eid) {
      log()->warn("ignoring a presence message on {} that does not parse", m.topic);
      return;
    }
    const auto& mc = snap_->cfg.mqtt;
    if (partition_of(e->eid, mc.partitions) != mc.partition) return;  // another gateway's agent
    cb_.on_presence(*e);
    return;
  }
  auto in = snap_->topics.classify(m.topic);
  if (!in) {
    log()->debug("ignoring a message on {}", m.topic);
    return;
  }
  on_agent_message(in->controller, std::move(in->reply_to), m);
}

void mqtt_side::on_agent_message(std::size_t controller, std::optional<std::string> reply_to,
                                 const mtp::mqtt_message& m) {
  const auto& cfg = snap_->cfg;
  if (m.payload.size() > cfg.agents.max_record_bytes) {
    warn_drop(drop_reason::oversize, "a " + std::to_string(m.payload.size()) + "-byte message on " + std::string(m.topic));
    return;
  }
  boost::system::error_code ec;
  const auto env = scan_envelope(m.payload, ec);
  if (!env) {
    warn_drop(drop_reason::malformed, "a message on " + std::string(m.topic) + ": " + ec.message());
    return;
  }
  const auto& ctl = cfg.controllers[controller];
  if (env->to_id != ctl.endpoint_id) {
    warn_drop(drop_reason::wrong_to_id,
              "a Record from " + std::string(env->from_id) + " for " + std::string(env->to_id) + " on " + ctl.mqtt_topic);
    return;
  }
  agent_record r;
  r.controller = controller;
  r.record.assign(m.payload);
  r.from_id.assign(env->from_id);
  r.is_mqtt_connect = env->type == record_type::mqtt_connect;
  r.connect_version = env->mqtt_version;
  r.subscribed_topic.assign(env->subscribed_topic);
  r.response_topic.assign(m.response_topic);
  r.reply_to = std::move(reply_to);
  cb_.on_agent_record(snap_, std::move(r));
}

// ---- outbound ----------------------------------------------------------------------

bool mqtt_side::try_publish(const pending& p) {
  mtp::publish_request req;
  req.topic = p.where.topic;
  req.payload = p.record;
  req.qos = 1;
  req.response_topic = p.where.response_topic;   // R-MQTT.23 (empty for 3.1.1 agents)
  if (!p.where.response_topic.empty()) req.content_type = "usp.msg";  // R-MQTT.27
  boost::system::error_code ec;
  if (client_->publish(req, ec)) return true;
  if (ec != mtp::mqtt_errc::not_connected && ec != mtp::mqtt_errc::inflight_full) {
    warn_drop(drop_reason::publish_failed, "a Record for " + p.where.topic + ": " + ec.message());
    return true;  // refused for good: do not keep it
  }
  return false;
}

void mqtt_side::publish(const outbound& where, std::string record) {
  pending p{where, std::move(record)};
  if (backlog_.empty() && try_publish(p)) return;
  backlog_.push(std::move(p));
  account();
}

void mqtt_side::flush() {
  while (auto* p = backlog_.front()) {
    if (!try_publish(*p)) break;
    backlog_.pop();
  }
  account();
}

void mqtt_side::account() {
  const auto& c = backlog_.counters();
  const auto overflow = c.dropped_overflow - accounted_.dropped_overflow;
  const auto expired = c.dropped_expired - accounted_.dropped_expired;
  if (overflow) stats_.drop(drop_reason::queue_overflow, overflow);
  if (expired) stats_.drop(drop_reason::queue_expired, expired);
  if (overflow || expired) log()->warn("{} Record(s) for agents dropped while the broker was away", overflow + expired);
  accounted_ = c;
}

void mqtt_side::reload(snapshot_ptr snap) {
  const auto old_filters = snap_->topics.filters();
  snap_ = std::move(snap);
  if (!connected_) return;  // the next CONNACK subscribes to the new set
  const auto now = snap_->topics.filters();
  std::vector<std::string> gone, added;
  for (const auto& f : old_filters) {
    if (std::find(now.begin(), now.end(), f) == now.end()) gone.push_back(f);
  }
  for (const auto& f : now) {
    if (std::find(old_filters.begin(), old_filters.end(), f) == old_filters.end()) added.push_back(f);
  }
  boost::system::error_code ec;
  if (!gone.empty()) client_->unsubscribe(gone, ec);
  if (!added.empty()) client_->subscribe(added, 1, ec);
  subscribed_ = now;
}

}  // namespace usp::gateway

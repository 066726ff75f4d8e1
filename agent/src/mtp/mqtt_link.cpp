#include "mtp/mqtt_link.hpp"

#include <algorithm>

#include "usp/log.hpp"
#include "usp/record.hpp"
#include "usp/reply_to.hpp"

namespace usp::agent {

namespace {
std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("agent.mqtt");
  return lg;
}
}  // namespace

mqtt_link::mqtt_link(boost::asio::any_io_executor ex, mqtt_link_config cfg, callbacks cb)
    : ex_(std::move(ex)), cfg_(std::move(cfg)), cb_(std::move(cb)) {
  mtp::mqtt_client::handlers h;
  h.on_connected = [this](const mtp::connack_info& c) { on_connected(c); };
  h.on_disconnected = [this](const boost::system::error_code&) {
    const bool was_ready = ready_;
    ready_ = false;
    pending_subscribe_.reset();
    if (was_ready && cb_.on_down) cb_.on_down();
  };
  h.on_subscribed = [this](int mid, const std::vector<int>& granted) {
    if (pending_subscribe_ && *pending_subscribe_ == mid) on_subscribed(granted);
  };
  h.on_message = [this](const mtp::mqtt_message& m) { on_message(m); };
  client_ = std::make_unique<mtp::mqtt_client>(ex_, cfg_.mqtt, std::move(h));
}

mqtt_link::~mqtt_link() = default;

void mqtt_link::start() { client_->start(); }

void mqtt_link::stop(std::function<void()> closed) {
  if (ready_) {
    // R-MTP.7: say goodbye before leaving.
    publish(make_disconnect_record(cfg_.agent_eid, cfg_.controller_eid, "agent is shutting down", 7105),
            cfg_.controller_topic);
  }
  ready_ = false;
  client_->stop(std::move(closed));
}

void mqtt_link::force_reconnect() { client_->force_reconnect(); }

void mqtt_link::on_connected(const mtp::connack_info& c) {
  if (!c.assigned_client_id.empty() && cb_.on_client_id) cb_.on_client_id(c.assigned_client_id);
  // R-MQTT.15: one SUBSCRIBE with every subscribe-topic of the CONNACK, the
  // Response Information topic, else our configured response topic (as a
  // filter with /# on 3.1.1, where requests arrive with /reply-to= appended).
  std::vector<std::string> filters = c.subscribe_topics;
  auto covered = [&filters](const std::string& t) { return std::find(filters.begin(), filters.end(), t) != filters.end(); };
  const bool v5 = cfg_.mqtt.version == mqtt_version::v5;
  if (v5 && !c.response_information.empty()) {
    if (!covered(c.response_information)) filters.push_back(c.response_information);
  } else if (!cfg_.own_topic.empty()) {
    const auto f = v5 ? cfg_.own_topic : cfg_.own_topic + "/#";
    if (!covered(f)) filters.push_back(f);
  }
  if (filters.empty()) {
    // R-MQTT.16: nothing to listen on: disconnect and disable this MTP.
    log()->error("no topic to subscribe to for controller {}: disconnecting", cfg_.controller_eid);
    misconfigured_ = true;
    client_->stop();
    return;
  }
  boost::system::error_code ec;
  pending_subscribe_ = client_->subscribe(filters, 1, ec);
  if (!pending_subscribe_) log()->error("SUBSCRIBE failed: {}", ec.message());
}

void mqtt_link::on_subscribed(const std::vector<int>& granted) {
  pending_subscribe_.reset();
  const bool any = std::any_of(granted.begin(), granted.end(), [](int g) { return g < 0x80; });
  if (!any) {
    // R-MQTT.17: every subscription refused: publish nothing, disconnect.
    log()->error("broker refused every subscription for controller {}: disconnecting", cfg_.controller_eid);
    misconfigured_ = true;
    client_->stop();
    return;
  }
  misconfigured_ = false;
  // R-MTP.6: the Connect Record goes first, with where we are reachable.
  const auto record = make_mqtt_connect_record(cfg_.agent_eid, cfg_.controller_eid, cfg_.mqtt.version, reply_to());
  if (!publish(record, cfg_.controller_topic)) return;
  ready_ = true;
  log()->info("MQTT MTP to {} ready (reply-to {})", cfg_.controller_eid, reply_to());
  if (cb_.on_ready) cb_.on_ready();
}

void mqtt_link::on_message(const mtp::mqtt_message& m) {
  std::string reply;
  if (cfg_.mqtt.version == mqtt_version::v5) {
    // R-MQTT.27a: accept both content types; anything else is not USP.
    if (!m.content_type.empty() && m.content_type != "usp.msg" && m.content_type != "application/vnd.bbf.usp.msg") {
      ++dropped_;
      log()->warn("dropping PUBLISH on {}: content type '{}' is not USP", m.topic, m.content_type);
      return;
    }
    reply = std::string(m.response_topic);  // R-MQTT.26
  } else {
    if (auto split = split_reply_to(m.topic); split.reply_to) reply = *split.reply_to;  // R-MQTT.25
  }
  if (cb_.on_record) cb_.on_record(m.payload, reply);
}

bool mqtt_link::publish(std::string_view record, std::string_view topic) {
  const std::string own = reply_to();
  mtp::publish_request p;
  std::string with_reply;
  p.qos = cfg_.publish_qos;
  p.payload = record;
  if (cfg_.mqtt.version == mqtt_version::v5) {
    p.topic = topic;
    p.response_topic = own;        // R-MQTT.22/23
    p.content_type = "usp.msg";    // R-MQTT.27
  } else {
    with_reply = append_reply_to(topic, own);  // R-MQTT.24
    p.topic = with_reply;
  }
  boost::system::error_code ec;
  if (!client_->publish(p, ec)) {
    ++dropped_;
    log()->warn("cannot publish to {}: {}", topic, ec.message());
    return false;
  }
  return true;
}

bool mqtt_link::send(std::string_view record, std::string_view topic) {
  if (!ready_) return false;
  return publish(record, topic.empty() ? std::string_view(cfg_.controller_topic) : topic);
}

std::string mqtt_link::client_status() const {
  if (misconfigured_) return "Error_Misconfigured";
  switch (client_->state()) {
    case mtp::mqtt_state::connected: return "Connected";
    case mtp::mqtt_state::resolving:
    case mtp::mqtt_state::connecting: return "Connecting";
    case mtp::mqtt_state::waiting_retry: return "Error_BrokerUnreachable";
    case mtp::mqtt_state::idle:
    case mtp::mqtt_state::stopped: return "Disabled";
  }
  return "Error";
}

std::string mqtt_link::mtp_status() const {
  if (ready_) return "Up";
  return misconfigured_ ? "Error" : "Down";
}

std::string mqtt_link::client_id() const { return client_->client_id(); }

std::string mqtt_link::response_information() const { return client_->connack().response_information; }

std::string mqtt_link::reply_to() const {
  const auto& info = client_->connack().response_information;
  return cfg_.mqtt.version == mqtt_version::v5 && !info.empty() ? info : cfg_.own_topic;
}

}  // namespace usp::agent

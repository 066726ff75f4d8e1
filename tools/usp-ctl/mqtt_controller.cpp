#include "mqtt_controller.hpp"

#include <atomic>

#include "requests.hpp"
#include "usp/envelope.hpp"
#include "usp/log.hpp"
#include "usp/reply_to.hpp"

namespace usp::ctl {

namespace {
std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("ctl.mqtt");
  return lg;
}

std::string expand_eid(std::string tmpl, const std::string& eid) {
  for (auto pos = tmpl.find("{eid}"); pos != std::string::npos; pos = tmpl.find("{eid}", pos + eid.size())) {
    tmpl.replace(pos, 5, eid);
  }
  return tmpl;
}
}  // namespace

std::string next_msg_id(const std::string& prefix) {
  static std::atomic<std::uint64_t> n{0};
  return prefix + "-" + std::to_string(++n);
}

mqtt_controller::mqtt_controller(boost::asio::any_io_executor ex, mqtt_controller_options opts)
    : opts_(std::move(opts)), ex_(ex) {
  if (opts_.mqtt.endpoint_id.empty()) opts_.mqtt.endpoint_id = opts_.endpoint_id;
  mtp::mqtt_client::handlers h;
  h.on_connected = [this](const mtp::connack_info&) {
    boost::system::error_code ec;
    std::vector<std::string> filters{opts_.topic};
    if (opts_.mqtt.version == mqtt_version::v3_1_1) filters.push_back(opts_.topic + "/#");
    subscribe_mid_ = client_->subscribe(filters, 1, ec);
  };
  h.on_subscribed = [this](int mid, const std::vector<int>&) {
    if (subscribe_mid_ && mid == *subscribe_mid_) ready_ = true;
  };
  h.on_disconnected = [this](const boost::system::error_code&) { ready_ = false; };
  h.on_message = [this](const mtp::mqtt_message& m) { on_message(m); };
  client_ = std::make_unique<mtp::mqtt_client>(std::move(ex), opts_.mqtt, std::move(h));
  if (opts_.e2e) {
    e2e_ = std::make_unique<e2e_peers>(ex_, opts_.endpoint_id, *opts_.e2e,
                                       [this](const std::string& agent, const std::string& wire) { send_raw(agent, wire); });
  }
}

mqtt_controller::~mqtt_controller() = default;

void mqtt_controller::start() { client_->start(); }

void mqtt_controller::stop() {
  ready_ = false;
  client_->stop();
}

std::optional<mqtt_controller::agent_info> mqtt_controller::agent(const std::string& eid) const {
  const auto it = agents_.find(eid);
  if (it == agents_.end()) return std::nullopt;
  return it->second;
}

std::string mqtt_controller::topic_for(const std::string& agent) const {
  const auto it = agents_.find(agent);
  if (it != agents_.end() && !it->second.topic.empty()) return it->second.topic;
  return expand_eid(opts_.agent_topic_template, agent);
}

void mqtt_controller::on_message(const mtp::mqtt_message& m) {
  received_record r;
  r.topic = std::string(m.topic);
  r.content_type = std::string(m.content_type);
  if (!m.response_topic.empty()) {
    r.reply_to = std::string(m.response_topic);
  } else if (auto split = split_reply_to(m.topic); split.reply_to) {
    r.reply_to = *split.reply_to;
  }
  boost::system::error_code ec;
  auto record = decode_record(m.payload, ec);
  if (!record) {
    log()->warn("dropping an unreadable Record on {}: {}", m.topic, ec.message());
    return;
  }
  r.record = std::move(*record);
  auto& info = agents_[r.record.from_id()];
  if (r.record.has_mqtt_connect()) {
    info.connected = true;
    info.topic = r.record.mqtt_connect().subscribed_topic();
    info.version = r.record.mqtt_connect().version() == usp_record::MQTTConnectRecord::V5 ? mqtt_version::v5
                                                                                       : mqtt_version::v3_1_1;
  } else if (!r.reply_to.empty()) {
    info.topic = r.reply_to;  // discovery (b): the agent's reply-to
    info.version = m.response_topic.empty() ? mqtt_version::v3_1_1 : mqtt_version::v5;
  }
  if (e2e_ && e2e_peers::takes(r.record)) {
    if (on_record) on_record(r);
    // Each whole Msg comes back through deliver() with this Record's routing.
    e2e_->receive(r.record, [this, &r](std::string msg) {
      received_record whole = r;
      boost::system::error_code mec;
      whole.msg = decode_msg(msg, mec);
      if (!whole.msg) {
        log()->warn("dropping an unreadable Msg from {} in a session: {}", r.record.from_id(), mec.message());
        return;
      }
      deliver(whole);
    });
    return;
  }
  if (r.record.has_no_session_context()) r.msg = decode_msg(r.record.no_session_context().payload(), ec);
  deliver(r);
}

void mqtt_controller::deliver(const received_record& r) {
  auto resp = r.msg && opts_.answer_notify ? notify_resp_for(*r.msg) : std::nullopt;
  if (resp) send(r.record.from_id(), *resp);
  if (on_record) on_record(r);
}

void mqtt_controller::start_session(const std::string& agent) {
  if (e2e_) e2e_->start(agent);
}

const e2e::session* mqtt_controller::session(const std::string& agent) const {
  return e2e_ ? e2e_->session(agent) : nullptr;
}

bool mqtt_controller::send(const std::string& agent, const usp::Msg& msg) {
  if (e2e_) {
    if (!ready_) return false;
    e2e_->send(agent, msg.SerializeAsString());
    return true;
  }
  return send_raw(agent, make_no_session_record(opts_.endpoint_id, agent, msg));
}

bool mqtt_controller::send_raw(const std::string& agent, std::string_view bytes, bool with_reply_to) {
  mtp::publish_request p;
  p.payload = bytes;
  p.qos = 1;
  const auto topic = topic_for(agent);
  std::string suffixed;
  if (opts_.mqtt.version == mqtt_version::v5) {
    p.topic = topic;
    if (with_reply_to) {
      p.response_topic = opts_.topic;
      p.content_type = "usp.msg";
    }
  } else {
    suffixed = with_reply_to ? append_reply_to(topic, opts_.topic) : topic;
    p.topic = suffixed;
  }
  boost::system::error_code ec;
  if (!client_->publish(p, ec)) {
    log()->warn("cannot publish to {}: {}", topic, ec.message());
    return false;
  }
  return true;
}

}  // namespace usp::ctl

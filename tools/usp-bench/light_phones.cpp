#include "light_phones.hpp"

#include <algorithm>

#include "usp/record.hpp"

namespace usp::bench {

light_phones::light_phones(boost::asio::io_context& io, std::uint16_t broker_port, const std::vector<std::string>& eids,
                           std::string controller_eid, const std::string& connect_topic)
    : controller_eid_(std::move(controller_eid)), target_(connect_topic), tick_(io) {
  for (const auto& eid : eids) {
    auto p = std::make_unique<phone>();
    p->eid = eid;
    p->topic = "usp/agent/" + eid;
    mtp::mqtt_options o;
    o.port = broker_port;
    o.client_id = eid;
    o.endpoint_id = eid;
    o.max_inflight = 1u << 16;
    mtp::mqtt_client::handlers h;
    auto* raw = p.get();
    h.on_connected = [raw](const mtp::connack_info&) {
      boost::system::error_code ec;
      raw->client->subscribe({raw->topic}, 1, ec);
    };
    h.on_subscribed = [this, raw, connect_topic](int, const std::vector<int>&) {
      if (!raw->up) ++up_;  // before the Connect Record, which tells the controller
      raw->up = true;
      const auto connect = make_mqtt_connect_record(raw->eid, controller_eid_, mqtt_version::v5, raw->topic);
      boost::system::error_code ec;
      raw->client->publish({connect_topic, connect, 1, false, raw->topic, "usp.msg"}, ec);
    };
    h.on_message = [this](const mtp::mqtt_message& m) { on_message(m); };
    p->client = std::make_unique<mtp::mqtt_client>(io.get_executor(), o, h);
    by_eid_.emplace(eid, p.get());
    phones_.push_back(std::move(p));
  }
}

light_phones::~light_phones() = default;

void light_phones::start(unsigned per_second) {
  start_t0_ = std::chrono::steady_clock::now();
  per_second_ = std::max(1u, per_second);
  start_some();
}

void light_phones::start_some() {
  const double owed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_t0_).count() * per_second_ + 1;
  for (; started_ < phones_.size() && static_cast<double>(started_) < owed; ++started_) phones_[started_]->client->start();
  if (started_ == phones_.size()) return;
  tick_.expires_after(std::chrono::milliseconds(10));
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) start_some();
  });
}

bool light_phones::notify(const std::string& eid, const std::string& msg_id, std::chrono::steady_clock::time_point at) {
  const auto it = by_eid_.find(eid);
  if (it == by_eid_.end()) return false;
  usp::Msg m;
  m.mutable_header()->set_msg_id(msg_id);
  m.mutable_header()->set_msg_type(usp::Header::NOTIFY);
  auto* n = m.mutable_body()->mutable_request()->mutable_notify();
  n->set_subscription_id("bench-vc");
  n->set_send_resp(true);
  n->mutable_value_change()->set_param_path(stamp_param);
  n->mutable_value_change()->set_param_value(
      std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count()));
  const auto record = make_no_session_record(eid, controller_eid_, m);
  boost::system::error_code ec;
  auto& p = *it->second;
  if (p.client->publish({target_, record, 1, false, p.topic, "usp.msg"}, ec)) return true;
  ++refused_;
  return false;
}

void light_phones::on_message(const mtp::mqtt_message& m) {
  boost::system::error_code ec;
  const auto record = decode_record(m.payload, ec);
  if (!record || !record->has_no_session_context()) return;
  const auto msg = decode_msg(record->no_session_context().payload(), ec);
  if (msg && msg->body().response().has_notify_resp() && on_notify_resp) on_notify_resp(msg->header().msg_id());
}

void light_phones::stop() {
  tick_.cancel();
  for (auto& p : phones_) p->client->stop();
}

}  // namespace usp::bench

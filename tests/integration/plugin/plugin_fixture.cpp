#include "plugin_fixture.hpp"

#include <algorithm>
#include <stdexcept>

#include "usp_test/wait.hpp"

namespace usp::test {

std::vector<std::string> plugin_config(const std::vector<std::string>& extra) {
  std::vector<std::string> lines = {
      std::string("plugin ") + USP_PLUGIN_PATH,
      "plugin_opt_agent_topic usp/agent/{eid}",
      "plugin_opt_controller_topics usp/controller/acme usp/controller/other",
      "plugin_opt_privileged_usernames usp-gateway",
      "plugin_opt_presence_topic usp/presence/{eid}",
  };
  lines.insert(lines.end(), extra.begin(), extra.end());
  return lines;
}

broker_options plugin_broker(const std::vector<std::string>& extra) {
  broker_options o;
  o.config_lines = plugin_config(extra);
  // A sanitized plugin needs its runtime loaded before the (plain) broker.
  const std::string preload = USP_PLUGIN_PRELOAD;
  if (!preload.empty()) o.command_prefix = {"env", "LD_PRELOAD=" + preload, "ASAN_OPTIONS=detect_leaks=1"};
  return o;
}

std::string agent_topic(const std::string& eid) { return "usp/agent/" + eid; }

mtp::mqtt_options client_options(const mosquitto_broker& b, const std::string& client_id, mqtt_version v,
                                 const std::string& username) {
  mtp::mqtt_options o;
  o.host = b.host();
  o.port = b.port();
  o.version = v;
  o.client_id = client_id;
  o.username = username;
  o.keepalive_s = 30;
  o.retry = retry_policy{std::chrono::seconds(1), 1000, std::chrono::seconds(1)};
  return o;
}

peer::peer(boost::asio::io_context& io, mtp::mqtt_options o) : io_(io) {
  mtp::mqtt_client::handlers h;
  h.on_connected = [this](const mtp::connack_info&) { connected_ = true; };
  h.on_disconnected = [this](const boost::system::error_code&) { connected_ = false; };
  h.on_subscribed = [this](int mid, const std::vector<int>& g) {
    last_suback_mid_ = mid;
    granted_ = g;
  };
  h.on_published = [this](int mid) { published_.push_back(mid); };
  h.on_message = [this](const mtp::mqtt_message& m) {
    received.push_back({std::string(m.topic), std::string(m.payload), std::string(m.response_topic),
                        std::string(m.content_type), m.retain});
  };
  client_ = std::make_unique<mtp::mqtt_client>(io.get_executor(), std::move(o), std::move(h));
}

peer::~peer() = default;

void peer::connect() {
  client_->start();
  if (!run_until(io_, [this] { return connected_; })) throw std::runtime_error("no CONNACK");
}

std::vector<int> peer::subscribe(const std::vector<std::string>& filters, int qos) {
  boost::system::error_code ec;
  const auto mid = client_->subscribe(filters, qos, ec);
  if (!mid) throw std::runtime_error("subscribe: " + ec.message());
  if (!run_until(io_, [&] { return last_suback_mid_ == *mid; })) throw std::runtime_error("no SUBACK");
  return granted_;
}

void peer::publish(const std::string& topic, std::string_view payload, const std::string& response_topic,
                   const std::string& content_type) {
  mtp::publish_request r;
  r.topic = topic;
  r.payload = payload;
  r.qos = 1;
  r.response_topic = response_topic;
  r.content_type = content_type;
  const auto before = published_.size();
  boost::system::error_code ec;
  if (!client_->publish(r, ec)) throw std::runtime_error("publish: " + ec.message());
  if (!run_until(io_, [&] { return published_.size() > before; })) throw std::runtime_error("no PUBACK");
}

bool peer::wait_for(const std::string& topic, const std::string& payload) {
  return run_until(io_, [&] {
    return std::any_of(received.begin(), received.end(),
                       [&](const message& m) { return m.topic == topic && m.payload == payload; });
  });
}

bool peer::wait_for_count(std::size_t n) {
  return run_until(io_, [&] { return received.size() >= n; });
}

void peer::stop() {
  client_->stop();
  run_until(io_, [this] { return !connected_; }, std::chrono::seconds(2));
}

}  // namespace usp::test

#include "agent_link.hpp"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "usp/e2e_driver.hpp"
#include "usp/file_secrets.hpp"
#include "usp/log.hpp"
#include "ws_controller.hpp"

namespace usp::ctl {

void agent_link::heard(const received_record& r) {
  if (agent_.empty()) agent_ = r.record.from_id();
  if (on_record) on_record(r);
}

namespace {

std::string first_line_of(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  if (!f || !std::getline(f, line)) throw std::runtime_error("cannot read the password file " + path);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// --e2e: every request in a session we start (Require, R-E2E.4), with a few
// retransmissions allowed.
e2e::config our_sessions() {
  e2e::config s;
  s.mode = e2e::session_mode::require;
  s.max_retransmit_tries = 3;
  return s;
}

class mqtt_link final : public agent_link {
 public:
  mqtt_link(boost::asio::any_io_executor ex, const link_options& o) : agent_link(o.to), where_(o.host + ":" + std::to_string(o.port)) {
    mqtt_controller_options c;
    c.mqtt.host = o.host;
    c.mqtt.port = o.port;
    c.mqtt.version = o.version;
    c.mqtt.client_id = o.client_id;
    // R-MQTT.8: a 3.1.1 broker cannot assign a client id.
    if (c.mqtt.client_id.empty() && o.version == mqtt_version::v3_1_1) {
      c.mqtt.client_id = "usp-ctl-" + std::to_string(::getpid());
    }
    c.mqtt.username = o.username;
    if (!o.password_file.empty()) c.mqtt.password = first_line_of(o.password_file);
    if (o.tls) c.mqtt.tls = o.tls_files;
    c.mqtt.endpoint_id = o.endpoint_id;  // R-MQTT.13
    c.endpoint_id = o.endpoint_id;
    c.topic = o.topic;
    c.agent_topic_template = o.agent_topic;
    if (o.e2e) c.e2e = our_sessions();
    ctl_ = std::make_unique<mqtt_controller>(std::move(ex), std::move(c));
    ctl_->on_record = [this](const received_record& r) { heard(r); };
  }
  ~mqtt_link() override { ctl_->stop(); }

  void start() override { ctl_->start(); }
  void stop() override { ctl_->stop(); }
  bool listening() const override { return ctl_->ready(); }
  bool reaches(const std::string&) const override { return ctl_->ready(); }
  std::string failure() const override {
    if (ctl_->ready() || ctl_->client().stats().connect_failures == 0) return {};
    return "cannot connect to the MQTT broker at " + where_;
  }
  bool send(const std::string& agent, const usp::Msg& msg) override { return ctl_->send(agent, msg); }

 private:
  std::string where_;
  std::unique_ptr<mqtt_controller> ctl_;
};

class ws_link final : public agent_link {
 public:
  ws_link(boost::asio::any_io_executor ex, const link_options& o) : agent_link(o.to), opts_(o) {
    ws_controller_options c;
    c.endpoint_id = o.endpoint_id;
    ctl_ = std::make_unique<ws_controller>(std::move(ex), c);
    if (o.e2e) ctl_->use_e2e(our_sessions());
    ctl_->on_record = [this](const received_record& r) { heard(r); };
    ctl_->on_session_open = [this](const std::string& eid) {
      ++opened_;
      // Listening, the first agent that dials is ours unless --to says.
      if (agent_.empty() && opts_.mode == link_mode::ws_listen) agent_ = eid;
    };
    ctl_->on_session_close = [this](const std::string&, const mtp::ws_close_info& i) {
      if (opts_.mode != link_mode::ws_connect) return;
      failure_ = i.was_open ? "the agent closed the WebSocket session (" + std::to_string(i.code) + " " + i.reason + ")"
                            : "cannot connect to " + opts_.url + ": " +
                                  (i.http_status ? "HTTP " + std::to_string(i.http_status) : i.ec.message());
    };
  }
  ~ws_link() override { ctl_->stop(); }

  void start() override {
    if (opts_.mode == link_mode::ws_listen) {
      std::optional<tls_options> tls;
      if (!opts_.tls_files.cert_file.empty()) tls = opts_.tls_files;  // wss:// with our certificate
      ctl_->listen(opts_.host, opts_.port, tls);
      port_ = ctl_->port();
    } else {
      // Named by --to, or by its first Record when the URL says it all
      // (the gateway's <path_prefix><eid>, an agent's own server).
      ctl_->connect(opts_.url, opts_.to, opts_.tls_files);
    }
  }
  void stop() override { ctl_->stop(); }
  bool listening() const override { return opts_.mode == link_mode::ws_listen || opened_ > 0; }
  bool reaches(const std::string& agent) const override { return ctl_->connected(agent); }
  std::string failure() const override { return failure_; }
  bool send(const std::string& agent, const usp::Msg& msg) override { return ctl_->send(agent, msg); }
  std::string where() const override {
    if (opts_.mode != link_mode::ws_listen) return {};
    return std::string("listening on ") + (opts_.tls_files.cert_file.empty() ? "ws://" : "wss://") + opts_.host + ":" +
           std::to_string(port_) + "/";
  }

 private:
  link_options opts_;
  std::unique_ptr<ws_controller> ctl_;
  std::string failure_;
  int opened_ = 0;
  std::uint16_t port_ = 0;
};

}  // namespace

std::unique_ptr<agent_link> make_agent_link(boost::asio::any_io_executor ex, const link_options& o) {
  // Secrets readable by group or others: a warning naming the file.
  auto lg = usp::log::get("ctl");
  usp::warn_if_exposed(*lg, o.password_file, "--password-file");
  usp::warn_if_exposed(*lg, o.tls_files.key_file, "TLS private key (--key)");
  if (o.mode == link_mode::mqtt) return std::make_unique<mqtt_link>(std::move(ex), o);
  return std::make_unique<ws_link>(std::move(ex), o);
}

}  // namespace usp::ctl

#include "gateway.hpp"

#include <signal.h>

#include <functional>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "http/http_endpoint.hpp"
#include "router.hpp"
#include "side/listener.hpp"
#include "side/mqtt_side.hpp"
#include "side/multiplex_link.hpp"
#include "usp/envelope.hpp"
#include "usp/log.hpp"
#include "usp/yaml_reader.hpp"

namespace usp::gateway {

namespace asio = boost::asio;

namespace {
std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("gateway");
  return lg;
}
constexpr auto drain_time = std::chrono::seconds(5);
}  // namespace

struct gateway::shard {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::unique_ptr<router> routes;
  std::unique_ptr<asio::steady_timer> sweep;
  std::thread thread;
};

gateway::gateway(gateway_config cfg) : snap_(routing_snapshot::make(std::move(cfg))) {
  const auto n = std::max(1u, snap_->cfg.threads);
  for (unsigned i = 0; i < n; ++i) {
    auto s = std::make_unique<shard>();
    router_ports ports;
    ports.publish = [this](outbound where, std::string record) {
      asio::post(shards_[0]->io, [this, where = std::move(where), record = std::move(record)]() mutable {
        mqtt_->publish(where, std::move(record));
      });
    };
    ports.directory = [this](const std::string& agent, bool is_known) {
      std::lock_guard lock(directory_mutex_);
      if (is_known) {
        directory_.insert(agent);
      } else {
        directory_.erase(agent);
      }
    };
    s->routes = std::make_unique<router>(s->io.get_executor(), snap_, stats_, std::move(ports));
    shards_.push_back(std::move(s));
  }
  wire_mqtt();
  if (snap_->cfg.listen.enabled) wire_listener();
  wire_http();
}

gateway::~gateway() {
  for (auto& s : shards_) {
    s->work.reset();
    s->io.stop();
    if (s->thread.joinable()) s->thread.join();
  }
}

gateway::shard& gateway::shard_of(std::string_view agent) {
  return *shards_[std::hash<std::string_view>{}(agent) % shards_.size()];
}

bool gateway::known(const std::string& agent) const {
  std::lock_guard lock(directory_mutex_);
  return directory_.count(agent) > 0;
}

// ---- wiring ------------------------------------------------------------------------

void gateway::wire_mqtt() {
  mqtt_side::callbacks cb;
  cb.on_agent_record = [this](const snapshot_ptr& snap, agent_record r) {
    auto& s = shard_of(r.from_id);
    asio::post(s.io, [&s, snap, r = std::move(r)]() mutable { s.routes->from_agent(snap, std::move(r)); });
  };
  cb.on_presence = [this](const presence_event& e) {
    auto& s = shard_of(e.eid);
    asio::post(s.io, [&s, e] { s.routes->presence(e); });
  };
  cb.on_connection = [this](bool up) { ready_ = up; };
  mqtt_ = std::make_unique<mqtt_side>(shards_[0]->io.get_executor(), snap_, stats_, std::move(cb));
}

void gateway::on_controller_record(const std::string& controller, const std::string& agent, std::string_view record) {
  std::string target = agent;
  if (target.empty()) {
    // A shared socket: the Record names its agent (to_id).
    boost::system::error_code ec;
    const auto env = scan_envelope(record, ec);
    if (!env) {
      stats_.drop(drop_reason::malformed);
      return;
    }
    target.assign(env->to_id);
  }
  auto& s = shard_of(target);
  if (&s == shards_[0].get() && s.io.get_executor().running_in_this_thread()) {
    s.routes->from_controller(controller, agent, record);
    return;
  }
  asio::post(s.io, [&s, controller, agent, record = std::string(record)] {
    s.routes->from_controller(controller, agent, record);
  });
}

void gateway::wire_listener() {
  listener::callbacks cb;
  cb.known = [this](const std::string& agent) { return known(agent); };
  cb.opened = [this](const std::string& controller, const std::string& agent, channel ch) {
    if (agent.empty()) {
      for (auto& s : shards_) asio::post(s->io, [&s = *s, controller, ch] { s.routes->shared_up(controller, ch); });
      return;
    }
    auto& s = shard_of(agent);
    asio::post(s.io, [&s, controller, agent, ch] { s.routes->attach(controller, agent, ch); });
  };
  cb.closed = [this](const std::string& controller, const std::string& agent, const mtp::ws_session_ptr& session) {
    if (agent.empty()) {
      for (auto& s : shards_) {
        asio::post(s->io, [&s = *s, controller, session] { s.routes->shared_down(controller, session); });
      }
      return;
    }
    auto& s = shard_of(agent);
    asio::post(s.io, [&s, controller, agent, session] { s.routes->detach(controller, agent, session); });
  };
  cb.record = [this](const std::string& controller, const std::string& agent, std::string_view record) {
    on_controller_record(controller, agent, record);
  };
  listener_ = std::make_unique<listener>(shards_[0]->io.get_executor(), snap_, stats_, std::move(cb));
  log()->info("listening for controllers on {}:{}{}<agent>", snap_->cfg.listen.address, listener_->port(),
              snap_->cfg.listen.path_prefix);
}

void gateway::start_multiplex() {
  for (const auto& c : snap_->cfg.controllers) {
    if (c.websocket.mode != ws_mode::multiplex) continue;
    bool running = false;
    for (const auto& m : multiplex_) running = running || m->controller() == c.endpoint_id;
    if (running) continue;
    multiplex_link::callbacks cb;
    cb.up = [this](const std::string& controller, channel ch) {
      for (auto& s : shards_) asio::post(s->io, [&s = *s, controller, ch] { s.routes->shared_up(controller, ch); });
    };
    cb.down = [this](const std::string& controller, const mtp::ws_session_ptr& session) {
      for (auto& s : shards_) {
        asio::post(s->io, [&s = *s, controller, session] { s.routes->shared_down(controller, session); });
      }
    };
    cb.record = [this](const std::string& controller, std::string_view record) {
      on_controller_record(controller, {}, record);
    };
    multiplex_.push_back(
        std::make_unique<multiplex_link>(shards_[0]->io.get_executor(), snap_, c.endpoint_id, stats_, std::move(cb)));
    multiplex_.back()->start();
  }
}

// /metrics, /healthz, /readyz and /sessions (docs/operations.md).
void gateway::wire_http() {
  metrics_.add_callback_gauge("usp_gateway_mqtt_connected", "1 while the broker connection is up",
                              [this] { return ready_.load() ? 1.0 : 0.0; });
  for (std::size_t i = 0; i < shards_.size(); ++i) sweep_queues(i);
  if (!snap_->cfg.http.enabled) return;
  http_endpoint_options o;
  o.address = snap_->cfg.http.address;
  o.port = snap_->cfg.http.port;
  http_ = std::make_unique<http_endpoint>(shards_[0]->io.get_executor(), o);
  http_->route("/metrics", [this] {
    return http_response{200, std::string(metrics::content_type), metrics_.render()};
  });
  http_->route("/healthz", [] { return http_response{200, "text/plain; charset=utf-8", "ok\n"}; });
  http_->route("/readyz", [this] {
    if (ready_ && !draining_) return http_response{200, "text/plain; charset=utf-8", "ready\n"};
    return http_response{503, "text/plain; charset=utf-8", draining_ ? "draining\n" : "broker not connected\n"};
  });
  http_->route_deferred("/sessions", [this](http_reply reply) { answer_sessions(std::move(reply)); });
  log()->info("operations endpoint on http://{}:{}/metrics", o.address, http_->port());
}

// /sessions: each shard lists its own sessions on its own thread, only when
// asked; the last one to finish answers.
void gateway::answer_sessions(http_reply reply) {
  struct gather {
    std::vector<std::string> parts;
    std::atomic<std::size_t> left;
    http_reply reply;
  };
  auto g = std::make_shared<gather>();
  g->parts.resize(shards_.size());
  g->left = shards_.size();
  g->reply = std::move(reply);
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    asio::post(shards_[i]->io, [this, g, i] {
      g->parts[i] = shards_[i]->routes->sessions_json();
      if (g->left.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
      std::string body = "[";
      for (const auto& part : g->parts) {
        if (part.empty()) continue;
        if (body.size() > 1) body += ",";
        body += part;
      }
      g->reply(http_response{200, "application/json", body + "]\n"});
    });
  }
}

// Every shard expires its idle queues' Records once a second.
void gateway::sweep_queues(std::size_t i) {
  auto& s = *shards_[i];
  if (!s.sweep) s.sweep = std::make_unique<asio::steady_timer>(s.io);
  s.routes->sweep_queues();
  s.sweep->expires_after(std::chrono::seconds(1));
  s.sweep->async_wait([this, i](const boost::system::error_code& ec) {
    if (!ec && !draining_) sweep_queues(i);
  });
}

// ---- running -----------------------------------------------------------------------

void gateway::wait_signals() {
  signals_->async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      apply_reload();
      wait_signals();
      return;
    }
    log()->info("signal {}: draining", sig);
    begin_drain();
  });
}

int gateway::run() {
  auto& io0 = shards_[0]->io;
  signals_ = std::make_unique<asio::signal_set>(io0, SIGTERM, SIGINT, SIGHUP);
  wait_signals();
  mqtt_->start();
  start_multiplex();
  for (std::size_t i = 1; i < shards_.size(); ++i) {
    shards_[i]->thread = std::thread([s = shards_[i].get()] { s->io.run(); });
  }
  log()->info("usp-gateway running: {} controller(s), {} thread(s)", snap_->cfg.controllers.size(), shards_.size());
  io0.run();
  for (std::size_t i = 1; i < shards_.size(); ++i) {
    shards_[i]->work.reset();
    if (shards_[i]->thread.joinable()) shards_[i]->thread.join();
  }
  log()->info("usp-gateway stopped ({} Records dropped in total)", stats_.dropped_total());
  return 0;
}

void gateway::stop() {
  asio::post(shards_[0]->io, [this] { begin_drain(); });
}

void gateway::reload() {
  asio::post(shards_[0]->io, [this] { apply_reload(); });
}

// SIGTERM: what waits goes out where a channel is up, every session closes
// cleanly (1001), then the broker connection; at most drain_time.
void gateway::begin_drain() {
  if (draining_) return;
  draining_ = true;
  if (signals_) signals_->cancel();
  if (listener_) listener_->stop();
  for (auto& m : multiplex_) m->stop();
  draining_shards_ = shards_.size();
  for (auto& s : shards_) {
    asio::post(s->io, [this, &s = *s] {
      s.routes->drain([this] { asio::post(shards_[0]->io, [this] {
        if (--draining_shards_ == 0) finish_drain();
      }); });
    });
  }
  drain_deadline_ = std::make_unique<asio::steady_timer>(shards_[0]->io, drain_time);
  drain_deadline_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    log()->warn("sessions did not close within {} s", drain_time.count());
    finish_drain();
  });
}

void gateway::finish_drain() {
  if (drain_deadline_) drain_deadline_->cancel();
  draining_shards_ = 0;
  mqtt_->stop([this] {
    for (auto& s : shards_) {
      s->work.reset();
      s->io.stop();
    }
  });
}

void gateway::apply_reload() {
  gateway_config next;
  try {
    next = load_gateway_config(snap_->cfg.source);
  } catch (const usp::config_error& e) {
    for (const auto& p : e.problems()) log()->error("reload: {}", p);
    log()->error("reload refused; the running configuration stays");
    return;
  } catch (const std::exception& e) {
    log()->error("reload refused: {}", e.what());
    return;
  }
  // SIGHUP reloads the controllers (docs/INTERFACES.md); the rest needs a restart.
  auto cfg = snap_->cfg;
  cfg.controllers = std::move(next.controllers);
  snapshot_ptr snap;
  try {
    snap = routing_snapshot::make(std::move(cfg));
  } catch (const std::exception& e) {
    log()->error("reload refused: {}", e.what());
    return;
  }
  const auto before = std::exchange(snap_, snap);
  mqtt_->reload(snap);
  if (listener_) listener_->reload(snap);
  // A multiplex link whose controller left, changed mode, URL, TLS or
  // endpoint id starts afresh with the new settings.
  for (auto it = multiplex_.begin(); it != multiplex_.end();) {
    const auto* c = snap->controller((*it)->controller());
    const auto* was = before->controller((*it)->controller());
    const auto changed = [&] {
      const auto& a = c->websocket;
      const auto& b = was->websocket;
      return a.url != b.url || a.multiplex_eid != b.multiplex_eid || a.tls != b.tls || a.keepalive != b.keepalive;
    };
    if (!c || c->websocket.mode != ws_mode::multiplex || !was || changed()) {
      (*it)->stop();
      it = multiplex_.erase(it);
    } else {
      ++it;
    }
  }
  start_multiplex();
  for (auto& s : shards_) asio::post(s->io, [&s = *s, snap] { s.routes->reload(snap); });
  log()->info("reloaded: {} controller(s)", snap->cfg.controllers.size());
}

std::uint16_t gateway::listen_port() const noexcept { return listener_ ? listener_->port() : 0; }
std::uint16_t gateway::http_port() const noexcept { return http_ ? http_->port() : 0; }

}  // namespace usp::gateway

#include "ws_controller.hpp"

#include <set>

#include "requests.hpp"
#include "usp/log.hpp"

namespace usp::ctl {

namespace {
std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("ctl.ws");
  return lg;
}
}  // namespace

ws_controller::ws_controller(boost::asio::any_io_executor ex, ws_controller_options opts)
    : ex_(std::move(ex)), opts_(std::move(opts)) {}

ws_controller::~ws_controller() {
  *alive_ = false;
  stop();
}

mtp::ws_handlers ws_controller::handlers(std::string fallback_eid) {
  mtp::ws_handlers h;
  h.on_open = [this, fallback_eid, alive = alive_](const mtp::ws_session_ptr& s) {
    if (!*alive) return;
    const auto eid = s->peer().eid.empty() ? fallback_eid : s->peer().eid;
    sessions_[eid] = s;
    if (on_session_open) on_session_open(eid);
  };
  h.on_record = [this, alive = alive_](const mtp::ws_session_ptr& s, std::string_view bytes) {
    if (*alive) on_message(s, bytes);
  };
  h.on_close = [this, fallback_eid, alive = alive_](const mtp::ws_session_ptr& s, const mtp::ws_close_info& info) {
    if (!*alive) return;
    // Every name the session went by goes; the report uses a real one.
    std::string eid = fallback_eid;
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (it->second != s) {
        ++it;
        continue;
      }
      if (eid.empty()) eid = it->first;
      it = sessions_.erase(it);
    }
    if (on_session_close) on_session_close(eid, info);
  };
  return h;
}

void ws_controller::listen(const std::string& address, std::uint16_t port, std::optional<tls_options> tls) {
  mtp::ws_server_options o;
  o.address = address;
  o.port = port;
  o.tls = std::move(tls);
  o.limits = opts_.limits;
  auto policy = [this](const mtp::ws_upgrade_request& r) {
    mtp::ws_upgrade_decision d;
    d.peer_eid = r.query_eid ? *r.query_eid : r.extension_eid.value_or("");
    d.own_eid = opts_.endpoint_id;
    d.accept = !d.peer_eid.empty() && !sessions_.count(d.peer_eid);  // R-WS.4
    d.status = d.peer_eid.empty() ? 400 : 409;
    d.reason = d.peer_eid.empty() ? "give your endpoint id as ?eid=" : "one session per agent";
    return d;
  };
  server_ = std::make_unique<mtp::ws_server>(ex_, std::move(o), std::move(policy), handlers(""));
}

std::uint16_t ws_controller::port() const { return server_ ? server_->port() : 0; }

void ws_controller::connect(const std::string& url, const std::string& agent_eid, tls_options tls) {
  mtp::ws_client_options o;
  o.url = url;
  o.eid = opts_.endpoint_id;
  o.tls = std::move(tls);
  o.limits = opts_.limits;
  mtp::ws_connect(ex_, o, handlers(agent_eid));
}

void ws_controller::on_message(const mtp::ws_session_ptr& s, std::string_view bytes) {
  received_record r;
  boost::system::error_code ec;
  auto record = decode_record(bytes, ec);
  if (!record) return;  // the session already refused unextractable Records
  r.record = std::move(*record);
  // A session is also known by every agent that speaks on it: the agent of
  // a session we dialed, each agent on a gateway's multiplex socket.
  sessions_.try_emplace(r.record.from_id(), s);
  if (e2e_ && e2e_peers::takes(r.record)) {
    if (on_record) on_record(r);
    // Each whole Msg comes back with this Record's routing.
    e2e_->receive(r.record, [this, &s, &r](std::string msg) {
      received_record whole = r;
      boost::system::error_code mec;
      whole.msg = decode_msg(msg, mec);
      if (whole.msg) deliver(s, whole);
    });
    return;
  }
  if (r.record.has_no_session_context()) r.msg = decode_msg(r.record.no_session_context().payload(), ec);
  deliver(s, r);
}

void ws_controller::deliver(const mtp::ws_session_ptr& s, const received_record& r) {
  auto resp = r.msg && opts_.answer_notify ? notify_resp_for(*r.msg) : std::nullopt;
  if (resp) {
    // In the session the Notify came in, when it came in one (R-MSG.0a: the
    // same Record type as the request).
    if (e2e_ && r.record.has_session_context()) {
      e2e_->send(r.record.from_id(), resp->SerializeAsString());
    } else {
      s->send(make_no_session_record(opts_.endpoint_id, r.record.from_id(), *resp));
    }
  }
  if (on_record) on_record(r);
}

void ws_controller::use_e2e(e2e::config c) {
  e2e_ = std::make_unique<e2e_peers>(ex_, opts_.endpoint_id, std::move(c),
                                     [this](const std::string& agent, const std::string& wire) { send_raw(agent, wire); });
}

const e2e::session* ws_controller::e2e_session(const std::string& agent) const {
  return e2e_ ? e2e_->session(agent) : nullptr;
}

bool ws_controller::send(const std::string& agent, const usp::Msg& msg) {
  if (e2e_) {
    if (!connected(agent)) return false;
    e2e_->send(agent, msg.SerializeAsString());
    return true;
  }
  return send_raw(agent, make_no_session_record(opts_.endpoint_id, agent, msg));
}

bool ws_controller::send_raw(const std::string& agent, std::string bytes) {
  const auto it = sessions_.find(agent);
  if (it == sessions_.end()) {
    log()->warn("no session with {}", agent);
    return false;
  }
  return it->second->send(std::move(bytes));
}

bool ws_controller::connected(const std::string& agent) const {
  const auto it = sessions_.find(agent);
  return it != sessions_.end() && it->second->is_open();
}

mtp::ws_session_ptr ws_controller::session(const std::string& agent) const {
  const auto it = sessions_.find(agent);
  return it == sessions_.end() ? nullptr : it->second;
}

void ws_controller::close(const std::string& agent, std::uint16_t code) {
  if (auto it = sessions_.find(agent); it != sessions_.end()) it->second->close(code);
}

std::size_t ws_controller::sessions() const {
  std::set<const mtp::ws_session*> distinct;
  for (const auto& [eid, s] : sessions_) distinct.insert(s.get());
  return distinct.size();
}

void ws_controller::stop() {
  if (server_) server_->stop();
  std::set<mtp::ws_session*> closed;
  for (auto& [eid, s] : sessions_) {
    if (closed.insert(s.get()).second) s->close(1001);
  }
}

}  // namespace usp::ctl

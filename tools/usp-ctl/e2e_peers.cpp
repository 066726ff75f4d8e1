#include "e2e_peers.hpp"

namespace usp::ctl {

e2e_peers::e2e_peers(boost::asio::any_io_executor ex, std::string local_eid, e2e::config cfg,
                     std::function<void(const std::string&, const std::string&)> send_record)
    : ex_(std::move(ex)), local_eid_(std::move(local_eid)), cfg_(std::move(cfg)), send_record_(std::move(send_record)) {}

bool e2e_peers::takes(const usp_record::Record& r) {
  return r.has_session_context() || r.has_no_session_context() || r.has_disconnect();
}

e2e::driver& e2e_peers::with(const std::string& agent) {
  auto& d = drivers_[agent];
  if (d) return *d;
  auto cfg = cfg_;
  cfg.local_eid = local_eid_;
  cfg.peer_eid = agent;
  cfg.agent = false;
  e2e::driver_hooks h;
  h.send_record = [this, agent](const e2e::outgoing_record& out) { send_record_(agent, out.wire); };
  // Msgs only complete while a Record is being taken apart.
  h.deliver = [this](std::string msg) {
    if (deliver_) (*deliver_)(std::move(msg));
  };
  d = std::make_unique<e2e::driver>(ex_, std::move(cfg), std::move(h));
  return *d;
}

void e2e_peers::receive(const usp_record::Record& r, const std::function<void(std::string msg)>& deliver) {
  auto& d = with(r.from_id());
  deliver_ = &deliver;
  d.receive(r);
  deliver_ = nullptr;
}

void e2e_peers::send(const std::string& agent, std::string msg) { with(agent).send(std::move(msg)); }

void e2e_peers::start(const std::string& agent) { with(agent).start(); }

const e2e::session* e2e_peers::session(const std::string& agent) const {
  const auto it = drivers_.find(agent);
  return it == drivers_.end() ? nullptr : &it->second->state();
}

}  // namespace usp::ctl

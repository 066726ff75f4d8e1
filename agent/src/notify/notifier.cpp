#include "notify/notifier.hpp"

#include <charconv>

#include "dm/resolve.hpp"
#include "usp/log.hpp"
#include "usp/strings.hpp"

namespace usp::agent {

namespace {

constexpr std::size_t max_waiting_per_controller = 256;

std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("agent.notify");
  return lg;
}

std::uint32_t to_uint(const std::string& s, std::uint32_t fallback) {
  std::uint32_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : fallback;
}

const dm::instance* local_agent(const dm::data_model& dm) {
  return dm.root().child(*dm.supported().root().find_child("LocalAgent"));
}

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

notifier::notifier(boost::asio::any_io_executor ex, dm::data_model& dm, notify_sink& sink)
    : ex_(std::move(ex)), dm_(dm), sink_(sink) {}

notifier::~notifier() { *alive_ = false; }

std::size_t notifier::pending() const noexcept { return outgoing_.size(); }

std::vector<notifier::subscription> notifier::subscriptions(std::string_view notif_type) const {
  std::vector<subscription> out;
  const auto* la = local_agent(dm_);
  const auto& la_def = la->def();
  const auto* sub_table = la_def.find_child("Subscription");
  const auto* ctl_table = la_def.find_child("Controller");
  const auto& sd = *sub_table;
  for (const auto& [n, row] : *la->rows(sd)) {
    if (dm_.get(*row, *sd.find_param("Enable")) != "true") continue;
    if (dm_.get(*row, *sd.find_param("NotifType")) != notif_type) continue;
    const auto recipient = dm_.get(*row, *sd.find_param("Recipient"));
    const dm::instance* ctl = dm_.find(recipient);
    if (!ctl || &ctl->def() != ctl_table) continue;
    if (dm_.get(*ctl, *ctl_table->find_param("Enable")) != "true") continue;
    subscription s;
    s.id = dm_.get(*row, *sd.find_param("ID"));
    s.recipient_eid = dm_.get(*ctl, *ctl_table->find_param("EndpointID"));
    s.recipient_row = ctl;
    const auto refs = dm_.get(*row, *sd.find_param("ReferenceList"));  // split() views into it
    for (auto r : split(refs, ',')) {
      if (!trim(r).empty()) s.references.emplace_back(trim(r));
    }
    s.retry = dm_.get(*row, *sd.find_param("NotifRetry")) == "true";
    s.expiration_s = to_uint(dm_.get(*row, *sd.find_param("NotifExpiration")), 0);
    if (!s.recipient_eid.empty()) out.push_back(std::move(s));
  }
  return out;
}

// Does one of the subscription's references cover `path`? An object path
// covers everything below it; search paths are resolved now.
bool notifier::references(const subscription& s, const std::string& path) const {
  for (const auto& ref : s.references) {
    const auto parsed = parse_path(ref);
    if (!parsed) continue;
    if (!parsed->is_search()) {
      if (ref == path || (ref.ends_with('.') && path.starts_with(ref))) return true;
      continue;
    }
    auto r = dm::resolve(dm_, *parsed);
    for (const auto* inst : r.objects) {
      if (path.starts_with(inst->path())) return true;
    }
    for (const auto& [inst, p] : r.params) {
      if (inst->path() + p->name == path) return true;
    }
    if (r.command && !r.objects.empty()) {
      for (const auto* inst : r.objects) {
        if (inst->path() + r.command->name + "()" == path) return true;
      }
    }
  }
  return false;
}

std::string notifier::next_msg_id(std::string_view kind) {
  return std::string(kind) + "-" + dm::now_date_time() + "-" + std::to_string(++counter_);
}

void notifier::notify(const subscription& s, usp::Notify n) {
  usp::Msg msg;
  const auto kind = n.has_event() ? "Event" : n.has_value_change() ? "ValueChange" : "Notify";
  const auto id = next_msg_id(kind);
  msg.mutable_header()->set_msg_id(id);
  msg.mutable_header()->set_msg_type(usp::Header::NOTIFY);
  n.set_subscription_id(s.id);
  // NotifRetry asks for a NotifyResp; without it we neither ask nor retry (DM).
  n.set_send_resp(s.retry);
  *msg.mutable_body()->mutable_request()->mutable_notify() = std::move(n);

  outgoing o;
  o.controller = s.recipient_eid;
  o.msg = std::move(msg);
  o.awaits_response = s.retry;
  o.expires = s.expiration_s > 0 ? std::chrono::steady_clock::now() + std::chrono::seconds(s.expiration_s)
                                 : std::chrono::steady_clock::time_point::max();
  if (s.retry) {
    const auto& cdef = s.recipient_row->def();
    usp::retry_policy p;
    p.min_wait = std::chrono::seconds(to_uint(dm_.get(*s.recipient_row, *cdef.find_param("USPNotifRetryMinimumWaitInterval")), 5));
    p.multiplier = to_uint(dm_.get(*s.recipient_row, *cdef.find_param("USPNotifRetryIntervalMultiplier")), 2000);
    o.retry = std::make_unique<usp::retry_state>(p);
  }
  auto [it, inserted] = outgoing_.emplace(id, std::move(o));
  if (online_[s.recipient_eid]) {
    transmit(it->second);
    return;
  }
  auto& queue = waiting_[s.recipient_eid];
  if (queue.size() >= max_waiting_per_controller) {
    ++stats_.dropped;
    log()->warn("notification backlog for {} full: dropping {}", s.recipient_eid, queue.front());
    outgoing_.erase(queue.front());
    queue.pop_front();
  }
  queue.push_back(id);
}

void notifier::transmit(outgoing& o) {
  const std::string id = o.msg.header().msg_id();  // a copy: erase() below destroys `o`
  if (std::chrono::steady_clock::now() >= o.expires) {
    ++stats_.expired;
    log()->info("notification {} to {} expired (NotifExpiration)", id, o.controller);
    outgoing_.erase(id);
    return;
  }
  if (!sink_.send_notify(o.controller, o.msg)) {
    online_[o.controller] = false;
    waiting_[o.controller].push_back(id);
    return;
  }
  if (o.sent_once) {
    ++stats_.retried;
  } else {
    ++stats_.sent;
  }
  o.sent_once = true;
  if (!o.awaits_response) {
    outgoing_.erase(id);
    return;
  }
  schedule_retry(id);
}

void notifier::schedule_retry(const std::string& msg_id) {
  auto it = outgoing_.find(msg_id);
  if (it == outgoing_.end()) return;
  auto& o = it->second;
  // R-NOT.2: the §6.4 windows with USPNotifRetryMinimumWaitInterval and
  // USPNotifRetryIntervalMultiplier, until delivered or expired.
  const auto wait = o.retry->next_wait();
  if (!o.timer) o.timer = std::make_unique<boost::asio::steady_timer>(ex_);
  o.timer->expires_after(wait);
  o.timer->async_wait([this, msg_id, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    auto again = outgoing_.find(msg_id);
    if (again == outgoing_.end()) return;
    if (!online_[again->second.controller]) {
      waiting_[again->second.controller].push_back(msg_id);
      return;
    }
    log()->debug("retrying notification {} to {} (attempt {})", msg_id, again->second.controller,
                 again->second.retry->count() + 1);
    transmit(again->second);
  });
}

void notifier::acknowledged(const std::string& controller, const std::string& msg_id) {
  auto it = outgoing_.find(msg_id);
  if (it == outgoing_.end() || it->second.controller != controller) return;
  ++stats_.acknowledged;
  outgoing_.erase(it);  // cancels its timer (R-NOT.3: the count restarts next time)
}

void notifier::controller_online(const std::string& controller) {
  online_[controller] = true;
  auto queue = std::move(waiting_[controller]);
  waiting_.erase(controller);
  for (const auto& id : queue) {
    auto it = outgoing_.find(id);
    if (it != outgoing_.end()) transmit(it->second);
  }
}

void notifier::controller_offline(const std::string& controller) { online_[controller] = false; }

void notifier::reset() {
  outgoing_.clear();
  waiting_.clear();
  online_.clear();
}

void notifier::value_changed(const dm::instance& inst, const dm::param_def& p, const std::string& value) {
  const auto path = inst.path() + p.name;
  for (const auto& s : subscriptions("ValueChange")) {
    if (!references(s, path)) continue;
    usp::Notify n;
    auto* vc = n.mutable_value_change();
    vc->set_param_path(path);
    vc->set_param_value(p.hidden ? std::string() : value);
    notify(s, std::move(n));
  }
}

void notifier::object_created(const dm::instance& inst) {
  for (const auto& s : subscriptions("ObjectCreation")) {
    if (!references(s, inst.path())) continue;
    usp::Notify n;
    auto* oc = n.mutable_obj_creation();
    oc->set_obj_path(inst.path());
    for (const auto& key : inst.def().unique_keys) {
      for (const auto& k : key) {
        if (const auto* kp = inst.def().find_param(k)) (*oc->mutable_unique_keys())[k] = dm_.get(inst, *kp);
      }
    }
    notify(s, std::move(n));
  }
}

void notifier::object_deleted(const std::string& path) {
  for (const auto& s : subscriptions("ObjectDeletion")) {
    // The object is gone, so search references cannot match it any more;
    // plain references still can.
    if (!references(s, path)) continue;
    usp::Notify n;
    n.mutable_obj_deletion()->set_obj_path(path);
    notify(s, std::move(n));
  }
}

void notifier::operation_complete(const std::string& obj_path, const std::string& command_name,
                                  const std::string& command_key, const dm::command_result& result) {
  for (const auto& s : subscriptions("OperationComplete")) {
    if (!references(s, obj_path + command_name)) continue;
    usp::Notify n;
    auto* oc = n.mutable_oper_complete();
    oc->set_obj_path(obj_path);
    oc->set_command_name(command_name);
    oc->set_command_key(command_key);
    if (result.status.ok()) {
      auto& out = *oc->mutable_req_output_args()->mutable_output_args();
      for (const auto& [k, v] : result.outputs) out[k] = v;
    } else {
      oc->mutable_cmd_failure()->set_err_code(result.status.code);
      oc->mutable_cmd_failure()->set_err_msg(result.status.message);
    }
    notify(s, std::move(n));
  }
}

void notifier::event(const std::string& obj_path, const std::string& event_name,
                     const std::map<std::string, std::string>& args, const std::string& recipient) {
  for (const auto& s : subscriptions("Event")) {
    if (!recipient.empty() && s.recipient_eid != recipient) continue;
    if (!references(s, obj_path + event_name + "!")) continue;
    usp::Notify n;
    auto* e = n.mutable_event();
    e->set_obj_path(obj_path);
    e->set_event_name(event_name + "!");
    for (const auto& [k, v] : args) (*e->mutable_params())[k] = v;
    notify(s, std::move(n));
  }
}

std::string notifier::parameter_map(dm::data_model& dm, const dm::instance& controller) {
  // Reboot:1 ParameterMap: a JSON object of the enabled BootParameter
  // patterns' current values; patterns that match nothing are left out.
  std::string json = "{";
  const auto* boot_def = controller.def().find_child("BootParameter");
  bool first = true;
  for (const auto& [n, row] : *controller.rows(*boot_def)) {
    if (dm.get(*row, *boot_def->find_param("Enable")) != "true") continue;
    const auto parsed = parse_path(dm.get(*row, *boot_def->find_param("ParameterName")));
    if (!parsed || parsed->target != path_target::parameter) continue;
    auto r = dm::resolve(dm, *parsed);
    for (const auto& [inst, p] : r.params) {
      if (!first) json += ",";
      first = false;
      json += "\"" + json_escape(inst->path() + p->name) + "\":\"" +
              json_escape(p->hidden ? std::string() : dm.get(*inst, *p)) + "\"";
    }
  }
  return json + "}";
}

void notifier::boot(const boot_info& b) {
  for (const auto& s : subscriptions("Event")) {
    if (!references(s, "Device.Boot!")) continue;
    usp::Notify n;
    auto* e = n.mutable_event();
    e->set_obj_path("Device.");
    e->set_event_name("Boot!");
    auto& p = *e->mutable_params();
    p["CommandKey"] = b.command_key;
    p["Cause"] = b.cause;
    p["Reason"] = b.reason;
    p["FirmwareUpdated"] = b.firmware_updated ? "true" : "false";
    p["ParameterMap"] = parameter_map(dm_, *s.recipient_row);
    notify(s, std::move(n));
  }
  for (const auto& c : b.carried) {
    if (c.is_event()) {
      event(c.obj_path, c.name, c.args);
      continue;
    }
    dm::command_result r;
    if (c.err_code != 0) r.status = dm::outcome::error(c.err_code, c.err_msg);
    r.outputs = c.args;
    operation_complete(c.obj_path, c.name, c.command_key, r);
  }
}

}  // namespace usp::agent

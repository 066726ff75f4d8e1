#include "phone_runtime.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>

#include <boost/asio/post.hpp>

#include "handlers/handlers.hpp"
#include "model/persistence.hpp"
#include "model/phone_schema.hpp"
#include "usp/files.hpp"
#include "usp/envelope.hpp"
#include "usp/err_code.hpp"
#include "usp/log.hpp"
#include "usp/record.hpp"
#include "usp/strings.hpp"

namespace usp::agent {

namespace {

std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("agent");
  return lg;
}

std::string expand(std::string text, const identity& id) {
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"{eid}", id.endpoint_id}, {"{mac}", id.mac}}) {
    for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + value.size())) {
      text.replace(pos, key.size(), value);
    }
  }
  return text;
}

std::uint32_t to_uint(const std::string& s, std::uint32_t fallback) {
  std::uint32_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : fallback;
}

std::string e2e_base(unsigned index) {
  return "Device.LocalAgent.Controller." + std::to_string(index) + ".E2ESession.";
}

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::string s;
  std::getline(f, s);
  return s;
}

// The arena a response is built on: its first block is this thread's, so a
// GetResp costs no malloc; a nested use (not expected) gets its own blocks.
class response_arena {
 public:
  response_arena() : arena_(options(claim_ ? nullptr : block_)), claimed_(!claim_) { claim_ = true; }
  ~response_arena() {
    if (claimed_) claim_ = false;
  }
  response_arena(const response_arena&) = delete;
  response_arena& operator=(const response_arena&) = delete;
  google::protobuf::Arena& get() noexcept { return arena_; }

 private:
  static constexpr std::size_t block_size = 16384;
  static google::protobuf::ArenaOptions options(char* block) {
    google::protobuf::ArenaOptions o;
    if (block) {
      o.initial_block = block;
      o.initial_block_size = block_size;
    }
    return o;
  }
  alignas(16) static thread_local inline char block_[block_size];
  static thread_local inline bool claim_ = false;
  google::protobuf::Arena arena_;
  bool claimed_;
};

// The setting's controller index: tr369_enable -> 1, tr369_enable2 -> 2.
std::optional<unsigned> controller_index_of(std::string_view name) {
  if (!name.starts_with("tr369_")) return std::nullopt;
  const char last = name.back();
  return (last >= '2' && last <= '9') ? static_cast<unsigned>(last - '0') : 1u;
}

}  // namespace

phone::runtime::runtime(phone& owner, boot_info boot)
    : owner_(owner),
      boot_(std::move(boot)),
      settings_(settings_store::load(owner.opts_.files, {owner.opts_.id.mac, owner.opts_.id.endpoint_id})),
      derived_{expand(owner.opts_.response_topic, owner.opts_.id)},
      dm_(owner.template_->schema, *this),
      notifier_(owner.ex_, dm_, *this),
      ops_(owner.ex_, dm_, notifier_),
      mtps_(owner.ex_, mtp_callbacks()) {
  attach_bindings(dm_, *owner.template_->bindings);
  add_firmware_rows(dm_);
  // Before the observers: bringing back last boot's state announces nothing.
  if (auto text = usp::read_file(owner.opts_.state_dir + "/dm.txt")) {
    std::vector<std::string> problems;
    restore_state(dm_, *text, problems);
    for (const auto& p : problems) log()->warn("{}/dm.txt {}: skipped", owner.opts_.state_dir, p);
    saved_state_ = *text;
  }
  for (const auto& b : owner.template_->bindings->bound_params) {
    auto* inst = dm_.find(b.instance_path);
    for (const auto& name : settings_read_by(*b.binding)) by_setting_.emplace(name, std::make_pair(inst, b.param));
  }
  dm_.on_value_change = [this](const dm::instance& i, const dm::param_def& p, const std::string& v) {
    notifier_.value_changed(i, p, v);
    if ((p.name == "PeriodicNotifInterval" || p.name == "PeriodicNotifTime") && i.def().name == "Controller") {
      schedule_periodic(i.number());
    }
    if (i.def().name == "E2ESession" && i.parent()) e2e_changed(i.parent()->number(), p.name);
  };
  dm_.on_object_created = [this](const dm::instance& i) { notifier_.object_created(i); };
  dm_.on_object_deleted = [this](const std::string& path) { notifier_.object_deleted(path); };
  settings_.on_change([this](const std::string& name, const std::string&, const std::string&) {
    on_setting_changed(name);
  });
}

phone::runtime::~runtime() { *alive_ = false; }

void phone::runtime::start() {
  log()->info("{} booting (cause {}, firmware {})", id().endpoint_id, boot_.cause, software_version());
  notifier_.boot(boot_);
  start_listener();
  apply_links();
  for (const auto& c : controllers()) schedule_periodic(c.index);
}

void phone::runtime::stop() { mtps_.stop(); }

void phone::runtime::reload_settings() {
  const auto problems = settings_.reload();
  for (const auto& p : problems) log()->error("settings not reloaded: {}", p);
  if (problems.empty()) log()->info("{} reloaded its settings", id().endpoint_id);
}

std::chrono::seconds phone::runtime::uptime() const {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
}

std::string phone::runtime::software_version() const { return owner_.bank_->running_version(); }

std::string phone::runtime::dm_value(const std::string& path) const {
  const auto dot = path.rfind('.');
  const auto* inst = dm_.find(path.substr(0, dot + 1));
  if (!inst) return {};
  const auto* p = inst->def().find_param(path.substr(dot + 1));
  return p ? dm_.get(*inst, *p) : std::string();
}

// ---- controllers and their MTP links ------------------------------------------

phone::runtime::controller_view phone::runtime::view_of(std::uint32_t n, const dm::instance& row, std::string eid) const {
  controller_view c;
  c.index = n;
  c.eid = std::move(eid);
  c.enabled = dm_.get(row, *row.def().find_param("Enable")) == "true";
  c.protocol = settings_.get(indexed_setting("tr369_mtp_protocol", n)).value_or("mqtt");
  return c;
}

const std::map<std::uint32_t, std::unique_ptr<dm::instance>>& phone::runtime::controller_rows() const {
  const auto* la = dm_.root().child(*dm_.supported().root().find_child("LocalAgent"));
  return *la->rows(*la->def().find_child("Controller"));
}

std::vector<phone::runtime::controller_view> phone::runtime::controllers() const {
  std::vector<controller_view> out;
  for (const auto& [n, row] : controller_rows()) {
    out.push_back(view_of(n, *row, dm_.get(*row, *row->def().find_param("EndpointID"))));
  }
  return out;
}

std::optional<phone::runtime::controller_view> phone::runtime::controller_by_eid(std::string_view eid) const {
  // Every Record asks: only the matching row gets a whole view.
  for (const auto& [n, row] : controller_rows()) {
    if (auto id = dm_.get(*row, *row->def().find_param("EndpointID")); id == eid) return view_of(n, *row, std::move(id));
  }
  return std::nullopt;
}

std::string phone::runtime::assigned_id_file(unsigned index) const {
  return owner_.opts_.state_dir + "/mqtt-client-id-" + std::to_string(index);
}

mtp_set::callbacks phone::runtime::mtp_callbacks() {
  mtp_set::callbacks cb;
  cb.on_record = [this](std::string_view record, reply_fn reply) { handle_record(record, reply); };
  cb.on_reachable = [this](const std::string& eid) {
    // Under Require the session starts first: what waited goes out in it.
    if (const auto c = controller_by_eid(eid); c && dm_value(e2e_base(c->index) + "SessionMode") == "Require") {
      e2e_for(*c).start();
    }
    notifier_.controller_online(eid);
  };
  cb.on_unreachable = [this](const std::string& eid) { notifier_.controller_offline(eid); };
  cb.on_client_id = [this](unsigned index, const std::string& assigned) {
    std::filesystem::create_directories(owner_.opts_.state_dir);
    std::ofstream(assigned_id_file(index)) << assigned << "\n";
  };
  cb.is_enabled_controller = [this](const std::string& eid) {
    const auto c = controller_by_eid(eid);
    return c && c->enabled;
  };
  return cb;
}

retry_policy phone::runtime::retry_for(std::chrono::seconds min_wait, std::uint32_t multiplier,
                                       std::optional<std::chrono::seconds> cap) const {
  const auto fixed = owner_.opts_.retry_override;
  if (fixed.count() > 0) return {fixed, 1000, fixed};
  return {min_wait, multiplier, cap};
}

std::optional<mqtt_link_config> phone::runtime::mqtt_config(const controller_view& c) const {
  const auto index = c.index;
  auto setting = [&](const char* base) { return settings_.get(indexed_setting(base, index)).value_or(""); };
  if (setting("tr369_mqtt_hostport").empty()) return std::nullopt;

  mqtt_link_config cfg;
  const auto& o = owner_.opts_;
  cfg.agent_eid = id().endpoint_id;
  cfg.controller_eid = c.eid;
  cfg.controller_topic = setting("tr369_mqtt_topic");
  cfg.own_topic = derived_.response_topic;
  auto& m = cfg.mqtt;
  m.host = derived_get(derived_id::mqtt_address, index, settings_, derived_);
  m.port = static_cast<std::uint16_t>(to_uint(derived_get(derived_id::mqtt_port, index, settings_, derived_), 1883));
  m.version = setting("tr369_mqtt_version") == "3.1.1" ? mqtt_version::v3_1_1 : mqtt_version::v5;
  m.username = setting("tr369_mqtt_username");
  m.password = setting("tr369_mqtt_password");
  m.endpoint_id = cfg.agent_eid;
  // R-MQTT.8/11: the configured id; else on 5.0 the one the broker gave us
  // before (kept in the state folder, TP 11.5); else empty (5.0) or the EID.
  m.client_id = setting("tr369_mqtt_clientid");
  if (m.client_id.empty() && m.version == mqtt_version::v5) m.client_id = read_text(assigned_id_file(index));
  const auto client = "Device.MQTT.Client." + std::to_string(index) + ".";
  m.keepalive_s = static_cast<std::uint16_t>(to_uint(dm_value(client + "KeepAliveTime"), 60));
  m.request_response_info = dm_value(client + "RequestResponseInfo") != "false";
  m.retry = retry_for(std::chrono::seconds(to_uint(dm_value(client + "ConnectRetryTime"), 5)),
                      to_uint(dm_value(client + "ConnectRetryIntervalMultiplier"), 2000),
                      std::chrono::seconds(to_uint(dm_value(client + "ConnectRetryMaxInterval"), 30720)));
  if (setting("tr369_mqtt_transport") == "TLS") m.tls = tls_options{o.ca_file, o.cert_file, o.key_file, true};
  cfg.publish_qos = static_cast<int>(to_uint(dm_value("Device.LocalAgent.MTP." + std::to_string(index) + ".MQTT.PublishQoS"), 1));
  return cfg;
}

std::optional<ws_link_config> phone::runtime::ws_config(const controller_view& c) const {
  const auto url = settings_.get(indexed_setting("tr369_websocket_uri", c.index)).value_or("");
  if (url.empty()) return std::nullopt;
  ws_link_config cfg;
  cfg.url = url;
  cfg.agent_eid = id().endpoint_id;
  cfg.controller_eid = c.eid;
  cfg.tls = tls_options{owner_.opts_.ca_file, owner_.opts_.cert_file, owner_.opts_.key_file, true};
  const auto ws = "Device.LocalAgent.Controller." + std::to_string(c.index) + ".MTP.1.WebSocket.";
  cfg.keepalive = std::chrono::seconds(to_uint(dm_value(ws + "KeepAliveInterval"), 60));
  cfg.retry = retry_for(std::chrono::seconds(to_uint(dm_value(ws + "SessionRetryMinimumWaitInterval"), 5)),
                        to_uint(dm_value(ws + "SessionRetryIntervalMultiplier"), 2000), std::nullopt);  // R-WS.19
  return cfg;
}

void phone::runtime::apply_links() {
  for (const auto& c : controllers()) apply_link(c.index);
}

void phone::runtime::apply_link(unsigned index) {
  controller_mtp want;
  want.index = index;
  for (const auto& c : controllers()) {
    if (c.index != index) continue;
    want.eid = c.eid;
    if (!c.enabled || c.eid.empty()) break;
    // tr369_mtp_protocol picks the MTP, and may switch it at run time.
    if (c.protocol == "websocket") {
      want.ws = ws_config(c);
    } else {
      want.mqtt = mqtt_config(c);
    }
  }
  mtps_.apply(want);
}

void phone::runtime::start_listener() {
  const auto& spec = owner_.opts_.ws_listen;
  if (spec.empty()) return;
  const auto colon = spec.rfind(':');
  ws_listener_config cfg;
  cfg.address = colon == std::string::npos ? "0.0.0.0" : spec.substr(0, colon);
  cfg.port = static_cast<std::uint16_t>(to_uint(colon == std::string::npos ? spec : spec.substr(colon + 1), 0));
  cfg.agent_eid = id().endpoint_id;
  const auto& o = owner_.opts_;
  if (!o.cert_file.empty()) cfg.tls = tls_options{o.ca_file, o.cert_file, o.key_file, false};
  // LocalAgent.MTP.{i}. for this server, after the param_map's MQTT rows.
  auto& la = *dm_.root().child(*dm_.supported().root().find_child("LocalAgent"));
  const auto* table = la.def().find_child("MTP");
  const std::uint32_t number = la.rows(*table)->empty() ? 1 : la.rows(*table)->rbegin()->first + 1;
  auto& row = dm_.ensure("Device.LocalAgent.MTP." + std::to_string(number) + ".");
  cfg.path = dm_.get(*row.child(*table->find_child("WebSocket")), *table->find_child("WebSocket")->find_param("Path"));
  cfg.keepalive = std::chrono::seconds(
      to_uint(dm_.get(*row.child(*table->find_child("WebSocket")), *table->find_child("WebSocket")->find_param("KeepAliveInterval")), 60));
  try {
    mtps_.listen(cfg);
  } catch (const std::exception& e) {
    log()->error("cannot start the WebSocket server on {}: {}", spec, e.what());
    return;
  }
  auto set = [&](dm::instance& inst, const char* name, const std::string& v) {
    dm_.set(inst, *inst.def().find_param(name), v, dm::change_origin::agent);
  };
  auto& ws = *row.child(*table->find_child("WebSocket"));
  set(row, "Alias", "cpe-agent-websocket");
  set(row, "Protocol", "WebSocket");
  set(row, "Enable", "true");
  set(ws, "Port", std::to_string(*mtps_.listener_port()));
  set(ws, "EnableEncryption", cfg.tls ? "true" : "false");
  log()->info("WebSocket server on {}:{}{}", cfg.address, *mtps_.listener_port(), cfg.path);
}

void phone::runtime::on_setting_changed(const std::string& name) {
  auto [first, last] = by_setting_.equal_range(name);
  for (auto it = first; it != last; ++it) dm_.refresh(*it->second.first, *it->second.second);
  if (auto index = controller_index_of(name)) {
    // After the current message has been answered (R: finish the pending
    // response before disabling an MTP).
    boost::asio::post(owner_.ex_, [this, i = *index, alive = alive_] {
      if (*alive) apply_link(i);
    });
  }
}

std::string phone::runtime::mqtt_status(unsigned index) const { return mtps_.mqtt_status(index); }

std::string phone::runtime::mqtt_client_id(unsigned index) const {
  auto configured = settings_.get(indexed_setting("tr369_mqtt_clientid", index)).value_or("");
  if (!configured.empty()) return configured;
  if (auto id = mtps_.mqtt_client_id(index); !id.empty()) return id;
  return read_text(assigned_id_file(index));
}

std::string phone::runtime::mqtt_response_information(unsigned index) const {
  return mtps_.mqtt_response_information(index);
}

std::string phone::runtime::agent_mtp_status(unsigned index) const {
  if (auto port = mtps_.listener_port()) {
    // The server's row reports the server.
    const auto* row = dm_.find("Device.LocalAgent.MTP." + std::to_string(index) + ".");
    if (row && dm_.get(*row, *row->def().find_param("Protocol")) == "WebSocket") return "Up";
  }
  return mtps_.mtp_status(index);
}

std::uint32_t phone::runtime::ws_retry_count(unsigned index) const { return mtps_.ws_retry_count(index); }

void phone::runtime::force_mqtt_reconnect(unsigned index) { mtps_.force_mqtt_reconnect(index); }

dm::outcome phone::runtime::cancel_request(std::uint32_t number) { return ops_.cancel(number); }

void phone::runtime::schedule_reboot(std::string cause, std::string reason, std::string command_key) {
  owner_.restart({std::move(cause), std::move(reason), std::move(command_key), false, {}}, false);
}

void phone::runtime::schedule_factory_reset(std::string cause, std::string reason, std::string command_key) {
  owner_.restart({std::move(cause), std::move(reason), std::move(command_key), false, {}}, true);
}

// ---- records -----------------------------------------------------------------

bool phone::runtime::send_notify(const std::string& controller_eid, const usp::Msg& msg) {
  if (const auto c = controller_by_eid(controller_eid); c && e2e_.count(c->index)) {
    if (!mtps_.reachable(controller_eid)) return false;
    e2e_for(*c).send(msg.SerializeAsString());
    return true;
  }
  if (!mtps_.send(controller_eid, make_no_session_record(id().endpoint_id, controller_eid, msg))) return false;
  ++owner_.stats_.records_out;
  return true;
}

void phone::runtime::handle_record(std::string_view bytes, const reply_fn& reply) {
  ++owner_.stats_.records_in;
  auto& stats = owner_.stats_;
  boost::system::error_code ec;
  const auto env = scan_envelope(bytes, ec);
  if (!env) {
    ++stats.dropped_malformed;
    log()->warn("dropping a malformed Record: {}", ec.message());
    return;
  }
  if (env->to_id != id().endpoint_id) {
    ++stats.dropped_not_for_us;  // R-E2E.1
    log()->warn("dropping a Record for {} from {}: not our endpoint id", env->to_id, env->from_id);
    return;
  }
  const auto controller = controller_by_eid(env->from_id);
  if (!controller || !controller->enabled) {
    ++stats.dropped_unknown_controller;
    log()->warn("dropping a Record from {}: not an enabled controller", env->from_id);
    return;
  }
  const bool sessions = e2e_.count(controller->index) > 0 || env->type == record_type::session_context;
  if (sessions && (env->type == record_type::session_context || env->type == record_type::no_session_context ||
                   env->type == record_type::disconnect)) {
    auto record = decode_record(bytes, ec);
    if (!record) {
      ++stats.dropped_malformed;
      log()->warn("dropping a Record from {}: {}", env->from_id, ec.message());
      return;
    }
    // Answers go back on this Record's MTP (R-MSG.0a) while it is handled.
    const auto* outer = std::exchange(replying_, &reply);
    auto outer_to = std::exchange(replying_to_, controller->eid);
    auto& d = e2e_for(*controller);
    d.receive(*record);
    log()->debug("E2E {} from {}: our session {} is {}", to_string(env->type), env->from_id, d.state().session_id(),
                 e2e::to_string(d.state().state()));
    replying_ = outer;
    replying_to_ = std::move(outer_to);
    return;
  }
  if (env->type != record_type::no_session_context) {
    if (env->type != record_type::disconnect && env->type != record_type::mqtt_connect &&
        env->type != record_type::websocket_connect) {
      ++stats.dropped_unsupported;
      log()->warn("dropping a {} Record from {}", to_string(env->type), env->from_id);
    }
    return;
  }
  auto msg = decode_msg(env->payload, ec);
  if (!msg) {
    ++stats.dropped_malformed;
    log()->warn("dropping a Record from {}: its Msg does not parse ({})", env->from_id, ec.message());
    return;
  }
  response_arena arena;
  const auto* resp = answer(controller->eid, *msg, arena.get());
  if (!resp) return;
  // Answer on the MTP and session the request came on (R-MSG.0a); on MQTT to
  // its reply-to, or the controller's topic when it had none.
  if (reply(make_no_session_record(id().endpoint_id, env->from_id, *resp))) ++stats.records_out;
}

const usp::Msg* phone::runtime::answer(const std::string& controller, const usp::Msg& msg,
                                       google::protobuf::Arena& arena) {
  log()->debug("{} {} from {}", usp::Header::MsgType_Name(msg.header().msg_type()), msg.header().msg_id(), controller);
  request_context ctx{dm_, controller, &ops_, &notifier_};
  auto* out = google::protobuf::Arena::CreateMessage<usp::Msg>(&arena);
  const auto type = body_type(msg);
  if (type == usp::Header::GET) {
    // What controllers ask most: its GetResp's many small pieces (a map
    // entry per parameter) come from the arena, not malloc.
    handle_get(ctx, msg, *out);
    return out;
  }
  auto resp = handle_request(ctx, msg);
  // Only these change what dm.txt keeps; a Get must not pay for a walk.
  if (type == usp::Header::SET || type == usp::Header::ADD || type == usp::Header::DELETE ||
      type == usp::Header::OPERATE) {
    save_state();
  }
  if (!resp) return nullptr;
  out->CopyFrom(*resp);  // rare (not a Get): a copy is fine
  return out;
}

// ---- E2E session contexts --------------------------------------------------------

e2e::config phone::runtime::e2e_config(unsigned index, const std::string& eid) const {
  const auto base = e2e_base(index);
  e2e::config c;
  c.local_eid = id().endpoint_id;
  c.peer_eid = eid;
  c.agent = true;
  c.mode = e2e::parse_session_mode(dm_value(base + "SessionMode")).value_or(e2e::session_mode::allow);
  c.max_record_size = to_uint(dm_value(base + "MaxUSPRecordSize"), 0);
  c.expiration = std::chrono::seconds(to_uint(dm_value(base + "SessionExpiration"), 0));
  const auto tries = dm_value(base + "MaxRetransmitTries");
  c.max_retransmit_tries = tries == "-1" ? -1 : static_cast<int>(to_uint(tries, 0));
  // R-E2E.10: the establishment retry windows.
  c.retry = retry_for(std::chrono::seconds(to_uint(dm_value(base + "SessionRetryMinimumWaitInterval"), 5)),
                      to_uint(dm_value(base + "SessionRetryIntervalMultiplier"), 2000), std::nullopt);
  return c;
}

e2e::driver& phone::runtime::e2e_for(const controller_view& c) {
  auto& d = e2e_[c.index];
  if (d && d->state().settings().peer_eid == c.eid) return *d;
  e2e::driver_hooks h;
  h.send_record = [this, eid = c.eid](const e2e::outgoing_record& r) { e2e_out(eid, r); };
  h.deliver = [this, c](std::string msg) { e2e_deliver(c, std::move(msg)); };
  h.ended = [eid = c.eid](const e2e::ending& e) {
    log()->info("E2E session with {} ended ({} {})", eid, e.code, e.reason);
  };
  d = std::make_unique<e2e::driver>(owner_.ex_, e2e_config(c.index, c.eid), std::move(h));
  return *d;
}

void phone::runtime::e2e_out(const std::string& eid, const e2e::outgoing_record& r) {
  auto send = [&](const std::string& wire) {
    const bool sent = replying_ && replying_to_ == eid ? (*replying_)(wire) : mtps_.send(eid, wire);
    if (sent) ++owner_.stats_.records_out;
  };
  send(r.wire);
  // R-MTP.8: after a DisconnectRecord on an MTP that stays up, the Connect
  // Record again before anything else.
  if (r.disconnect) {
    if (auto connect = mtps_.connect_record(eid); !connect.empty()) send(connect);
  }
}

void phone::runtime::e2e_deliver(const controller_view& c, std::string msg) {
  boost::system::error_code ec;
  auto m = decode_msg(msg, ec);
  if (!m) {
    ++owner_.stats_.dropped_malformed;
    log()->warn("dropping a Msg from {} in a session: it does not parse ({})", c.eid, ec.message());
    return;
  }
  response_arena arena;
  if (const auto* resp = answer(c.eid, *m, arena.get())) e2e_for(c).send(resp->SerializeAsString());
}

void phone::runtime::e2e_changed(unsigned index, const std::string& param) {
  std::optional<controller_view> c;
  for (auto& v : controllers()) {
    if (v.index == index) c = v;
  }
  if (!c || c->eid.empty()) return;
  const auto mode = e2e::parse_session_mode(dm_value(e2e_base(index) + "SessionMode")).value_or(e2e::session_mode::allow);
  auto it = e2e_.find(index);
  if (param == "SessionMode") {
    if (it != e2e_.end()) {
      it->second->set_mode(mode);  // Forbid ends the session, Require starts one
    } else if (mode == e2e::session_mode::require && mtps_.reachable(c->eid)) {
      e2e_for(*c).start();
    }
    return;
  }
  // The other values apply to the next session: a driver without one is
  // rebuilt with them now.
  if (it != e2e_.end() && it->second->state().state() == e2e::status::down) {
    e2e_.erase(it);
    if (mode == e2e::session_mode::require && mtps_.reachable(c->eid)) e2e_for(*c).start();
  }
}

std::string phone::runtime::e2e_status(unsigned index) const {
  const auto it = e2e_.find(index);
  return it == e2e_.end() ? "Down" : e2e::to_string(it->second->state().state());
}

std::uint32_t phone::runtime::e2e_retry_count(unsigned index) const {
  const auto it = e2e_.find(index);
  return it == e2e_.end() ? 0 : it->second->state().retry_count();
}

void phone::runtime::e2e_reset(unsigned index) {
  // After the OperateResp: Reset() ends the session the request may have come in.
  boost::asio::post(owner_.ex_, [this, index, alive = alive_] {
    if (!*alive) return;
    if (auto it = e2e_.find(index); it != e2e_.end()) it->second->reset();
  });
}

void phone::runtime::schedule_periodic(unsigned index) {
  const auto base = "Device.LocalAgent.Controller." + std::to_string(index) + ".";
  const auto interval = std::chrono::seconds(std::max<std::uint32_t>(1, to_uint(dm_value(base + "PeriodicNotifInterval"), 86400)));
  const auto now = std::chrono::system_clock::now();
  // In phase with PeriodicNotifTime; the unknown time means "from boot".
  const auto ref = dm::parse_date_time(dm_value(base + "PeriodicNotifTime")).value_or(now);
  auto since = (now - ref) % interval;
  if (since < decltype(since)::zero()) since += interval;
  auto& timer = periodic_[index];
  if (!timer) timer = std::make_unique<boost::asio::steady_timer>(owner_.ex_);
  timer->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval - since));
  timer->async_wait([this, index, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    for (const auto& c : controllers()) {
      if (c.index == index && c.enabled) notifier_.event("Device.LocalAgent.", "Periodic", {}, c.eid);
    }
    schedule_periodic(index);
  });
}

void phone::runtime::save_state() {
  auto state = serialize_state(dm_);
  if (state == saved_state_) return;
  std::string why;
  if (!usp::write_file_atomically(owner_.opts_.state_dir + "/dm.txt", state, why)) {
    log()->error("cannot save the data model state: {}", why);
    return;
  }
  saved_state_ = std::move(state);
}

void phone::runtime::show_page(std::string url, dm::command_done done) {
  owner_.show_page(std::move(url), std::move(done));
}

}  // namespace usp::agent

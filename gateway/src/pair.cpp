#include "pair.hpp"

#include <boost/asio/post.hpp>

#include "router.hpp"
#include "usp/log.hpp"
#include "usp/record.hpp"
#include "usp/strings.hpp"

namespace usp::gateway {

namespace {

std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("gateway");
  return lg;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(hex[(c >> 4) & 0xF]);
      out.push_back(hex[c & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

}  // namespace

retry_policy dial_policy(const controller_config* c) {
  if (!c) return {};
  const auto& ws = c->websocket;
  return {ws.retry_min_wait, ws.retry_multiplier, ws.retry_max_wait};  // R-WS.19 with our cap
}

pair::pair(router& r, std::string agent, std::string controller_eid)
    : router_(r),
      agent_(std::move(agent)),
      controller_(std::move(controller_eid)),
      queue_(r.snapshot()->cfg.agents.queue_max_records, overflow_policy::drop_oldest,
             std::chrono::duration_cast<std::chrono::steady_clock::duration>(r.snapshot()->cfg.agents.queue_ttl)),
      retry_(dial_policy(config())),
      retry_timer_(r.executor()) {}

pair::~pair() {
  *alive_ = false;
  router_.waiting(this, false);
  router_.stats().queued_records.sub(static_cast<std::int64_t>(gauged_));
}

const controller_config* pair::config() const { return router_.snapshot()->controller(controller_); }

bool pair::dialing_mode() const {
  const auto* c = config();
  return c && c->websocket.mode == ws_mode::dial;
}

// ---- Records towards the controller ----------------------------------------------

void pair::to_controller(std::string record) {
  if (const auto* ch = ready_channel()) {
    send(*ch, std::move(record));
    return;
  }
  queue_.push(std::move(record));
  account();
  if (dialing_mode() && !parked_) dial();
}

void pair::agent_connected() {
  parked_ = false;
  // R-MTP.8: after the agent's MTP (re)connected, its Connect Record comes
  // before anything else; on an open channel the translation goes now --
  // unless the session opened after the plugin announced this connection
  // and so already began with one (R-MTP.6): no duplicates.
  if (const auto* ch = ready_channel()) {
    if (!announced_ || router_.snapshot()->cfg.presence_topic.empty()) {
      send(*ch, make_websocket_connect_record(agent_, controller_));
      bump(router_.stats().connect_records);
    }
    announced_ = true;
    return;
  }
  if (dialing_mode()) dial();
}

const channel* pair::ready_channel() const {
  if (own_ && own_ready_ && own_.session->is_open()) return &own_;
  if (!own_ && shared_ && shared_ready_ && shared_.session->is_open()) return &shared_;
  return nullptr;
}

void pair::send(const channel& ch, std::string record) {
  ++to_controller_;
  bump(router_.stats().records_to_controller);
  if (ch.ex == router_.executor()) {
    if (!ch.session->send(std::move(record))) {
      ++dropped_;
      router_.stats().drop(drop_reason::send_failed);
      log()->warn("{} -> {}: WebSocket write queue full, Record dropped", agent_, controller_);
    }
    return;
  }
  // A session of another shard (listen or multiplex): its calls run there.
  boost::asio::post(ch.ex, [s = ch.session, record = std::move(record), &stats = router_.stats()]() mutable {
    if (!s->send(std::move(record))) stats.drop(drop_reason::send_failed);
  });
}

void pair::became_ready(const channel& ch) {
  // R-MTP.6: the agent's Connect Record first on this MTP.
  send(ch, make_websocket_connect_record(agent_, controller_));
  bump(router_.stats().connect_records);
  announced_ = true;
  flush(ch);
}

void pair::flush(const channel& ch) {
  while (auto r = queue_.pop()) send(ch, std::move(*r));
  account();
}

// The queue's drops since the last look go to the gateway's counters, its
// depth to the queued_records gauge.
void pair::account() {
  const auto& c = queue_.counters();
  auto& st = router_.stats();
  const auto overflow = c.dropped_overflow - accounted_.dropped_overflow;
  const auto expired = c.dropped_expired - accounted_.dropped_expired;
  if (overflow) {
    st.drop(drop_reason::queue_overflow, overflow);
    log()->warn("{} -> {}: queue full, {} oldest Record(s) dropped", agent_, controller_, overflow);
  }
  if (expired) {
    st.drop(drop_reason::queue_expired, expired);
    log()->warn("{} -> {}: {} Record(s) waited too long and were dropped", agent_, controller_, expired);
  }
  dropped_ += overflow + expired;
  accounted_ = c;
  st.queued_records.add(static_cast<std::int64_t>(queue_.size()) - static_cast<std::int64_t>(gauged_));
  if ((gauged_ == 0) != (queue_.size() == 0)) router_.waiting(this, queue_.size() != 0);
  gauged_ = queue_.size();
}

void pair::expire() {
  queue_.expire();
  account();
}

std::size_t pair::drop_waiting(drop_reason why) {
  queue_.expire();
  account();
  const auto n = queue_.clear();
  if (n) {
    router_.stats().drop(why, n);
    dropped_ += n;
    log()->warn("{} -> {}: {} waiting Record(s) dropped ({})", agent_, controller_, n, to_string(why));
  }
  account();
  return n;
}

// ---- dial mode -------------------------------------------------------------------

void pair::dial() {
  if (state_ != dial_state::idle || closing_) return;
  const auto* c = config();
  if (!c) return;
  const auto snap = router_.snapshot();
  std::size_t index = 0;
  snap->controller(controller_, &index);
  mtp::ws_client_options o;
  o.url = c->websocket.url;
  o.eid = agent_;  // the gateway speaks as the agent (?eid=, R-WS.10b/10c)
  o.tls_context = snap->tls[index];
  o.limits.keepalive = c->websocket.keepalive;
  o.limits.max_message_bytes = snap->cfg.agents.max_record_bytes;
  mtp::ws_handlers h;
  h.on_open = [this, alive = alive_](const mtp::ws_session_ptr& s) {
    if (*alive) on_open(s);
  };
  h.on_record = [this, alive = alive_](const mtp::ws_session_ptr&, std::string_view record) {
    if (!*alive) return;
    ++to_agent_;
    router_.from_controller(controller_, agent_, record);
  };
  h.on_close = [this, alive = alive_](const mtp::ws_session_ptr& s, const mtp::ws_close_info& info) {
    if (*alive) on_close(s, info);
  };
  state_ = dial_state::dialing;
  dialed_url_ = o.url;
  try {
    own_ = {mtp::ws_connect(router_.executor(), o, std::move(h)), router_.executor()};
    own_ready_ = false;
  } catch (const std::exception& e) {
    // A malformed URL cannot happen after config validation; TLS files were
    // loaded with the snapshot. Still: no crash, a retry.
    log()->error("{} -> {}: cannot dial {}: {}", agent_, controller_, o.url, e.what());
    state_ = dial_state::idle;
    own_ = {};
    schedule_redial();
  }
}

void pair::on_open(const mtp::ws_session_ptr& s) {
  if (s != own_.session) return;
  state_ = dial_state::open;
  retry_.reset();  // R-WS.20
  since_ = std::chrono::system_clock::now();
  bump(router_.stats().sessions_opened);
  router_.stats().sessions_open.add(1);
  log()->info("{} -> {}: session open ({})", agent_, controller_, dialed_url_);
  own_ready_ = true;
  became_ready(own_);
}

void pair::on_close(const mtp::ws_session_ptr& s, const mtp::ws_close_info& info) {
  if (s != own_.session) return;
  own_ = {};
  own_ready_ = false;
  if (info.was_open) {
    count_session_end(router_.stats(), info);
    log()->info("{} -> {}: session closed ({} {})", agent_, controller_, info.code, info.ec.message());
  } else {
    bump(router_.stats().dial_failures);
    log()->warn("{} -> {}: cannot open a session to {}: {}{}", agent_, controller_, dialed_url_, info.ec.message(),
                info.http_status ? " (HTTP " + std::to_string(info.http_status) + ")" : std::string());
  }
  state_ = dial_state::idle;
  if (closing_) {
    router_.session_closed();
    return;
  }
  if (!parked_ && dialing_mode()) schedule_redial();
}

void pair::schedule_redial() {
  if (closing_) return;
  const auto wait = retry_.next_wait();  // R-WS.19 windows, capped at retry_max_wait_s
  state_ = dial_state::waiting;
  log()->info("{} -> {}: retry {} in {} ms", agent_, controller_, retry_.count(), wait.count());
  retry_timer_.expires_after(wait);
  retry_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive || state_ != dial_state::waiting) return;
    state_ = dial_state::idle;
    if (!parked_) dial();
  });
}

// ---- presence ------------------------------------------------------------------

void pair::park() {
  parked_ = true;
  retry_timer_.cancel();
  if (state_ == dial_state::waiting) state_ = dial_state::idle;
  drop_waiting(drop_reason::agent_offline);
  if (own_ && dialing_mode()) own_.session->close(1000, "agent offline");
}

void pair::unpark() {
  if (!parked_) return;
  parked_ = false;
  if (dialing_mode()) dial();
}

// ---- listen and multiplex ------------------------------------------------------

void pair::attach(channel ch) {
  own_ = std::move(ch);
  own_ready_ = true;
  since_ = std::chrono::system_clock::now();
  became_ready(own_);
}

void pair::detach(const mtp::ws_session_ptr& s) {
  if (own_.session != s) return;
  own_ = {};
  own_ready_ = false;
}

void pair::shared_up(channel ch) {
  shared_ = std::move(ch);
  shared_ready_ = !own_;
  if (shared_ready_) became_ready(shared_);
}

void pair::shared_down(const mtp::ws_session_ptr& s) {
  if (shared_.session != s) return;
  shared_ = {};
  shared_ready_ = false;
}

// ---- life cycle ----------------------------------------------------------------

void pair::reconfigure() {
  const auto* c = config();
  retry_.set_policy(dial_policy(c));
  queue_.set_limits(router_.snapshot()->cfg.agents.queue_max_records,
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(router_.snapshot()->cfg.agents.queue_ttl));
  account();
  // A dialed session to a URL that changed (or to a controller that is no
  // longer dialed) is closed; the redial uses the new settings.
  if (own_ && state_ != dial_state::idle && (!dialing_mode() || c->websocket.url != dialed_url_)) {
    own_.session->close(1001, "configuration changed");
  }
}

void pair::close(std::uint16_t code, std::string_view reason, bool drain) {
  closing_ = true;
  retry_timer_.cancel();
  if (drain) {
    if (const auto* ch = ready_channel()) flush(*ch);
  }
  if (own_ && state_ != dial_state::idle) {
    own_.session->close(code, reason, drain);
  }
}

std::string pair::state_name() const {
  if (parked_) return "parked";
  if (ready_channel()) return own_ ? "open" : "shared";
  switch (state_) {
    case dial_state::dialing: return "connecting";
    case dial_state::waiting: return "retrying";
    default: return "waiting";
  }
}

std::string pair::json() const {
  const auto since = std::chrono::duration_cast<std::chrono::seconds>(since_.time_since_epoch()).count();
  std::string out = "{\"agent\":" + json_string(agent_) + ",\"controller\":" + json_string(controller_) +
                    ",\"state\":" + json_string(state_name()) + ",\"since\":" + std::to_string(since) +
                    ",\"retries\":" + std::to_string(retry_.count()) + ",\"queued\":" + std::to_string(queue_.size()) +
                    ",\"to_controller\":" + std::to_string(to_controller_) + ",\"to_agent\":" +
                    std::to_string(to_agent_) + ",\"dropped\":" + std::to_string(dropped_) + "}";
  return out;
}

}  // namespace usp::gateway

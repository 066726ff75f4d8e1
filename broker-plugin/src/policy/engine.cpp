#include "policy/engine.hpp"

#include "usp/partition.hpp"
#include "policy/validation.hpp"
#include "usp/envelope.hpp"

namespace usp::plugin {
namespace {

// At most 20 refusal lines per 10 s; the rest are counted and summarised.
constexpr std::uint32_t log_burst = 20;
constexpr std::chrono::seconds log_window{10};

std::string who(const client_view& c, const identity& id) {
  std::string s = "client '" + std::string(c.client_id()) + "'";
  switch (id.kind) {
    case role::agent: return s + " (agent " + id.eid + ")";
    case role::privileged: return s + " (privileged user '" + std::string(c.username()) + "')";
    case role::none: return s + " (no endpoint id)";
  }
  return s;
}

denial denial_of(access a) noexcept {
  switch (a) {
    case access::subscribe: return denial::subscribe;
    case access::read: return denial::read;
    default: return denial::write;
  }
}

}  // namespace

engine::engine(plugin_options o, broker_port& port)
    : opts_(std::move(o)), port_(port), topics_(opts_), rules_(opts_), log_limit_(log_burst, log_window) {}

const identity& engine::identity_of(const client_view& c, identity& scratch) {
  const auto it = connections_.find(c.key());
  if (it != connections_.end()) {
    // A key is a connection's address. Should the broker ever reuse one we
    // did not see go away, the names tell: forget the stale entry.
    if (it->second.client_id == c.client_id() && it->second.username == c.username()) return it->second.id;
    forget(it, offline_reason::abrupt);
  }
  scratch = rules_.identify(c);
  return scratch;
}

void engine::track(const client_view& c, const identity& id) {
  if (connections_.count(c.key()) != 0) return;
  auto& conn = connections_[c.key()];
  conn.client_id = std::string(c.client_id());
  conn.username = std::string(c.username());
  conn.id = id;
  conn.protocol_version = c.protocol_version();
  if (conn.id.kind != role::agent) return;
  if (++online_[conn.id.eid] == 1) announce(conn, true, offline_reason::clean);
}

void engine::forget(std::unordered_map<const void*, connection>::iterator it, offline_reason why) {
  const connection& conn = it->second;
  if (conn.id.kind == role::agent) {
    const auto o = online_.find(conn.id.eid);
    if (o != online_.end() && --o->second == 0) {
      online_.erase(o);
      announce(conn, false, why);
    }
  }
  connections_.erase(it);
}

void engine::announce(const connection& conn, bool online, offline_reason why) {
  port_.log(log_level::debug, "mosquitto_usp: agent " + conn.id.eid + (online ? " online" : " offline") +
                                  " (client '" + conn.client_id + "')");
  if (!topics_.presence()) return;
  presence_event e;
  e.eid = conn.id.eid;
  e.online = online;
  e.protocol_version = conn.protocol_version;
  e.client_id = conn.client_id;
  e.time = port_.wall_now();
  e.reason = why;
  // Retained, so a gateway that (re)subscribes learns the current state.
  port_.publish(topics_.presence()->expand(conn.id.eid), presence_json(e), 1, true);
}

void engine::refuse(const client_view& c, const identity& id, std::string_view what, std::string_view topic) {
  std::uint64_t suppressed = 0;
  if (!log_limit_.allow(suppressed, port_.steady_now())) return;
  std::string line = "mosquitto_usp: " + std::string(what) + " on '" + std::string(topic) + "' for " + who(c, id);
  if (suppressed) line += " (" + std::to_string(suppressed) + " similar lines suppressed)";
  port_.log(log_level::notice, line);
}

verdict engine::on_acl_check(const client_view& c, access a, std::string_view topic, std::string_view payload) {
  identity scratch;
  const identity& id = identity_of(c, scratch);
  if (a == access::subscribe) track(c, id);  // only a live client subscribes
  const auto d = decide(topics_, id, a, topic);
  if (d.result == verdict::deny) {
    counters_.deny(denial_of(a));
    refuse(c, id, "denied " + std::string(to_string(a)), topic);
    return verdict::deny;
  }
  if (d.result != verdict::allow || a != access::write) return d.result;
  if (d.topic.kind != space::agent && d.topic.kind != space::controller) return d.result;
  std::string_view from_id;
  if (const auto r = check_record(topics_, id, topic, d.topic, payload, opts_.max_record_bytes, &from_id)) {
    counters_.drop(*r);
    std::string what = "dropped record (" + std::string(to_string(*r)) + ")";
    if (*r == drop_reason::spoofed_from_id) what += " claiming from_id '" + std::string(from_id) + "'";
    refuse(c, id, what, topic);
    return verdict::deny;
  }
  return verdict::allow;
}

bool engine::is_record_topic(std::string_view topic) const {
  const auto kind = topics_.classify(topic).kind;
  return kind == space::agent || kind == space::controller;
}

message_outcome engine::on_message(const client_view& c, const message_view& m) {
  identity scratch;
  const identity& found = identity_of(c, scratch);
  track(c, found);  // the message event comes from a live client only
  const identity& id = connections_.at(c.key()).id;
  message_outcome out;
  const auto cls = topics_.classify(m.topic);
  if (cls.kind != space::agent && cls.kind != space::controller) return out;
  if (const auto r = check_properties(topics_, id, m.content_type, m.response_topic)) {
    counters_.drop(*r);
    refuse(c, id, "dropped record (" + std::string(to_string(*r)) + ")", m.topic);
    out.result = verdict::deny;
    return out;
  }
  ++counters_.accepted;
  out.result = verdict::allow;
  if (cls.kind == space::controller && opts_.partitions > 1) {
    boost::system::error_code ec;
    if (const auto env = usp::scan_envelope(m.payload, ec)) {
      out.partition_topic = partition_topic(opts_.partition_prefix, partition_of(env->from_id, opts_.partitions), m.topic);
      ++counters_.partitioned;
    }
  }
  return out;
}

void engine::on_disconnect(const client_view& c, offline_reason why) {
  const auto it = connections_.find(c.key());
  if (it != connections_.end()) forget(it, why);
}

void engine::on_tick() {
  if (opts_.stats_topic.empty() || opts_.stats_interval_s == 0) return;
  const auto now = port_.steady_now();
  if (now < next_stats_) return;
  next_stats_ = now + std::chrono::seconds(opts_.stats_interval_s);
  publish_stats();
}

void engine::publish_stats() {
  const auto lines = stat_lines(opts_.stats_topic, counters_, online_.size());
  last_stats_.resize(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    // Like $SYS: retained, and sent only when the value changed.
    if (last_stats_[i] == lines[i].value) continue;
    last_stats_[i] = lines[i].value;
    port_.publish(lines[i].topic, lines[i].value, 0, true);
  }
}

}  // namespace usp::plugin

#include "config/derived.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "config/net_address.hpp"

namespace usp::agent {
namespace {

using set_result = settings_store::set_result;

constexpr std::uint16_t ws_default_port = 80;     // RFC 6455 §3
constexpr std::uint16_t wss_default_port = 443;   // RFC 6455 §3
constexpr std::uint16_t mqtt_default_port = 1883;  // IANA "mqtt"
constexpr std::uint16_t mqtts_default_port = 8883; // IANA "secure-mqtt"

// What the controller reads: expanded, and "" for a setting no file holds.
std::string value_of(const settings_store& s, std::string_view base, unsigned index) {
  return s.get(indexed_setting(base, index)).value_or(std::string());
}

// The factory file sets tr369_mtp_protocol for both controllers; a phone
// without it speaks MQTT, its first and default MTP.
std::string protocol_of(const settings_store& s, unsigned index) {
  auto p = value_of(s, "tr369_mtp_protocol", index);
  return p.empty() ? std::string("mqtt") : p;
}

// Stored values were checked when they were loaded or set, so they split; an
// empty (or, defensively, unsplittable) URI reads as ws:// with no host.
ws_uri uri_of(std::string_view text) {
  auto u = text.empty() ? std::nullopt : split_ws_uri(text);
  return u ? std::move(*u) : ws_uri{};
}

host_port host_port_of(std::string_view text) {
  auto hp = text.empty() ? std::nullopt : split_host_port(text);
  return hp ? std::move(*hp) : host_port{};
}

std::optional<bool> parse_bool(std::string_view v) {
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return std::nullopt;
}

std::optional<std::uint16_t> parse_port(std::string_view v) {
  unsigned n = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || n == 0 || n > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(n);
}

set_result refuse(usp::err_code code, derived_id id, std::string_view why) {
  return set_result{code, std::string(to_string(id)) + ": " + std::string(why), false};
}

// The refusal set() would give for a setting we cannot write (7026 unknown,
// 7013 read-only or fixed), so a derived write reports it before anything
// else, even when the value would be refused too.
std::optional<set_result> not_writable(settings_store& s, const std::string& name) {
  if (s.writable(name)) return std::nullopt;
  const auto current = s.raw(name);
  if (!current) return set_result{usp::err_code::invalid_path, name + ": no such setting", false};
  return s.set(name, *current);  // refused without side effects: not writable
}

// The one setting a derived value writes, if there is one. Its refusal
// (7026, 7013) comes before any check of the value, in the order set()
// itself checks.
std::optional<std::string> written_setting(derived_id id, unsigned index) {
  switch (id) {
    case derived_id::websocket_host:
    case derived_id::websocket_port:
    case derived_id::websocket_path:
    case derived_id::websocket_secured: return indexed_setting("tr369_websocket_uri", index);
    case derived_id::mqtt_address:
    case derived_id::mqtt_port: return indexed_setting("tr369_mqtt_hostport", index);
    case derived_id::mqtt_topic_ctrl: return indexed_setting("tr369_mqtt_topic", index);
    case derived_id::mtp_protocol: return indexed_setting("tr369_mtp_protocol", index);
    case derived_id::mqtt_enable:      // two settings: enable_mqtt checks them
    case derived_id::mqtt_topic_resp:  // none
      break;
  }
  return std::nullopt;
}

// A host as a controller writes it: IPv6 with or without brackets.
std::string bare_host(std::string_view v) {
  if (v.size() >= 2 && v.front() == '[' && v.back() == ']') v = v.substr(1, v.size() - 2);
  return std::string(v);
}

// Rewrites one part of tr369_websocket_uri<index>, keeping the others as
// written (placeholders included: the raw value is rewritten, not the
// expanded one). An empty URI has no host to keep, so only the host may
// start it: a port, path or scheme alone would make a URI without a host.
// derived_set has checked that the setting is writable.
template <class Edit>
set_result edit_uri(derived_id id, unsigned index, settings_store& s, Edit edit) {
  const auto name = indexed_setting("tr369_websocket_uri", index);
  const auto current = s.raw(name).value_or(std::string());
  if (current.empty() && id != derived_id::websocket_host) {
    return refuse(usp::err_code::invalid_value, id, "the URI is empty: set the Host first");
  }
  ws_uri u = uri_of(current);
  if (current.empty()) u.target = "/";  // a new URI starts as ws://<host>/
  edit(u);
  return s.set(name, join_ws_uri(u));
}

template <class Edit>
set_result edit_host_port(derived_id id, unsigned index, settings_store& s, Edit edit) {
  const auto name = indexed_setting("tr369_mqtt_hostport", index);
  const auto current = s.raw(name).value_or(std::string());
  if (current.empty() && id != derived_id::mqtt_address) {
    return refuse(usp::err_code::invalid_value, id, "the broker address is empty: set the Address first");
  }
  host_port hp = host_port_of(current);
  edit(hp);
  return s.set(name, join_host_port(hp));
}

// MQTTENABLE true means "on, over MQTT": two settings. Both are checked
// before either changes, so a refusal leaves both as they were.
set_result enable_mqtt(unsigned index, settings_store& s) {
  std::vector<std::pair<std::string, std::string>> wanted;
  // The MTP first, so listeners of tr369_enable see the new one. An unset
  // MTP reads as mqtt already (protocol_of) and is left unset.
  if (protocol_of(s, index) != "mqtt") wanted.emplace_back(indexed_setting("tr369_mtp_protocol", index), "mqtt");
  wanted.emplace_back(indexed_setting("tr369_enable", index), "on");
  for (const auto& [name, value] : wanted) {
    if (s.raw(name) == value) continue;
    if (auto r = not_writable(s, name)) return std::move(*r);
  }
  std::optional<std::pair<std::string, std::string>> undo;
  for (const auto& [name, value] : wanted) {
    const auto before = s.raw(name);
    if (before == value) continue;
    auto r = s.set(name, value);
    if (!r.ok) {
      if (undo) s.set(undo->first, undo->second);  // best effort: only a failed save gets here
      return r;
    }
    undo.emplace(name, before.value_or(std::string()));
  }
  return {};
}

}  // namespace

std::string derived_get(derived_id id, unsigned index, const settings_store& s, const derived_context& ctx) {
  switch (id) {
    case derived_id::websocket_host:
      return uri_of(value_of(s, "tr369_websocket_uri", index)).authority.host;
    case derived_id::websocket_port: {
      const auto u = uri_of(value_of(s, "tr369_websocket_uri", index));
      const auto fallback = u.secure ? wss_default_port : ws_default_port;
      return std::to_string(u.authority.port != 0 ? u.authority.port : fallback);
    }
    case derived_id::websocket_path: {
      const auto u = uri_of(value_of(s, "tr369_websocket_uri", index));
      if (u.target.empty() || u.target.front() == '?') return "/" + u.target;  // RFC 6455 §3: empty path is "/"
      return u.target;
    }
    case derived_id::websocket_secured:
      return uri_of(value_of(s, "tr369_websocket_uri", index)).secure ? "true" : "false";
    case derived_id::mqtt_address:
      return host_port_of(value_of(s, "tr369_mqtt_hostport", index)).host;
    case derived_id::mqtt_port: {
      const auto hp = host_port_of(value_of(s, "tr369_mqtt_hostport", index));
      const bool tls = value_of(s, "tr369_mqtt_transport", index) == "TLS";
      return std::to_string(hp.port != 0 ? hp.port : (tls ? mqtts_default_port : mqtt_default_port));
    }
    case derived_id::mqtt_enable:
      return value_of(s, "tr369_enable", index) == "on" && protocol_of(s, index) == "mqtt" ? "true" : "false";
    case derived_id::mqtt_topic_ctrl:
      return value_of(s, "tr369_mqtt_topic", index);
    case derived_id::mqtt_topic_resp:
      return ctx.response_topic;
    case derived_id::mtp_protocol:
      // TR-181 Device.LocalAgent.Controller.{i}.MTP.{i}.Protocol spells them so.
      return protocol_of(s, index) == "websocket" ? "WebSocket" : "MQTT";
  }
  return {};
}

set_result derived_set(derived_id id, unsigned index, std::string_view value, settings_store& s) {
  if (const auto name = written_setting(id, index)) {
    if (auto r = not_writable(s, *name)) return std::move(*r);
  }
  switch (id) {
    case derived_id::websocket_host: {
      auto host = bare_host(value);
      if (host.empty()) return refuse(usp::err_code::invalid_value, id, "the host cannot be empty");
      return edit_uri(id, index, s, [&](ws_uri& u) { u.authority.host = std::move(host); });
    }
    case derived_id::websocket_port: {
      const auto port = parse_port(value);
      if (!port) return refuse(usp::err_code::invalid_value, id, "must be 1..65535");
      // Written even when it is the scheme's default, so Port and Secured
      // give the same URI whichever a controller sets first.
      return edit_uri(id, index, s, [&](ws_uri& u) { u.authority.port = *port; });
    }
    case derived_id::websocket_path:
      if (!value.empty() && value.front() != '/') return refuse(usp::err_code::invalid_value, id, "must start with /");
      return edit_uri(id, index, s, [&](ws_uri& u) { u.target = value; });
    case derived_id::websocket_secured: {
      const auto secure = parse_bool(value);
      if (!secure) return refuse(usp::err_code::invalid_value, id, "must be true or false");
      // A port written in the URI stays; an implicit one follows the scheme.
      return edit_uri(id, index, s, [&](ws_uri& u) { u.secure = *secure; });
    }
    case derived_id::mqtt_address: {
      auto host = bare_host(value);
      if (host.empty()) return refuse(usp::err_code::invalid_value, id, "the host cannot be empty");
      return edit_host_port(id, index, s, [&](host_port& hp) { hp.host = std::move(host); });
    }
    case derived_id::mqtt_port: {
      const auto port = parse_port(value);
      if (!port) return refuse(usp::err_code::invalid_value, id, "must be 1..65535");
      return edit_host_port(id, index, s, [&](host_port& hp) { hp.port = *port; });
    }
    case derived_id::mqtt_enable: {
      const auto enable = parse_bool(value);
      if (!enable) return refuse(usp::err_code::invalid_value, id, "must be true or false");
      if (*enable) return enable_mqtt(index, s);
      if (derived_get(id, index, s, {}) == "false") return {};
      return refuse(usp::err_code::invalid_value, id,
                    "false could mean disabling the controller or moving it to WebSocket: "
                    "set Enable or the MTP Protocol instead");
    }
    case derived_id::mqtt_topic_ctrl:
      return s.set(indexed_setting("tr369_mqtt_topic", index), value);
    case derived_id::mqtt_topic_resp:
      return refuse(usp::err_code::param_read_only, id, "the phone's own topic is set on its command line");
    case derived_id::mtp_protocol:
      if (value == "MQTT") return s.set(indexed_setting("tr369_mtp_protocol", index), "mqtt");
      if (value == "WebSocket") return s.set(indexed_setting("tr369_mtp_protocol", index), "websocket");
      return refuse(usp::err_code::invalid_value, id, "must be MQTT or WebSocket");
  }
  return refuse(usp::err_code::internal_error, id, "unknown derived value");
}

}  // namespace usp::agent

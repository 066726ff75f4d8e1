#include "config/gateway_config.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string_view>

#include "usp/endpoint_id.hpp"
#include "usp/files.hpp"
#include "usp/mtp/ws_upgrade.hpp"
#include "usp/strings.hpp"
#include "usp/yaml_reader.hpp"

namespace usp::gateway {

namespace {

// The plugin refuses more partitions than this (plugin_opt_partitions).
constexpr unsigned max_partitions = 1024;

// Relative paths in the file are taken from the file's own folder, so that
// `usp-gateway --check` gives the same answer from any working directory.
struct context {
  std::filesystem::path base;

  std::string resolve(const std::string& p) const {
    if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
    return (base / p).lexically_normal().string();
  }
};

bool readable_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream f(path, std::ios::binary);
  return static_cast<bool>(f);
}

// ---- MQTT topics (MQTT 5 section 4.7) ----------------------------------------

std::optional<std::string> topic_text_problem(std::string_view t) {
  if (t.empty()) return "must not be empty";
  if (t.size() > 65535) return "must be at most 65535 bytes";
  if (t.find('\0') != std::string_view::npos) return "must not contain NUL";
  if (!is_valid_utf8(t)) return "must be UTF-8";
  return std::nullopt;
}

// A topic name, as published to: no wildcards.
std::optional<std::string> topic_name_problem(std::string_view t) {
  if (auto p = topic_text_problem(t)) return p;
  if (t.find_first_of("+#") != std::string_view::npos) return "must not contain the wildcards '+' or '#'";
  return std::nullopt;
}

// A topic filter, as subscribed to: '+' and '#' only as whole levels, '#' last.
std::optional<std::string> topic_filter_problem(std::string_view t) {
  if (auto p = topic_text_problem(t)) return p;
  const auto levels = split(t, '/');
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const auto level = levels[i];
    if (level.find('+') != std::string_view::npos && level != "+") return "'+' must be a whole topic level";
    if (level.find('#') != std::string_view::npos && (level != "#" || i + 1 != levels.size())) {
      return "'#' must be the whole last topic level";
    }
  }
  return std::nullopt;
}

// Reads a string key that must pass `check` (which returns a problem or nothing).
template <class Check>
bool read_checked(map_reader& m, std::string_view key, std::string& out, Check check,
                  presence p = presence::optional) {
  std::string v;
  if (!m.read(key, v, p)) return false;
  if (auto problem = check(v)) {
    m.problem(key, *problem);
    return false;
  }
  out = std::move(v);
  return true;
}

std::optional<std::string> non_empty(const std::string& v) {
  if (v.empty()) return "must not be empty";
  return std::nullopt;
}

std::optional<std::string> ip_address(const std::string& v) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, v.c_str(), buf) == 1 || inet_pton(AF_INET6, v.c_str(), buf) == 1) return std::nullopt;
  return "must be an IPv4 or IPv6 address, got '" + v + "'";
}

std::optional<std::string> endpoint_id(const std::string& v) {
  std::string why;
  if (parse_endpoint_id(v, &why)) return std::nullopt;
  return "'" + v + "' is not an endpoint id: " + why;
}

bool read_seconds(map_reader& m, std::string_view key, std::chrono::seconds& out, std::int64_t lo, std::int64_t hi) {
  std::int64_t v = out.count();
  if (!m.read_int(key, v, lo, hi)) return false;
  out = std::chrono::seconds(v);
  return true;
}

// ---- Files -------------------------------------------------------------------

// A path to a file that must be readable now (start-up fails early, naming it).
bool read_file_key(map_reader& m, std::string_view key, std::string& out, const context& cx) {
  std::string v;
  if (!m.read(key, v)) return false;
  if (v.empty()) {
    m.problem(key, "must not be empty");
    return false;
  }
  out = cx.resolve(v);
  if (!readable_file(out)) {
    m.problem(key, "cannot read " + out);
    return false;
  }
  return true;
}

// mqtt.password_file: the password is its first line.
void read_password(map_reader& m, std::string& password, std::string& password_file, const context& cx) {
  m.forbid("password", "must not be written in the configuration; put it in a file named by password_file");
  std::string path;
  if (!m.read("password_file", path)) return;
  if (path.empty()) {
    m.problem("password_file", "must not be empty");
    return;
  }
  path = cx.resolve(path);
  const auto text = readable_file(path) ? read_file(path) : std::nullopt;
  if (!text) {
    m.problem("password_file", "cannot read " + path);
    return;
  }
  password_file = path;
  password = text->substr(0, text->find('\n'));
  if (!password.empty() && password.back() == '\r') password.pop_back();
}

enum class tls_role : std::uint8_t { client, server };

// A tls: map. Clients may present a certificate (cert_file with key_file);
// a server must (listen.tls), and with ca_file + verify asks for client
// certificates.
std::optional<tls_options> read_tls(map_reader& parent, std::string_view key, const context& cx, tls_role role) {
  if (!parent.has(key)) return std::nullopt;
  auto t = parent.child(key);
  tls_options o;
  read_file_key(t, "ca_file", o.ca_file, cx);
  read_file_key(t, "cert_file", o.cert_file, cx);
  read_file_key(t, "key_file", o.key_file, cx);
  t.read("verify", o.verify);
  const bool cert = t.has("cert_file");
  const bool pkey = t.has("key_file");
  if (role == tls_role::server && !cert && !pkey) {
    parent.problem(key, "needs cert_file and key_file (the server's certificate)");
  } else if (cert && !pkey) {
    t.problem("cert_file", "needs key_file too");
  } else if (pkey && !cert) {
    t.problem("key_file", "needs cert_file too");
  }
  return o;
}

// ---- Sections ----------------------------------------------------------------

std::optional<unsigned> whole_number(std::string_view t) {
  unsigned v = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

// "k/N": this instance takes partition k of N (the plugin's partitions).
void read_partition(map_reader& m, mqtt_config& out) {
  std::string v;
  if (!m.read("partition", v)) return;
  if (auto problem = parse_partition(v, out)) m.problem("partition", *problem);
}

std::optional<std::string> shared_group(const std::string& v) {
  if (v.find_first_of("/+#") != std::string::npos) return "must be one topic level: no '/', '+' or '#'";
  if (!v.empty() && !is_valid_utf8(v)) return "must be UTF-8";
  return std::nullopt;
}

std::optional<std::string> partition_prefix(const std::string& v) {
  if (auto p = topic_name_problem(v)) return p;
  if (v.front() == '/' || v.back() == '/') return "must not start or end with '/'";
  return std::nullopt;
}

void read_mqtt(map_reader& root, mqtt_config& m, const context& cx) {
  auto s = root.child("mqtt");
  read_checked(s, "host", m.host, non_empty);
  // TLS moves the default port to MQTT's TLS port, as for the phones.
  if (s.has("tls")) m.port = 8883;
  s.read("port", m.port, 1, 65535);
  read_checked(s, "client_id", m.client_id, [](const std::string& v) -> std::optional<std::string> {
    if (v.empty()) return "must not be empty (the gateway keeps a persistent session)";
    return std::nullopt;
  });
  read_seconds(s, "session_expiry_s", m.session_expiry, 0, 4294967295);
  s.read("username", m.username);
  read_password(s, m.password, m.password_file, cx);
  m.tls = read_tls(s, "tls", cx, tls_role::client);
  s.read("keepalive_s", m.keepalive_s, 5, 65535);
  read_checked(s, "shared_group", m.shared_group, shared_group);
  read_partition(s, m);
  read_checked(s, "partition_prefix", m.partition_prefix, partition_prefix);
}

std::optional<ws_mode> mode_named(std::string_view v) {
  if (v == "dial") return ws_mode::dial;
  if (v == "listen") return ws_mode::listen;
  if (v == "multiplex") return ws_mode::multiplex;
  return std::nullopt;
}

const char* mode_name(ws_mode m) {
  switch (m) {
    case ws_mode::dial: return "dial";
    case ws_mode::listen: return "listen";
    case ws_mode::multiplex: return "multiplex";
  }
  return "?";
}

std::optional<std::string> ws_url_problem(const std::string& v) {
  std::string why;
  if (!mtp::parse_ws_url(v, &why)) return "'" + v + "': " + why;
  if (v.find('#') != std::string::npos) return "'" + v + "': a WebSocket URL has no fragment (RFC 6455)";
  return std::nullopt;
}

// url and tls: where to dial, and how to trust it. tls is set for every
// wss:// URL (an absent tls: map means the system's CAs, verified).
void read_ws_peer(map_reader& ws, controller_ws_config& w, const context& cx) {
  const bool has_url = ws.has("url");
  if (w.mode == ws_mode::listen) {
    ws.forbid("url", "must not be set for mode listen (the controller dials the gateway)");
    if (ws.has("tls")) ws.problem("tls", "does not apply to mode listen (listen.tls does)");
    read_tls(ws, "tls", cx, tls_role::client);
    return;
  }
  if (!has_url) ws.problem("url", std::string("is required for mode ") + mode_name(w.mode));
  read_checked(ws, "url", w.url, ws_url_problem);
  w.tls = read_tls(ws, "tls", cx, tls_role::client);
  const bool secure = w.url.starts_with("wss://");
  if (w.tls && !secure && !w.url.empty()) ws.problem("tls", "only applies to wss:// URLs");
  if (!w.tls && secure) w.tls = tls_options{};
}

// R-WS.19: wait m * (k/1000)^(n-1) seconds before retry n, capped by ours.
void read_ws_retry(map_reader& ws, controller_ws_config& w) {
  read_seconds(ws, "keepalive_s", w.keepalive, 0, 65535);
  const bool min_ok = read_seconds(ws, "retry_min_wait_s", w.retry_min_wait, 1, 65535);
  ws.read("retry_multiplier", w.retry_multiplier, 1000, 65535);
  const bool max_ok = read_seconds(ws, "retry_max_wait_s", w.retry_max_wait, 1, 65535);
  if (w.retry_max_wait >= w.retry_min_wait) return;
  if (max_ok) {
    ws.problem("retry_max_wait_s", "must be at least retry_min_wait_s (" +
                                       std::to_string(w.retry_min_wait.count()) + ")");
  } else if (min_ok) {
    ws.problem("retry_min_wait_s", "must not exceed retry_max_wait_s (" +
                                       std::to_string(w.retry_max_wait.count()) + ")");
  }
}

void read_websocket(map_reader& c, controller_ws_config& w, const context& cx, bool listen_enabled) {
  if (!c.has("websocket")) {
    c.problem("websocket", "is required (mode and url)");
    return;
  }
  auto ws = c.child("websocket");
  std::string mode;
  if (ws.read("mode", mode)) {
    if (auto m = mode_named(mode)) {
      w.mode = *m;
    } else {
      ws.problem("mode", "must be dial, listen or multiplex, got '" + mode + "'");
    }
  }
  if (w.mode == ws_mode::listen && !listen_enabled) {
    ws.problem("mode", "listen needs a listen: section (where the controller dials the gateway)");
  }
  read_ws_peer(ws, w, cx);
  read_ws_retry(ws, w);
  if (ws.has("multiplex_eid") && w.mode != ws_mode::multiplex) {
    ws.forbid("multiplex_eid", "only applies to mode multiplex");
  } else {
    read_checked(ws, "multiplex_eid", w.multiplex_eid, endpoint_id);
  }
}

// A second controller with the same endpoint id or topic would make routing
// ambiguous; the problem names the first one.
void check_unique(map_reader& item, std::string_view key, const std::string& value,
                  std::map<std::string, std::string>& first) {
  if (value.empty()) return;
  const auto [it, fresh] = first.emplace(value, item.key_path(key));
  if (!fresh) item.problem(key, "'" + value + "' is already " + it->second);
}

void read_controllers(map_reader& root, gateway_config& cfg, const context& cx) {
  std::map<std::string, std::string> eids;
  std::map<std::string, std::string> topics;
  for (auto& item : root.children("controllers", presence::required)) {
    controller_config c;
    if (read_checked(item, "endpoint_id", c.endpoint_id, endpoint_id, presence::required)) {
      check_unique(item, "endpoint_id", c.endpoint_id, eids);
    }
    if (read_checked(item, "mqtt_topic", c.mqtt_topic, topic_name_problem, presence::required)) {
      check_unique(item, "mqtt_topic", c.mqtt_topic, topics);
    }
    read_websocket(item, c.websocket, cx, cfg.listen.enabled);
    cfg.controllers.push_back(std::move(c));
  }
}

void read_agents(map_reader& root, agents_config& a) {
  auto s = root.child("agents");
  read_checked(s, "topic_template", a.topic_template, [](const std::string& v) -> std::optional<std::string> {
    if (auto p = topic_name_problem(v)) return p;
    if (v.find("{eid}") == std::string::npos) return "must contain {eid} (the agent's endpoint id)";
    return std::nullopt;
  });
  read_seconds(s, "offline_grace_s", a.offline_grace, 0, 86400);
  auto q = s.child("queue");
  q.read("max_records", a.queue_max_records, 0, 100000);
  read_seconds(q, "ttl_s", a.queue_ttl, 1, 86400);
  s.read("max_record_bytes", a.max_record_bytes, 512, 16777216);
}

void read_listen(map_reader& root, listen_config& l, const context& cx) {
  l.enabled = root.has("listen");
  if (!l.enabled) return;
  auto s = root.child("listen");
  read_checked(s, "address", l.address, ip_address);
  s.read("port", l.port, 0, 65535);
  read_checked(s, "path_prefix", l.path_prefix, [](const std::string& v) -> std::optional<std::string> {
    if (v.empty() || v.front() != '/' || v.back() != '/') return "must start and end with '/', got '" + v + "'";
    return std::nullopt;
  });
  l.tls = read_tls(s, "tls", cx, tls_role::server);
}

bool any_address(const std::string& a) { return a == "0.0.0.0" || a == "::"; }

// After listen: both servers on one port would fail at bind time; say so now.
void read_http(map_reader& root, http_config& h, const listen_config& l) {
  h.enabled = root.has("http");
  if (!h.enabled) return;
  auto s = root.child("http");
  read_checked(s, "address", h.address, ip_address);
  s.read("port", h.port, 0, 65535);
  if (!l.enabled || l.port == 0 || l.port != h.port) return;
  if (l.address == h.address || any_address(l.address) || any_address(h.address)) {
    s.problem("port", "is also listen.port (" + std::to_string(l.port) + ")");
  }
}

gateway_config parse(yaml_document doc, const std::string& source) {
  gateway_config cfg;
  cfg.source = source;
  const context cx{std::filesystem::path(source).parent_path()};
  auto root = doc.root();
  read_mqtt(root, cfg.mqtt, cx);
  read_checked(root, "presence_topic", cfg.presence_topic, topic_filter_problem);
  read_listen(root, cfg.listen, cx);
  read_controllers(root, cfg, cx);
  read_agents(root, cfg.agents);
  read_http(root, cfg.http, cfg.listen);
  root.read("threads", cfg.threads, 1, 256);
  doc.finish();
  return cfg;
}

}  // namespace

std::optional<std::string> parse_partition(std::string_view text, mqtt_config& out) {
  const auto slash = text.find('/');
  const auto k = whole_number(text.substr(0, slash));
  const auto n = slash == std::string_view::npos ? std::nullopt : whole_number(text.substr(slash + 1));
  if (!k || !n || *n < 1 || *n > max_partitions || *k >= *n) {
    return "must be k/N with 1 <= N <= " + std::to_string(max_partitions) +
           " (the plugin's partitions) and 0 <= k < N, got '" + std::string(text) + "'";
  }
  out.partition = *k;
  out.partitions = *n;
  return std::nullopt;
}

gateway_config load_gateway_config(const std::string& path) {
  return parse(yaml_document::from_file(path), path);
}

gateway_config parse_gateway_config(const std::string& text, const std::string& name) {
  return parse(yaml_document::from_string(text, name), name);
}

}  // namespace usp::gateway

#include "config/settings.hpp"


#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "config/net_address.hpp"
#include "usp/files.hpp"
#include "usp/log.hpp"
#include "usp/strings.hpp"
#include "usp/yaml_reader.hpp"

namespace usp::agent {
namespace {

namespace fs = std::filesystem;

// ---- values of the settings we understand --------------------------------

std::optional<std::string> must_be(bool ok, std::string_view what) {
  if (ok) return std::nullopt;
  return "must be " + std::string(what);
}

std::optional<std::string> check_on_off(std::string_view v) { return must_be(v == "on" || v == "off", "on or off"); }

std::optional<std::string> check_mtp_protocol(std::string_view v) {
  return must_be(v == "mqtt" || v == "websocket", "mqtt or websocket");
}

std::optional<std::string> check_mqtt_version(std::string_view v) {
  return must_be(v == "3.1.1" || v == "5.0", "3.1.1 or 5.0");
}

std::optional<std::string> check_mqtt_transport(std::string_view v) {
  return must_be(v == "TCP/IP" || v == "TLS", "TCP/IP or TLS");
}

std::optional<std::string> check_e2e_mode(std::string_view v) {
  return must_be(v == "Require" || v == "Allow" || v == "Forbid", "Require, Allow or Forbid");
}

// TR-181 E2ESession.MaxUSPRecordSize: unsignedInt [0, 512:], 0 = no limit.
std::optional<std::string> check_e2e_size(std::string_view v) {
  std::uint64_t n = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  const bool digits = !v.empty() && ec == std::errc() && p == v.data() + v.size();
  return must_be(digits && (n == 0 || (n >= 512 && n <= 4294967295U)), "0 or an integer from 512 to 4294967295");
}

// The agent publishes to this topic, and MQTT 3.1.1 / 5.0 §4.7.1 forbid
// wildcards in the Topic Name of a PUBLISH; topics are UTF-8 without NUL
// (§1.5.3 / §1.5.4).
std::optional<std::string> check_publish_topic(std::string_view v) {
  const bool ok = is_valid_utf8(v) && v.find_first_of(std::string_view("+#\0", 3)) == std::string_view::npos;
  return must_be(ok, "a UTF-8 topic name without + or # (the agent publishes to it)");
}

std::optional<std::string> check_hostport(std::string_view v) {
  if (v.empty()) return std::nullopt;
  std::string why;
  auto hp = split_host_port(v, &why);
  if (hp) {
    if (auto bad = host_problem(hp->host)) why = *bad; else return std::nullopt;
  }
  return "must be empty or host[:port] (" + why + ")";
}

std::optional<std::string> check_websocket_uri(std::string_view v) {
  if (v.empty()) return std::nullopt;
  std::string why;
  auto uri = split_ws_uri(v, &why);
  if (uri) {
    if (auto bad = host_problem(uri->authority.host)) {
      why = *bad;
    } else if (auto bad_target = target_problem(uri->target)) {
      why = *bad_target;
    } else {
      return std::nullopt;
    }
  }
  return "must be empty or ws[s]://host[:port][/path] (" + why + ")";
}

struct known_setting {
  std::string_view name;
  std::optional<std::string> (*check)(std::string_view);
};

// The tr369_* settings whose values we check; each also exists with the
// suffix 2 (controller 2). tr369_mqtt_username / password / clientid and
// tr369_controller_endpointid / subscriptionid take any text.
constexpr known_setting known_settings[] = {
    {"tr369_enable", check_on_off},
    {"tr369_mtp_protocol", check_mtp_protocol},
    {"tr369_websocket_uri", check_websocket_uri},
    {"tr369_mqtt_hostport", check_hostport},
    {"tr369_mqtt_version", check_mqtt_version},
    {"tr369_mqtt_transport", check_mqtt_transport},
    {"tr369_mqtt_topic", check_publish_topic},
    {"tr369_controller_e2emode", check_e2e_mode},
    {"tr369_controller_e2esize", check_e2e_size},
};

const known_setting* find_known(std::string_view name) {
  for (const auto& k : known_settings) {
    if (name == k.name) return &k;
    if (name.size() == k.name.size() + 1 && name.back() == '2' && name.substr(0, k.name.size()) == k.name) return &k;
  }
  return nullptr;
}

// Replaces {mac} and {eid} in one pass (a replacement is never expanded again).
std::string expand(std::string_view v, std::string_view mac, std::string_view eid) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size();) {
    if (v.substr(i, 5) == "{mac}") {
      out += mac;
      i += 5;
    } else if (v.substr(i, 5) == "{eid}") {
      out += eid;
      i += 5;
    } else {
      out += v[i++];
    }
  }
  return out;
}

bool is_name_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

std::optional<setting_flag> flag_of(char c) noexcept {
  switch (c) {
    case '!': return setting_flag::keep;
    case '$': return setting_flag::volatile_;
    case '&': return setting_flag::read_only;
    default: return std::nullopt;
  }
}

// ---- files ----------------------------------------------------------------

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) return std::nullopt;
  return text;
}

std::string where(const std::string& file, int line) { return file + ":" + std::to_string(line) + ": "; }

// The factory and user layers. A template so it can fill the store's private
// entry map without naming its type.
template <class Entries>
void read_file_layers(const settings_store::paths& p, Entries& entries, std::vector<std::string>& problems) {
  if (!p.factory.empty()) {
    if (auto text = read_text(p.factory)) {
      for (auto& s : parse_settings(*text, p.factory, problems)) {
        auto& e = entries[s.name];
        e.value = std::move(s.value);
        e.flag = s.flag;
        e.fixed = s.flag == setting_flag::read_only;
      }
    } else {
      problems.push_back(p.factory + ": cannot read the file");
    }
  }
  if (!p.user.empty()) {
    if (auto text = read_text(p.user)) {
      for (auto& s : parse_settings(*text, p.user, problems)) {
        auto it = entries.find(s.name);
        if (it != entries.end() && it->second.fixed) {
          problems.push_back(where(p.user, s.line) + s.name + ": fixed by the factory settings");
          continue;
        }
        auto& e = entries[s.name];
        e.value = std::move(s.value);
        e.flag = s.flag;
        e.fixed = false;
      }
    } else {
      problems.push_back(p.user + ": cannot read the file");
    }
  }
}

// The state layer: what controllers set. Only `!` settings take their value
// from it; a `$` value is "overwritten on reboot" by the files' value, and a
// name the files no longer hold (or now make read-only) is dropped.
template <class Entries, class Changed>
void read_state_layer(const std::string& path, Entries& entries, Changed& changed,
                      std::vector<std::string>& problems) {
  if (path.empty()) return;
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (!exists && !ec) return;  // a phone no controller has configured yet
  auto text = exists ? read_text(path) : std::nullopt;
  if (!text) {
    problems.push_back(path + ": cannot read the file");
    return;
  }
  for (auto& s : parse_settings(*text, path, problems)) {
    auto it = entries.find(s.name);
    if (it == entries.end() || it->second.flag != setting_flag::keep) continue;
    it->second.value = s.value;
    changed[s.name] = std::move(s.value);
  }
}

}  // namespace

// ---- parsing ----------------------------------------------------------------

std::optional<std::string> validate_setting(std::string_view name, std::string_view value) {
  const auto* k = find_known(name);
  if (!k) return std::nullopt;
  // {mac} expands to 12 hex digits, which fit wherever the value may hold
  // it (host names, paths, topics); check the value as it will be used.
  return k->check(expand(value, "000000000000", "{eid}"));
}

std::vector<parsed_setting> parse_settings(std::string_view text, const std::string& file,
                                           std::vector<std::string>& problems) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 BOM from Windows editors
  std::vector<parsed_setting> out;
  std::map<std::string, std::size_t, std::less<>> index;  // name -> position in out
  int line_no = 0;
  for (auto line : split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.front() == '<') continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      problems.push_back(where(file, line_no) + "expected name: value");
      continue;
    }
    auto name = line.substr(0, colon);
    setting_flag flag = setting_flag::read_only;
    if (!name.empty()) {
      if (auto f = flag_of(name.back())) {
        flag = *f;
        name.remove_suffix(1);
      }
    }
    if (name.empty()) {
      problems.push_back(where(file, line_no) + "missing the setting name before ':'");
      continue;
    }
    bool good_name = true;
    for (const char c : name) good_name = good_name && is_name_char(c);
    if (!good_name) {
      problems.push_back(where(file, line_no) + "bad setting name \"" + std::string(name) +
                         "\" (letters, digits and _, then one of the flags ! $ &)");
      continue;
    }
    auto value = line.substr(colon + 1);
    // A stray CR before the end (CR CR LF line ends) is line-end noise, not
    // part of the value: the state file could not keep it (format_settings).
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ' || value.back() == '\t')) {
      value.remove_suffix(1);
    }
    value = trim(value);
    if (auto why = validate_setting(name, value)) {
      problems.push_back(where(file, line_no) + std::string(name) + ": " + *why);
      continue;
    }
    parsed_setting s{std::string(name), std::string(value), flag, line_no};
    if (auto it = index.find(name); it != index.end()) {
      out[it->second] = std::move(s);  // later lines win
    } else {
      index.emplace(s.name, out.size());
      out.push_back(std::move(s));
    }
  }
  return out;
}

std::string format_settings(const std::vector<parsed_setting>& settings) {
  std::string out;
  for (const auto& s : settings) {
    out += s.name;
    if (s.flag == setting_flag::keep) out += '!';
    if (s.flag == setting_flag::volatile_) out += '$';
    out += ':';
    if (!s.value.empty()) out += ' ' + s.value;  // no trailing space for an empty value
    out += '\n';
  }
  return out;
}

// ---- the store --------------------------------------------------------------

settings_store settings_store::load(const paths& p, setting_expansions x) {
  settings_store s;
  s.paths_ = p;
  s.x_ = std::move(x);
  std::vector<std::string> problems;
  read_file_layers(p, s.entries_, problems);
  read_state_layer(p.state, s.entries_, s.changed_, problems);
  if (!problems.empty()) throw usp::config_error(std::move(problems));
  return s;
}

std::optional<std::string> settings_store::get(std::string_view name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  return expand(it->second.value, x_.mac, x_.eid);
}

std::optional<std::string> settings_store::raw(std::string_view name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  return it->second.value;
}

bool settings_store::writable(std::string_view name) const {
  const auto it = entries_.find(name);
  return it != entries_.end() && !it->second.fixed && it->second.flag != setting_flag::read_only;
}

std::vector<std::string> settings_store::names() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [name, e] : entries_) out.push_back(name);
  return out;
}

settings_store::set_result settings_store::set(std::string_view name, std::string_view value) {
  const auto refuse = [&](usp::err_code code, std::string_view why) {
    return set_result{code, std::string(name) + ": " + std::string(why), false};
  };
  const auto it = entries_.find(name);
  if (it == entries_.end()) return refuse(usp::err_code::invalid_path, "no such setting");
  if (it->second.fixed) return refuse(usp::err_code::param_read_only, "fixed by the factory settings");
  if (it->second.flag == setting_flag::read_only) return refuse(usp::err_code::param_read_only, "read-only");
  // The state file holds one value per line and trims both ends: a value it
  // cannot hold would change (or break the file) on the next start.
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    return refuse(usp::err_code::invalid_value, "must be a single line of text");
  }
  if (trim(value) != value) {
    return refuse(usp::err_code::invalid_value, "must not start or end with a space or tab");
  }
  if (auto why = validate_setting(name, value)) return refuse(usp::err_code::invalid_value, *why);

  // Persist first: on an I/O failure nothing changes, in memory or on disk.
  auto next = changed_;
  next[std::string(name)] = std::string(value);
  if (next != changed_ && !paths_.state.empty()) {
    std::vector<parsed_setting> rows;
    for (const auto& [n, v] : next) {
      const auto e = entries_.find(n);
      rows.push_back({n, v, e != entries_.end() ? e->second.flag : setting_flag::keep, 0});
    }
    const std::string text =
        "# Written by usp-agent: the values USP controllers set. Edit only while the agent is stopped.\n" +
        format_settings(rows);
    std::string why;
    if (!usp::write_file_atomically(paths_.state, text, why)) {
      return refuse(usp::err_code::internal_error, "cannot save " + paths_.state + ": " + why);
    }
  }
  changed_ = std::move(next);
  // Copies: a listener may call set() or on_change() again.
  const std::string key(name);
  const std::string now(value);
  const std::string old = std::exchange(it->second.value, now);
  if (old != now) {
    const auto listeners = listeners_;
    for (const auto& l : listeners) l(key, old, now);
  }
  return {};
}

settings_store settings_store::dry_run() const {
  settings_store copy = *this;
  copy.paths_.state.clear();  // set() persists only with a state file
  copy.listeners_.clear();
  return copy;
}

void settings_store::replace(std::map<std::string, entry, std::less<>> fresh) {
  auto before = std::exchange(entries_, std::move(fresh));
  const auto listeners = listeners_;
  const auto announce = [&](const std::string& n, const std::string& old_value, const std::string& new_value) {
    if (old_value == new_value) return;
    for (const auto& l : listeners) l(n, old_value, new_value);
  };
  const auto after = entries_;  // listeners may call set()
  for (const auto& [n, e] : before) {
    const auto now = after.find(n);
    announce(n, e.value, now != after.end() ? now->second.value : std::string());
  }
  for (const auto& [n, e] : after) {
    if (!before.contains(n)) announce(n, std::string(), e.value);
  }
}

void settings_store::factory_reset() {
  auto log = usp::log::get("agent.settings");
  std::error_code ec;
  if (!paths_.state.empty() && !fs::remove(paths_.state, ec) && ec) {
    log->warn("factory reset: cannot remove {}: {}", paths_.state, ec.message());
  }
  decltype(entries_) fresh;
  std::vector<std::string> problems;
  read_file_layers(paths_, fresh, problems);
  // The files were fine at start-up; if someone broke them since, a reset
  // still drops every controller change and keeps the lines that parse.
  for (const auto& p : problems) log->warn("factory reset: {}", p);
  changed_.clear();
  replace(std::move(fresh));
}

std::vector<std::string> settings_store::reload() {
  decltype(entries_) fresh;
  decltype(changed_) changed;
  std::vector<std::string> problems;
  read_file_layers(paths_, fresh, problems);
  read_state_layer(paths_.state, fresh, changed, problems);
  if (!problems.empty()) return problems;
  changed_ = std::move(changed);
  replace(std::move(fresh));
  return {};
}

}  // namespace usp::agent

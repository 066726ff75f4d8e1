#include "app/cli.hpp"

#include <unistd.h>

#include <filesystem>

#include <CLI/CLI.hpp>

#include "config/settings.hpp"
#include "usp/endpoint_id.hpp"
#include "usp/file_secrets.hpp"
#include "usp/files.hpp"
#include "usp/log.hpp"
#include "usp/yaml_reader.hpp"

namespace usp::agent {

namespace fs = std::filesystem;

int parse_command_line(int argc, char** argv, agent_args& a) {
  CLI::App app{"usp-agent: a software Snom desk phone managed over TR-369 / USP"};
  app.add_option("--mac", a.mac, "the phone's MAC address (12 hex digits)");
  app.add_option("--identity", a.identity_file, "YAML file with mac, model, firmware, serial, endpoint_id");
  app.add_option("--settings", a.settings, "the user's settings file (vendor text format)");
  app.add_option("--factory", a.factory, "the vendor's factory settings (default: shipped config/agent/factory.txt)");
  app.add_option("--param-map", a.param_map, "param_map file (default: shipped config/agent/param_map)");
  app.add_option("--state-dir", a.state_dir, "folder for what changes at run time (deleting it = factory reset)")
      ->required();
  app.add_option("--model", a.model, "model name, e.g. D785");
  app.add_option("--firmware", a.firmware, "firmware version, e.g. 10.1.182.0");
  app.add_option("--serial", a.serial, "serial number (default: the MAC)");
  app.add_option("--endpoint-id", a.endpoint_id, "endpoint id (default: os::000413-<MAC>)");
  app.add_option("--response-topic", a.response_topic, "the phone's own MQTT topic; {eid} and {mac} expand");
  app.add_option("--log-level", a.log_level, "trace, debug, info, warn, error or off");
  app.add_option("--ws-listen", a.ws_listen, "ADDR:PORT for the phone's own WebSocket server");
  app.add_option("--ca-file", a.ca_file, "CA certificates for TLS (default: the system's)");
  app.add_option("--cert-file", a.cert_file, "client certificate for mutual TLS");
  app.add_option("--key-file", a.key_file, "its private key");
  app.add_option("--reboot-delay-ms", a.reboot_delay_ms, "how long a reboot keeps the phone away");
  app.add_option("--retry-s", a.retry_s, "fixed reconnect wait for every MTP, overriding the data model's (tests)");
  app.add_option("--fleet", a.fleet, "run N phones in this process");
  app.add_option("--mac-base", a.mac_base, "first MAC of the fleet; the others count up");
  app.add_option("--threads", a.threads, "fleet mode: io_context threads (default: one per core)");
  app.add_option("--connect-rate", a.connect_rate, "fleet mode: phones started per second (default 1000)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return -1;
}

std::string default_config_file(const std::string& name) {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("USP_AGENT_CONFIG_DIR")) dirs.emplace_back(env);
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path().parent_path() / "share/usp-mqtt-gateway/agent");
#ifdef USP_SOURCE_CONFIG_DIR
  dirs.emplace_back(USP_SOURCE_CONFIG_DIR);
#endif
  for (const auto& d : dirs) {
    if (fs::exists(d / name, ec)) return (d / name).string();
  }
  return {};
}

std::string normalize_mac(std::string_view mac) {
  std::string out;
  for (char c : mac) {
    if (c == ':' || c == '-') continue;
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return {};
    out.push_back(c);
  }
  return out.size() == 12 ? out : std::string();
}

namespace {

// The optional identity YAML: mac, model, firmware, serial, endpoint_id.
void read_identity_file(const std::string& path, identity& id, std::string& mac) {
  auto doc = usp::yaml_document::from_file(path);
  auto root = doc.root();
  root.read("mac", mac);
  root.read("model", id.model);
  root.read("firmware", id.firmware);
  root.read("serial", id.serial);
  root.read("endpoint_id", id.endpoint_id);
  root.read("manufacturer", id.manufacturer);
  root.read("hardware", id.hardware);
  doc.finish();
}

}  // namespace

phone_options phone_options_for(const agent_args& a, const std::string& mac_text, const std::string& state_dir) {
  std::vector<std::string> problems;
  phone_options o;
  std::string mac = mac_text;
  if (!a.identity_file.empty()) {
    try {
      read_identity_file(a.identity_file, o.id, mac);
    } catch (const usp::config_error& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }
  o.id.mac = normalize_mac(mac);
  if (o.id.mac.empty()) problems.push_back("--mac: '" + mac + "' is not a MAC address (12 hex digits)");
  if (!a.model.empty()) o.id.model = a.model;
  if (!a.firmware.empty()) o.id.firmware = a.firmware;
  if (!a.serial.empty()) o.id.serial = a.serial;
  if (o.id.serial.empty()) o.id.serial = o.id.mac;
  if (!a.endpoint_id.empty()) o.id.endpoint_id = a.endpoint_id;
  if (o.id.endpoint_id.empty()) o.id.endpoint_id = "os::" + o.id.oui + "-" + o.id.mac;
  std::string why;
  if (!o.id.mac.empty() && !usp::parse_endpoint_id(o.id.endpoint_id, &why)) {
    problems.push_back("--endpoint-id: '" + o.id.endpoint_id + "': " + why);
  }
  o.files.factory = a.factory.empty() ? default_config_file("factory.txt") : a.factory;
  o.files.user = a.settings;
  o.state_dir = state_dir;
  o.files.state = state_dir + "/settings.txt";
  o.response_topic = a.response_topic;
  o.ca_file = a.ca_file;
  o.cert_file = a.cert_file;
  o.key_file = a.key_file;
  o.reboot_delay = std::chrono::milliseconds(a.reboot_delay_ms);
  o.retry_override = std::chrono::seconds(a.retry_s);
  o.ws_listen = a.ws_listen;
  if (!problems.empty()) throw usp::config_error(std::move(problems));
  return o;
}

namespace {

// A settings file is secret when it sets a non-empty tr369_mqtt_password.
bool holds_mqtt_password(const std::string& path) {
  const auto text = path.empty() ? std::nullopt : usp::read_file(path);
  if (!text) return false;
  std::vector<std::string> problems;
  for (const auto& s : parse_settings(*text, path, problems)) {
    if (s.name.starts_with("tr369_mqtt_password") && !s.value.empty()) return true;
  }
  return false;
}

}  // namespace

void warn_about_exposed_secrets(const agent_args& a) {
  auto lg = usp::log::get("agent");
  if (holds_mqtt_password(a.settings)) usp::warn_if_exposed(*lg, a.settings, "settings file with tr369_mqtt_password");
  usp::warn_if_exposed(*lg, a.key_file, "TLS private key (--key-file)");
  // The state folder: what controllers set (settings.txt, dm.txt may hold
  // passwords), written 0600 by us, so only someone else's chmod exposes
  // them. A fleet has a folder per phone: a few lines, then a count.
  constexpr unsigned max_lines = 3;
  unsigned exposed = 0;
  auto check_phone_dir = [&](const fs::path& dir) {
    for (const char* name : {"settings.txt", "dm.txt"}) {
      const auto file = (dir / name).string();
      if (usp::exposed_mode_bits(file) == 0) continue;
      if (++exposed <= max_lines) usp::warn_if_exposed(*lg, file, "agent state file");
    }
  };
  if (a.state_dir.empty()) return;
  check_phone_dir(a.state_dir);
  if (a.fleet > 0) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(a.state_dir, ec)) {
      if (entry.is_directory(ec)) check_phone_dir(entry.path());
    }
  }
  if (exposed > max_lines) {
    lg->warn("{} more agent state files in {} are accessible by group or others; chmod -R go-rwx {}",
             exposed - max_lines, a.state_dir, a.state_dir);
  }
}

}  // namespace usp::agent

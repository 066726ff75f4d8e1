#include "cli.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

#include "codec_verbs.hpp"
#include "usp/log.hpp"

namespace usp::ctl {

namespace {

// "HOST:PORT" (the last ':' splits, so bracketless IPv6 is not supported).
bool split_host_port(const std::string& s, std::string& host, std::uint16_t& port) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  try {
    std::size_t used = 0;
    const auto n = std::stoul(s.substr(colon + 1), &used);
    if (used != s.size() - colon - 1 || n > 65535) return false;
    port = static_cast<std::uint16_t>(n);
  } catch (const std::exception&) {
    return false;
  }
  host = s.substr(0, colon);
  return true;
}

struct raw_options {
  std::string ws_listen, ws_connect, mqtt, mqtt_version = "5.0";
  double timeout_s = 10;
  bool insecure = false;
};

// Cross-option rules CLI11 cannot say; empty when all is well.
std::string check(command_line& c, const raw_options& r) {
  auto& l = c.link;
  const auto& verb = c.verb.name;
  const int modes = !r.ws_listen.empty() + !r.ws_connect.empty() + !r.mqtt.empty();
  if (modes != 1) return "give one of --ws-listen ADDR:PORT, --ws-connect URL, --mqtt HOST:PORT";
  if (!r.ws_listen.empty()) {
    l.mode = link_mode::ws_listen;
    if (!split_host_port(r.ws_listen, l.host, l.port)) return "--ws-listen: expected ADDR:PORT, got '" + r.ws_listen + "'";
  } else if (!r.ws_connect.empty()) {
    l.mode = link_mode::ws_connect;
    l.url = r.ws_connect;
  } else {
    l.mode = link_mode::mqtt;
    if (!split_host_port(r.mqtt, l.host, l.port) || l.port == 0) return "--mqtt: expected HOST:PORT, got '" + r.mqtt + "'";
    if (l.topic.empty()) return "--mqtt needs --topic (where this controller listens)";
    if (l.to.empty() && verb != "watch") return "--mqtt needs --to AGENT_EID for " + verb;
    if (r.mqtt_version == "5.0" || r.mqtt_version == "5") {
      l.version = mqtt_version::v5;
    } else if (r.mqtt_version == "3.1.1") {
      l.version = mqtt_version::v3_1_1;
    } else {
      return "--mqtt-version: 3.1.1 or 5.0";
    }
  }
  if (r.timeout_s <= 0) return "--timeout: seconds, more than 0";
  l.timeout = std::chrono::milliseconds(static_cast<long long>(r.timeout_s * 1000));
  l.tls_files.verify = !r.insecure;  // R-MTP.1: verified unless asked not to
  l.tls = l.tls || r.insecure || !l.tls_files.ca_file.empty() || !l.tls_files.cert_file.empty();
  if (l.tls_files.cert_file.empty() != l.tls_files.key_file.empty()) return "--cert and --key go together";
  if (l.mode == link_mode::ws_listen && l.tls && l.tls_files.cert_file.empty()) {
    return "--ws-listen with TLS needs --cert and --key";
  }
  return {};
}

void add_verbs(CLI::App& app, command_line& c) {
  auto& v = c.verb;
  auto paths = [&](CLI::App* sub, const char* what) { sub->add_option("args", v.args, what); };
  paths(app.add_subcommand("get", "read parameters (paths, partial paths, searches)"), "PATH...");
  paths(app.add_subcommand("set", "write parameters"), "PATH=VALUE...");
  paths(app.add_subcommand("add", "create an object"), "OBJ. [PARAM=VALUE...]");
  paths(app.add_subcommand("delete", "delete objects"), "OBJ...");
  auto* op = app.add_subcommand("operate", "run a command");
  paths(op, "'CMD()' [ARG=VALUE...]");
  op->add_flag("--wait", v.wait, "wait for the command to complete (OperationComplete, or the Boot! after a reboot)");
  op->add_option("--command-key", v.command_key, "the command key (default usp-ctl-<pid>)");
  auto* inst = app.add_subcommand("instances", "list object instances");
  paths(inst, "OBJ...");
  auto* sdm = app.add_subcommand("supported-dm", "show the supported data model");
  paths(sdm, "OBJ...");
  for (auto* s : {inst, sdm}) s->add_flag("--first-level", v.first_level, "only the first level below each path");
  app.add_subcommand("supported-protocol", "the USP versions the agent speaks");
  auto* watch = app.add_subcommand("watch", "print notifications as they come (answers NotifyResp, R-NOT.10)");
  watch->add_option("--count", v.count, "stop after N notifications (exit 3 if --timeout passes first)");
  for (const char* s : {"set", "add", "delete"}) {
    app.get_subcommand(s)->add_flag("--allow-partial", v.allow_partial, "let the agent apply what it can");
  }
  auto* decode = app.add_subcommand("decode", "print a USP Record (and its Msg) as JSON");
  decode->add_option("file", c.codec_file, "Record file, or - for stdin");
  app.add_subcommand("encode", "build a USP Record from JSON on stdin");
}

}  // namespace

int parse_command_line(int argc, char** argv, command_line& c) {
  CLI::App app{"usp-ctl: a USP (TR-369) controller on the command line"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the verb
  raw_options r;
  auto& l = c.link;
  app.add_option("--ws-listen", r.ws_listen, "accept agents (or the gateway) dialling in on ADDR:PORT (0: any port)");
  app.add_option("--ws-connect", r.ws_connect, "dial ws[s]://host:port/path (an agent, or the gateway's /usp/<EID>)");
  app.add_option("--mqtt", r.mqtt, "use the MQTT broker at HOST:PORT");
  app.add_option("--topic", l.topic, "MQTT: our topic, where agents publish to us");
  app.add_option("--agent-topic", l.agent_topic, "MQTT: an agent's topic until it tells its own ({eid} expands)");
  app.add_option("--mqtt-version", r.mqtt_version, "MQTT: 5.0 (default) or 3.1.1");
  app.add_option("--client-id", l.client_id, "MQTT client id (default: assigned by a 5.0 broker)");
  app.add_option("--username", l.username, "MQTT username");
  app.add_option("--password-file", l.password_file, "MQTT password: the first line of this file");
  app.add_flag("--tls", l.tls, "MQTT over TLS (implied by --ca, --cert, --insecure)");
  app.add_option("--eid", l.endpoint_id, "our endpoint id (default self::usp-ctl)");
  app.add_option("--to", l.to, "the agent's endpoint id (default: the first agent heard from)");
  app.add_flag("--json", c.verb.json, "machine output: one JSON document (a line per notification with watch)");
  app.add_option("--timeout", r.timeout_s, "seconds to wait for a connection and for each answer (default 10)");
  app.add_option("--ca", l.tls_files.ca_file, "PEM CAs that may sign the peer (default: the system's)");
  app.add_option("--cert", l.tls_files.cert_file, "our certificate (PEM)");
  app.add_option("--key", l.tls_files.key_file, "its private key (PEM)");
  app.add_flag("--insecure", r.insecure, "do not verify the peer's certificate (lab use only)");
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn (default), error, off");
  app.add_flag("--e2e", l.e2e, "requests travel in an E2E session context");
  // A later option wins, so scripts can append to a prepared command line.
  for (auto* o : app.get_options()) o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  add_verbs(app, c);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_usage;
  }
  c.verb.name = app.get_subcommands().front()->get_name();
  if (const auto level = usp::log::parse_level(c.log_level)) {
    usp::log::set_level(*level);
  } else {
    std::cerr << "usp-ctl: --log-level: trace, debug, info, warn, error or off\n";
    return exit_usage;
  }
  if (c.verb.name == "decode" || c.verb.name == "encode") return -1;
  if (const auto problem = check(c, r); !problem.empty()) {
    std::cerr << "usp-ctl: " << problem << "\n";
    return exit_usage;
  }
  return -1;
}

}  // namespace usp::ctl

// usp-agent's command line (docs/INTERFACES.md) turned into phone options.
#pragma once

#include <string>
#include <vector>

#include "phone.hpp"

namespace usp::agent {

struct agent_args {
  std::string mac;
  std::string identity_file;
  std::string settings;
  std::string factory;
  std::string param_map;
  std::string state_dir;
  std::string model;
  std::string firmware;
  std::string serial;
  std::string endpoint_id;
  std::string response_topic = "usp/agent/{eid}";
  std::string log_level = "info";
  std::string ws_listen;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  unsigned reboot_delay_ms = 1000;
  unsigned retry_s = 0;
  // Fleet mode
  unsigned fleet = 0;
  std::string mac_base;
  unsigned threads = 0;
  unsigned connect_rate = 1000;  // phones started per second
};

// Parses argv; returns the exit code to leave with, or -1 to go on.
int parse_command_line(int argc, char** argv, agent_args& out);

// Where the shipped factory file and param_map live when no flag names them:
// $USP_AGENT_CONFIG_DIR, <prefix>/share/usp-mqtt-gateway/agent next to the
// binary, then the source tree's config/agent.
std::string default_config_file(const std::string& name);

// Upper-case hex without separators; empty when not a MAC address.
std::string normalize_mac(std::string_view mac);

// The options of the phone with MAC `mac` (fleet members get their own
// state folder). Throws usp::config_error with every problem.
phone_options phone_options_for(const agent_args& a, const std::string& mac, const std::string& state_dir);

// Warns, naming each file, about secrets readable by group or others: the
// settings file when it holds tr369_mqtt_password, --key-file, and the state
// folder's settings.txt and dm.txt (usp/file_secrets.hpp).
void warn_about_exposed_secrets(const agent_args& a);

}  // namespace usp::agent

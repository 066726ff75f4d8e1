// The plugin's options (plugin_opt_* lines in mosquitto.conf), parsed into a
// plain struct. Option names and meanings are fixed by INTERFACES.md and
// documented in config/mosquitto-usp.conf and docs/broker-plugin.md.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace usp::plugin {

// Where a client's endpoint id comes from.
enum class identity_source : std::uint8_t { client_id, username, cert_cn, cert_san };

// What the plugin answers for topics outside the USP topic space: `allow`
// keeps the broker's behaviour without the plugin (everything allowed unless
// another check says no); `defer` leaves the decision to acl_file or another
// plugin loaded after this one (mosquitto denies when nobody decides).
enum class non_usp_policy : std::uint8_t { allow, defer };

struct plugin_options {
  identity_source identity = identity_source::client_id;
  std::string agent_topic = "usp/agent/{eid}";
  std::vector<std::string> controller_topics;      // required
  std::vector<std::string> privileged_usernames;
  std::uint32_t max_record_bytes = 65536;
  std::string presence_topic;                      // empty: no presence events
  std::uint32_t partitions = 1;
  std::string partition_prefix = "usp/part";
  std::string stats_topic = "$SYS/broker/usp";     // empty: no counters published
  std::uint32_t stats_interval_s = 10;             // 0: no counters published
  non_usp_policy non_usp_acl = non_usp_policy::allow;
};

// One plugin_opt_<key> <value> line, the key without its prefix (as mosquitto
// hands it over).
struct option_line {
  std::string_view key;
  std::string_view value;
};

// Parses and checks every option. On the first problem returns nullopt and
// sets `error` to one line naming the option: `plugin_opt_partitions: must be
// an integer from 1 to 1024, got "x"`.
std::optional<plugin_options> parse_options(std::span<const option_line> lines, std::string& error);

std::string_view to_string(identity_source s) noexcept;

}  // namespace usp::plugin

#include "policy/options.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "policy/topic_space.hpp"
#include "usp/strings.hpp"

namespace usp::plugin {
namespace {

constexpr std::array<std::string_view, 11> known_keys = {
    "identity",       "agent_topic", "controller_topics", "privileged_usernames", "max_record_bytes",
    "presence_topic", "partitions",  "partition_prefix",  "stats_topic",          "stats_interval_s",
    "non_usp_acl"};

std::string quoted(std::string_view v) { return "\"" + std::string(v) + "\""; }

std::vector<std::string> words(std::string_view v) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    const auto start = i;
    while (i < v.size() && v[i] != ' ' && v[i] != '\t') ++i;
    if (i > start) out.emplace_back(v.substr(start, i - start));
  }
  return out;
}

// mosquitto refuses an empty option value, so "" stands for "empty".
bool is_empty_marker(std::string_view v) noexcept { return v == "\"\""; }

// Collects the first problem; every check below reports through it.
class checker {
 public:
  explicit checker(std::string& error) : error_(error) {}
  bool ok() const noexcept { return error_.empty(); }
  bool fail(std::string_view key, const std::string& what) {
    if (ok()) error_ = "plugin_opt_" + std::string(key) + ": " + what;
    return false;
  }

  bool number(std::string_view key, std::string_view v, std::uint32_t lo, std::uint32_t hi, std::uint32_t& out) {
    std::uint64_t n = 0;
    const auto* end = v.data() + v.size();
    const auto [p, ec] = std::from_chars(v.data(), end, n);
    if (v.empty() || ec != std::errc{} || p != end || n < lo || n > hi) {
      return fail(key, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " +
                           quoted(v));
    }
    out = static_cast<std::uint32_t>(n);
    return true;
  }

  bool topic(std::string_view key, std::string_view v) {
    if (auto problem = check_topic_name(v); !problem.empty()) return fail(key, problem + ", got " + quoted(v));
    return true;
  }

  bool templ(std::string_view key, std::string_view v) {
    std::string why;
    if (!topic_template::parse(v, why)) return fail(key, why + ", got " + quoted(v));
    return true;
  }

 private:
  std::string& error_;
};

bool parse_identity(checker& c, std::string_view v, identity_source& out) {
  if (v == "client_id") {
    out = identity_source::client_id;
  } else if (v == "username") {
    out = identity_source::username;
  } else if (v == "cert_cn") {
    out = identity_source::cert_cn;
  } else if (v == "cert_san") {
    out = identity_source::cert_san;
  } else {
    return c.fail("identity", "must be client_id, username, cert_cn or cert_san, got " + quoted(v));
  }
  return true;
}

bool parse_controller_topics(checker& c, std::string_view v, std::vector<std::string>& out) {
  out = words(v);
  std::set<std::string_view> seen;
  for (const auto& t : out) {
    if (!c.topic("controller_topics", t)) return false;
    if (t.find("/reply-to=") != std::string::npos) {
      return c.fail("controller_topics", "must not contain /reply-to= (agents add it, R-MQTT.24), got " + quoted(t));
    }
    if (t.find("{eid}") != std::string::npos) return c.fail("controller_topics", "takes no {eid}, got " + quoted(t));
    if (t.front() == '$') return c.fail("controller_topics", "must not start with $, got " + quoted(t));
    if (!seen.insert(t).second) return c.fail("controller_topics", quoted(t) + " is listed twice");
  }
  return true;
}

bool parse_one(checker& c, std::string_view key, std::string_view v, plugin_options& o) {
  if (key == "identity") return parse_identity(c, v, o.identity);
  if (key == "agent_topic") {
    o.agent_topic = std::string(v);
    return c.templ(key, v);
  }
  if (key == "controller_topics") return parse_controller_topics(c, v, o.controller_topics);
  if (key == "privileged_usernames") {
    o.privileged_usernames = words(v);
    return true;
  }
  if (key == "max_record_bytes") return c.number(key, v, 1, 268435455, o.max_record_bytes);
  if (key == "presence_topic") {
    if (is_empty_marker(v)) return true;
    o.presence_topic = std::string(v);
    return c.templ(key, v);
  }
  if (key == "partitions") return c.number(key, v, 1, 1024, o.partitions);
  if (key == "partition_prefix") {
    o.partition_prefix = std::string(v);
    if (!c.topic(key, v)) return false;
    if (v.back() == '/' || v.front() == '$') return c.fail(key, "must not end with / or start with $, got " + quoted(v));
    return true;
  }
  if (key == "stats_topic") {
    o.stats_topic = is_empty_marker(v) ? std::string() : std::string(v);
    return o.stats_topic.empty() || c.topic(key, v);
  }
  if (key == "stats_interval_s") return c.number(key, v, 0, 86400, o.stats_interval_s);
  if (key == "non_usp_acl") {
    if (v == "allow" || v == "defer") {
      o.non_usp_acl = v == "allow" ? non_usp_policy::allow : non_usp_policy::defer;
      return true;
    }
    return c.fail(key, "must be allow or defer, got " + quoted(v));
  }
  std::string known;
  for (auto k : known_keys) known.append(known.empty() ? "" : ", ").append(k);
  return c.fail(key, "unknown option (known: " + known + ")");
}

// Two topic spaces overlap when one could hold a topic of the other: level by
// level they agree ("{eid}" agrees with anything) as far as the shorter goes,
// since every space includes the levels below it.
bool spaces_overlap(std::string_view a, std::string_view b) {
  const auto la = usp::split(a, '/'), lb = usp::split(b, '/');
  for (std::size_t i = 0; i < la.size() && i < lb.size(); ++i) {
    if (la[i] != lb[i] && la[i] != "{eid}" && lb[i] != "{eid}") return false;
  }
  return true;
}

// Checks that the parts of the topic space are disjoint, so that every topic
// has one meaning whatever the endpoint id.
bool check_overlaps(checker& c, const plugin_options& o) {
  struct part {
    std::string_view key, text;
  };
  std::vector<part> parts = {{"agent_topic", o.agent_topic}};
  if (!o.presence_topic.empty()) parts.push_back({"presence_topic", o.presence_topic});
  if (o.partitions > 1) parts.push_back({"partition_prefix", o.partition_prefix});
  for (const auto& t : o.controller_topics) parts.push_back({"controller_topics", t});
  for (std::size_t i = 1; i < parts.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (!spaces_overlap(parts[i].text, parts[j].text)) continue;
      return c.fail(parts[i].key, quoted(parts[i].text) + " overlaps " +
                                      (parts[j].key == parts[i].key ? std::string("another, ") : std::string()) +
                                      std::string(parts[j].key) + " " + quoted(parts[j].text));
    }
  }
  return true;
}

}  // namespace

std::optional<plugin_options> parse_options(std::span<const option_line> lines, std::string& error) {
  error.clear();
  checker c(error);
  plugin_options o;
  std::set<std::string_view> seen;
  for (const auto& line : lines) {
    const auto value = usp::trim(line.value);
    if (!seen.insert(line.key).second) {
      c.fail(line.key, "given twice");
      return std::nullopt;
    }
    if (value.empty()) {
      c.fail(line.key, "needs a value");
      return std::nullopt;
    }
    if (!parse_one(c, line.key, value, o)) return std::nullopt;
  }
  if (o.controller_topics.empty()) {
    c.fail("controller_topics", "required: the topics where agents publish, separated by spaces");
    return std::nullopt;
  }
  if (!check_overlaps(c, o)) return std::nullopt;
  return o;
}

std::string_view to_string(identity_source s) noexcept {
  switch (s) {
    case identity_source::client_id: return "client_id";
    case identity_source::username: return "username";
    case identity_source::cert_cn: return "cert_cn";
    case identity_source::cert_san: return "cert_san";
  }
  return "?";
}

}  // namespace usp::plugin

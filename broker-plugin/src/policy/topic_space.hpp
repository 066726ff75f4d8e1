// The USP topic space the plugin owns: agent topics (a template with {eid}),
// controller topics (and their 3.1.1 "/reply-to=" forms), partition copies
// and presence events. Everything else is "not USP" and left alone.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "policy/options.hpp"

namespace usp::plugin {

// A topic with one whole level "{eid}", e.g. "usp/agent/{eid}".
class topic_template {
 public:
  // nullopt and a reason when `text` is not a usable template.
  static std::optional<topic_template> parse(std::string_view text, std::string& why);

  std::string expand(std::string_view eid) const;

  struct match {
    std::string_view eid;
    bool exact = true;  // false: a level below the expanded topic
  };
  // Whether `topic` is expand(X) or lies below it; X must be a non-empty level.
  std::optional<match> match_topic(std::string_view topic) const noexcept;

  const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
  std::string prefix_;  // up to and including the '/' before {eid} (or empty)
  std::string suffix_;  // from the '/' after {eid} (or empty)
};

enum class space : std::uint8_t { none, agent, controller, partition, presence };

struct topic_class {
  space kind = space::none;
  std::string_view eid;         // agent, presence: whose topic
  bool exact = true;            // agent: the topic itself, not a level below
  bool controller_form = false; // controller: exactly a controller topic, or one + "/reply-to=..."
  bool has_reply_to = false;    // controller: "/reply-to=" present (3.1.1 form, R-MQTT.24)
};

class topic_space {
 public:
  explicit topic_space(const plugin_options& o);

  topic_class classify(std::string_view topic) const;

  // For subscription filters: the space of the filter's levels before its
  // first wildcard ("usp/controller/acme/#" -> controller). A filter whose
  // literal part is outside USP may still match USP topics; READ checks
  // protect those messages one by one.
  topic_class classify_filter(std::string_view filter) const;

  // Could the filter match any USP topic? ("usp/presence/+" can; "home/#"
  // cannot; "#" can.)
  bool filter_may_match(std::string_view filter) const;

  // Is `topic` the agent's own topic or a level below it?
  bool in_agent_space(std::string_view topic, std::string_view eid) const noexcept;

  const topic_template& agent() const noexcept { return agent_; }
  const std::optional<topic_template>& presence() const noexcept { return presence_; }
  std::string agent_topic(std::string_view eid) const { return agent_.expand(eid); }

 private:
  bool is_controller_topic(std::string_view t) const;
  std::optional<std::string_view> controller_prefix(std::string_view topic) const;

  // Heterogeneous lookup: find a std::string_view without building a string.
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  // A space as topic levels; "{eid}" stands for any one level. Every space
  // includes the levels below it.
  using level_pattern = std::vector<std::string>;

  topic_template agent_;
  std::optional<topic_template> presence_;
  std::vector<level_pattern> patterns_;
  std::unordered_set<std::string, string_hash, std::equal_to<>> controllers_;
  std::string partition_prefix_;  // empty when partitions == 1
};

// MQTT topic-name checks shared by option parsing: UTF-8, no NUL, no
// wildcards, at most 65535 bytes. Empty string when fine, else the problem.
std::string check_topic_name(std::string_view topic);

}  // namespace usp::plugin

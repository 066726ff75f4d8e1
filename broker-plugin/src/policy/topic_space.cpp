#include "policy/topic_space.hpp"

#include "usp/reply_to.hpp"
#include "usp/strings.hpp"

namespace usp::plugin {
namespace {

constexpr std::string_view eid_level = "{eid}";

bool starts_with_level(std::string_view topic, std::string_view prefix) noexcept {
  return topic.size() > prefix.size() && topic.substr(0, prefix.size()) == prefix && topic[prefix.size()] == '/';
}

// The filter's levels before its first '+' or '#' level, without the
// trailing '/': "a/b/+/c" -> "a/b"; "a/b" -> "a/b"; "#" -> "".
std::string_view literal_part(std::string_view filter) noexcept {
  std::size_t start = 0;
  while (start <= filter.size()) {
    const auto end = filter.find('/', start);
    const auto level = filter.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (level == "+" || level == "#") return start == 0 ? std::string_view{} : filter.substr(0, start - 1);
    if (end == std::string_view::npos) return filter;
    start = end + 1;
  }
  return filter;
}

std::vector<std::string> levels(std::string_view t) {
  std::vector<std::string> out;
  for (auto l : usp::split(t, '/')) out.emplace_back(l);
  return out;
}

// Filter levels against a space's levels (the space open below).
bool overlaps(const std::vector<std::string_view>& filter, const std::vector<std::string>& pattern) {
  std::size_t i = 0;
  for (; i < filter.size() && i < pattern.size(); ++i) {
    const auto f = filter[i];
    if (f == "#") return true;
    if (f == "+" || pattern[i] == eid_level) continue;
    if (f != pattern[i]) return false;
  }
  return i == pattern.size();  // the filter reaches into the space (or below it)
}

}  // namespace

std::string check_topic_name(std::string_view topic) {
  if (topic.empty()) return "must not be empty";
  if (topic.size() > 65535) return "is longer than an MQTT topic may be (65535 bytes)";
  if (topic.find('\0') != std::string_view::npos) return "must not contain NUL";
  if (!usp::is_valid_utf8(topic)) return "must be UTF-8";
  if (topic.find_first_of("+#") != std::string_view::npos) return "must not contain the wildcards + or #";
  return {};
}

std::optional<topic_template> topic_template::parse(std::string_view text, std::string& why) {
  if (auto problem = check_topic_name(text); !problem.empty()) {
    why = problem;
    return std::nullopt;
  }
  const auto pos = text.find(eid_level);
  if (pos == std::string_view::npos || text.find(eid_level, pos + 1) != std::string_view::npos) {
    why = "must contain {eid} exactly once";
    return std::nullopt;
  }
  const bool level_start = pos == 0 || text[pos - 1] == '/';
  const auto after = pos + eid_level.size();
  const bool level_end = after == text.size() || text[after] == '/';
  if (!level_start || !level_end) {
    why = "{eid} must be a whole topic level (like usp/agent/{eid})";
    return std::nullopt;
  }
  if (text.front() == '$') {
    why = "must not start with $ (reserved for the broker)";
    return std::nullopt;
  }
  topic_template t;
  t.text_ = std::string(text);
  t.prefix_ = std::string(text.substr(0, pos));
  t.suffix_ = std::string(text.substr(after));
  return t;
}

std::string topic_template::expand(std::string_view eid) const {
  std::string out;
  out.reserve(prefix_.size() + eid.size() + suffix_.size());
  out.append(prefix_).append(eid).append(suffix_);
  return out;
}

std::optional<topic_template::match> topic_template::match_topic(std::string_view topic) const noexcept {
  if (topic.size() <= prefix_.size() || topic.substr(0, prefix_.size()) != prefix_) return std::nullopt;
  auto rest = topic.substr(prefix_.size());
  const auto slash = rest.find('/');
  const auto eid = rest.substr(0, slash);
  if (eid.empty()) return std::nullopt;
  rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (rest.substr(0, suffix_.size()) != suffix_) return std::nullopt;
  rest.remove_prefix(suffix_.size());
  if (rest.empty()) return match{eid, true};
  if (rest.front() != '/') return std::nullopt;
  return match{eid, false};
}

topic_space::topic_space(const plugin_options& o) {
  std::string why;
  // Options were checked by parse_options; a bad template here is a bug.
  agent_ = topic_template::parse(o.agent_topic, why).value();
  if (!o.presence_topic.empty()) presence_ = topic_template::parse(o.presence_topic, why).value();
  controllers_.insert(o.controller_topics.begin(), o.controller_topics.end());
  if (o.partitions > 1) partition_prefix_ = o.partition_prefix;
  patterns_.push_back(levels(agent_.text()));
  if (presence_) patterns_.push_back(levels(presence_->text()));
  for (const auto& c : controllers_) patterns_.push_back(levels(c));
  if (!partition_prefix_.empty()) patterns_.push_back(levels(partition_prefix_));
}

bool topic_space::filter_may_match(std::string_view filter) const {
  const auto f = usp::split(filter, '/');
  for (const auto& p : patterns_) {
    if (overlaps(f, p)) return true;
  }
  return false;
}

bool topic_space::is_controller_topic(std::string_view t) const {
  return controllers_.find(t) != controllers_.end();
}

// The controller topic that `topic` is, or lies below.
std::optional<std::string_view> topic_space::controller_prefix(std::string_view topic) const {
  if (is_controller_topic(topic)) return topic;  // the common case: one lookup
  std::size_t end = 0;
  while (end != std::string_view::npos) {
    end = topic.find('/', end + 1);
    const auto head = topic.substr(0, end);
    if (is_controller_topic(head)) return head;
  }
  return std::nullopt;
}

topic_class topic_space::classify(std::string_view topic) const {
  topic_class c;
  if (!partition_prefix_.empty() && (topic == partition_prefix_ || starts_with_level(topic, partition_prefix_))) {
    c.kind = space::partition;
    return c;
  }
  if (auto m = agent_.match_topic(topic)) {
    c.kind = space::agent;
    c.eid = m->eid;
    c.exact = m->exact;
    return c;
  }
  if (presence_) {
    if (auto m = presence_->match_topic(topic)) {
      c.kind = space::presence;
      c.eid = m->eid;
      c.exact = m->exact;
      return c;
    }
  }
  if (auto head = controller_prefix(topic)) {
    c.kind = space::controller;
    if (topic.size() == head->size()) {
      c.controller_form = true;
      return c;
    }
    // R-MQTT.25: the destination is what precedes the LAST "/reply-to=".
    const auto split = usp::split_reply_to(topic);
    c.has_reply_to = split.destination.size() != topic.size();
    c.controller_form = c.has_reply_to && split.destination == *head;
    return c;
  }
  return c;
}

topic_class topic_space::classify_filter(std::string_view filter) const {
  const auto literal = literal_part(filter);
  if (literal.empty()) return {};
  return classify(literal);
}

bool topic_space::in_agent_space(std::string_view topic, std::string_view eid) const noexcept {
  const auto m = agent_.match_topic(topic);
  return m && m->eid == eid;
}

}  // namespace usp::plugin

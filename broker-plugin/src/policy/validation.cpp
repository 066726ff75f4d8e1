#include "policy/validation.hpp"

#include "usp/envelope.hpp"
#include "usp/reply_to.hpp"

namespace usp::plugin {

std::string_view to_string(drop_reason r) noexcept {
  switch (r) {
    case drop_reason::too_large: return "too_large";
    case drop_reason::not_a_record: return "not_a_record";
    case drop_reason::spoofed_from_id: return "spoofed_from_id";
    case drop_reason::bad_content_type: return "bad_content_type";
    case drop_reason::bad_reply_to: return "bad_reply_to";
  }
  return "?";
}

bool is_usp_content_type(std::string_view ct) noexcept {
  return ct == "usp.msg" || ct == "application/vnd.bbf.usp.msg";
}

std::optional<drop_reason> check_record(const topic_space& ts, const identity& id, std::string_view topic_name,
                                        const topic_class& topic, std::string_view payload,
                                        std::uint32_t max_record_bytes, std::string_view* from_id) {
  if (payload.size() > max_record_bytes) return drop_reason::too_large;
  boost::system::error_code ec;
  const auto env = usp::scan_envelope(payload, ec);
  if (!env) return drop_reason::not_a_record;
  if (from_id) *from_id = env->from_id;
  if (id.kind != role::agent) return std::nullopt;
  if (env->from_id != id.eid) return drop_reason::spoofed_from_id;
  if (topic.kind == space::controller && topic.has_reply_to) {
    // R-MQTT.24/25: the text after the last "/reply-to=" is where answers go;
    // an agent can only read its own topic, so anything else is a lie.
    const auto split = usp::split_reply_to(topic_name);
    if (!split.reply_to || !ts.in_agent_space(*split.reply_to, id.eid)) return drop_reason::bad_reply_to;
  }
  return std::nullopt;
}

std::optional<drop_reason> check_properties(const topic_space& ts, const identity& id,
                                            std::optional<std::string_view> content_type,
                                            std::optional<std::string_view> response_topic) {
  if (content_type && !is_usp_content_type(*content_type)) return drop_reason::bad_content_type;
  if (id.kind == role::agent && response_topic && !ts.in_agent_space(*response_topic, id.eid)) {
    return drop_reason::bad_reply_to;
  }
  return std::nullopt;
}

}  // namespace usp::plugin

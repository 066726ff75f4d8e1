// Checks on Records published to agent and controller topics.
//
// Only the Record's outer fields are read (usp::scan_envelope: from_id, to_id,
// record type), never the Msg inside: R-SEC.4b asks the broker to enforce
// from_id = the authenticated identity, R-SEC.4c not to look further.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "policy/identity.hpp"
#include "policy/topic_space.hpp"

namespace usp::plugin {

enum class drop_reason : std::uint8_t {
  too_large,         // over max_record_bytes
  not_a_record,      // the payload is no USP Record (R-MQTT.18/19)
  spoofed_from_id,   // an agent's Record not from its own endpoint id (R-SEC.4b)
  bad_content_type,  // MQTT 5 Content Type other than a USP one (R-MQTT.27a)
  bad_reply_to,      // an agent asks for answers somewhere it cannot read
};
inline constexpr std::size_t drop_reason_count = 5;
std::string_view to_string(drop_reason r) noexcept;

// Checked in the WRITE ACL check: size, Record, from_id, 3.1.1 reply-to.
// `topic` is the class of `topic_name` (an agent or controller topic).
std::optional<drop_reason> check_record(const topic_space& ts, const identity& id, std::string_view topic_name,
                                        const topic_class& topic, std::string_view payload,
                                        std::uint32_t max_record_bytes, std::string_view* from_id = nullptr);

// Checked when the message event shows the MQTT 5 properties (2.0.x gives the
// ACL check none). Absent properties are nullopt.
std::optional<drop_reason> check_properties(const topic_space& ts, const identity& id,
                                            std::optional<std::string_view> content_type,
                                            std::optional<std::string_view> response_topic);

// R-MQTT.27a: "usp.msg", or "application/vnd.bbf.usp.msg".
bool is_usp_content_type(std::string_view ct) noexcept;

}  // namespace usp::plugin

// Zero-copy view of a USP Record's outer fields, for routers.
//
// The gateway and the broker plugin only need to know who a Record is from,
// who it is for and what kind it is; they must not copy or re-encode the
// payload (TR-369 "MTP Proxy": the Record passes through untouched). This
// scanner walks the protobuf wire format once, checks that every field the
// spec defines (Record and the selected record_type message) has the right
// wire type and that strings are UTF-8, and returns views into the input.
// It is stricter than protobuf's parser (two record types, groups and unknown
// enum values are refused, per R-ENC.2/R-ENC.4); anything it accepts protobuf
// accepts too (tested).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/system/error_code.hpp>

namespace usp {

// Field numbers of Record.record_type (the spec's).
enum class record_type : std::uint8_t {
  none = 0,
  no_session_context = 7,
  session_context = 8,
  websocket_connect = 9,
  mqtt_connect = 10,
  stomp_connect = 11,
  disconnect = 12,
  uds_connect = 13,
};

std::string_view to_string(record_type t) noexcept;

struct envelope {
  std::string_view version;
  std::string_view to_id;
  std::string_view from_id;
  std::uint32_t payload_security = 0;   // 0 PLAINTEXT, 1 TLS12
  bool has_mac_signature = false;
  record_type type = record_type::none;

  // no_session_context: the serialized Msg.
  std::string_view payload;
  // mqtt_connect: 0 = V3_1_1, 1 = V5; and where the sender listens.
  std::uint32_t mqtt_version = 0;
  std::string_view subscribed_topic;
  // disconnect
  std::string_view disconnect_reason;
  std::uint32_t disconnect_code = 0;
  // session_context
  std::uint64_t session_id = 0;
  std::uint64_t sequence_id = 0;
};

// Scans `wire` (a whole Record). On failure returns nullopt and sets `ec`
// (codec_errc). Views in the result point into `wire`.
std::optional<envelope> scan_envelope(std::string_view wire, boost::system::error_code& ec) noexcept;

}  // namespace usp

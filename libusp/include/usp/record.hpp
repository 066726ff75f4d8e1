// Decoding and building USP Records and Msgs with the generated protobuf types.
// Decoders take untrusted bytes and never throw; builders return the wire bytes
// an MTP sends.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "usp/mqtt_version.hpp"
#include "usp_msg.pb.h"
#include "usp_record.pb.h"

namespace usp {

// The USP version we speak, written into Record.version (Major.Minor only).
inline constexpr std::string_view protocol_version = "1.4";
// Versions we answer GetSupportedProtocol with (comma-separated, §Encoding).
inline constexpr std::string_view supported_protocol_versions = "1.0,1.1,1.2,1.3,1.4";

std::optional<usp_record::Record> decode_record(std::string_view wire, boost::system::error_code& ec);

// Decodes a Msg and checks the envelope rules every receiver relies on:
// a header with a msg_id (R-MSG.8) and exactly one body member (R-MSG.7).
std::optional<usp::Msg> decode_msg(std::string_view wire, boost::system::error_code& ec);

// Deterministic serialization (maps sorted by key), so equal messages give
// equal bytes.
std::string encode(const google::protobuf::MessageLite& m);

// The message type a body carries; the body wins over header.msg_type
// (R-MSG.10). nullopt when the body is empty.
std::optional<usp::Header::MsgType> body_type(const usp::Msg& msg) noexcept;

// A Record with version, to_id and from_id set.
usp_record::Record make_record(std::string_view from_id, std::string_view to_id);

std::string make_no_session_record(std::string_view from_id, std::string_view to_id,
                                   const usp::Msg& msg);
std::string make_no_session_record(std::string_view from_id, std::string_view to_id,
                                   std::string_view msg_bytes);
// R-MTP.6: the Connect Records an agent sends when its MTP comes up.
std::string make_mqtt_connect_record(std::string_view from_id, std::string_view to_id,
                                     mqtt_version version, std::string_view subscribed_topic);
std::string make_websocket_connect_record(std::string_view from_id, std::string_view to_id);
// R-MTP.7/9: reason_code SHOULD be a 71xx code.
std::string make_disconnect_record(std::string_view from_id, std::string_view to_id,
                                   std::string_view reason, std::uint32_t reason_code);

}  // namespace usp

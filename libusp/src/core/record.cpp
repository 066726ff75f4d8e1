#include "usp/record.hpp"

#include <climits>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "usp/codec_error.hpp"

namespace usp {

std::optional<usp_record::Record> decode_record(std::string_view wire, boost::system::error_code& ec) {
  usp_record::Record record;
  if (wire.size() > INT_MAX || !record.ParseFromArray(wire.data(), static_cast<int>(wire.size()))) {
    ec = codec_errc::parse_failed;
    return std::nullopt;
  }
  if (record.record_type_case() == usp_record::Record::RECORD_TYPE_NOT_SET) {
    ec = codec_errc::no_record_type;
    return std::nullopt;
  }
  ec = {};
  return record;
}

std::optional<usp::Msg> decode_msg(std::string_view wire, boost::system::error_code& ec) {
  usp::Msg msg;
  if (wire.size() > INT_MAX || !msg.ParseFromArray(wire.data(), static_cast<int>(wire.size()))) {
    ec = codec_errc::parse_failed;
    return std::nullopt;
  }
  if (!msg.has_header() || msg.header().msg_id().empty() || !body_type(msg)) {
    ec = codec_errc::missing_field;
    return std::nullopt;
  }
  ec = {};
  return msg;
}

namespace {

// Serializes `m` (deterministically: maps sorted by key) at the end of
// `out`; `size` is what m.ByteSizeLong() just returned, which also cached
// the sizes of every sub-message, so they are not computed twice.
void append_serialized(const google::protobuf::MessageLite& m, std::size_t size, std::string& out) {
  const std::size_t at = out.size();
  out.resize(at + size);
  google::protobuf::io::ArrayOutputStream stream(out.data() + at, static_cast<int>(size));
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeWithCachedSizes(&coded);
}

std::size_t varint_size(std::size_t v) {
  return google::protobuf::io::CodedOutputStream::VarintSize64(static_cast<std::uint64_t>(v));
}

void append_varint(std::string& out, std::size_t v) {
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>((v & 0x7f) | 0x80));
  out.push_back(static_cast<char>(v));
}

// A length-delimited field (strings, bytes, messages) of field number < 16.
void append_tag(std::string& out, unsigned field, std::size_t length) {
  out.push_back(static_cast<char>(field << 3 | 2));
  append_varint(out, length);
}

void append_string_field(std::string& out, unsigned field, std::string_view value) {
  if (value.empty()) return;  // proto3: an empty string is not written
  append_tag(out, field, value.size());
  out.append(value);
}

}  // namespace

std::string encode(const google::protobuf::MessageLite& m) {
  std::string out;
  append_serialized(m, m.ByteSizeLong(), out);
  return out;
}

std::optional<usp::Header::MsgType> body_type(const usp::Msg& msg) noexcept {
  using H = usp::Header;
  const auto& body = msg.body();
  switch (body.msg_body_case()) {
    case usp::Body::kError: return H::ERROR;
    case usp::Body::kRequest:
      switch (body.request().req_type_case()) {
        case usp::Request::kGet: return H::GET;
        case usp::Request::kGetSupportedDm: return H::GET_SUPPORTED_DM;
        case usp::Request::kGetInstances: return H::GET_INSTANCES;
        case usp::Request::kSet: return H::SET;
        case usp::Request::kAdd: return H::ADD;
        case usp::Request::kDelete: return H::DELETE;
        case usp::Request::kOperate: return H::OPERATE;
        case usp::Request::kNotify: return H::NOTIFY;
        case usp::Request::kGetSupportedProtocol: return H::GET_SUPPORTED_PROTO;
        case usp::Request::kRegister: return H::REGISTER;
        case usp::Request::kDeregister: return H::DEREGISTER;
        case usp::Request::REQ_TYPE_NOT_SET: return std::nullopt;
      }
      return std::nullopt;
    case usp::Body::kResponse:
      switch (body.response().resp_type_case()) {
        case usp::Response::kGetResp: return H::GET_RESP;
        case usp::Response::kGetSupportedDmResp: return H::GET_SUPPORTED_DM_RESP;
        case usp::Response::kGetInstancesResp: return H::GET_INSTANCES_RESP;
        case usp::Response::kSetResp: return H::SET_RESP;
        case usp::Response::kAddResp: return H::ADD_RESP;
        case usp::Response::kDeleteResp: return H::DELETE_RESP;
        case usp::Response::kOperateResp: return H::OPERATE_RESP;
        case usp::Response::kNotifyResp: return H::NOTIFY_RESP;
        case usp::Response::kGetSupportedProtocolResp: return H::GET_SUPPORTED_PROTO_RESP;
        case usp::Response::kRegisterResp: return H::REGISTER_RESP;
        case usp::Response::kDeregisterResp: return H::DEREGISTER_RESP;
        case usp::Response::RESP_TYPE_NOT_SET: return std::nullopt;
      }
      return std::nullopt;
    case usp::Body::MSG_BODY_NOT_SET: return std::nullopt;
  }
  return std::nullopt;
}

usp_record::Record make_record(std::string_view from_id, std::string_view to_id) {
  usp_record::Record r;
  r.set_version(std::string(protocol_version));
  r.set_to_id(std::string(to_id));
  r.set_from_id(std::string(from_id));
  return r;
}

std::string make_no_session_record(std::string_view from_id, std::string_view to_id,
                                   const usp::Msg& msg) {
  // The bytes encode() gives for make_record() with no_session_context.payload
  // = encode(msg), written in one pass: no Record object, no copy of the
  // payload, the Msg's sizes computed once (tested against that path).
  const std::size_t size = msg.ByteSizeLong();
  const std::size_t context = size == 0 ? 0 : 1 + varint_size(size) + size;
  std::string out;
  out.reserve(protocol_version.size() + to_id.size() + from_id.size() + context + 20);
  append_string_field(out, usp_record::Record::kVersionFieldNumber, protocol_version);
  append_string_field(out, usp_record::Record::kToIdFieldNumber, to_id);
  append_string_field(out, usp_record::Record::kFromIdFieldNumber, from_id);
  append_tag(out, usp_record::Record::kNoSessionContextFieldNumber, context);
  if (size > 0) {
    append_tag(out, usp_record::NoSessionContextRecord::kPayloadFieldNumber, size);
    append_serialized(msg, size, out);
  }
  return out;
}

std::string make_no_session_record(std::string_view from_id, std::string_view to_id,
                                   std::string_view msg_bytes) {
  auto r = make_record(from_id, to_id);
  r.mutable_no_session_context()->set_payload(std::string(msg_bytes));
  return encode(r);
}

std::string make_mqtt_connect_record(std::string_view from_id, std::string_view to_id,
                                     mqtt_version version, std::string_view subscribed_topic) {
  auto r = make_record(from_id, to_id);
  auto* c = r.mutable_mqtt_connect();
  c->set_version(version == mqtt_version::v5 ? usp_record::MQTTConnectRecord::V5
                                             : usp_record::MQTTConnectRecord::V3_1_1);
  c->set_subscribed_topic(std::string(subscribed_topic));
  return encode(r);
}

std::string make_websocket_connect_record(std::string_view from_id, std::string_view to_id) {
  auto r = make_record(from_id, to_id);
  r.mutable_websocket_connect();
  return encode(r);
}

std::string make_disconnect_record(std::string_view from_id, std::string_view to_id,
                                   std::string_view reason, std::uint32_t reason_code) {
  auto r = make_record(from_id, to_id);
  auto* d = r.mutable_disconnect();
  d->set_reason(std::string(reason));
  d->set_reason_code(reason_code);
  return encode(r);
}

}  // namespace usp

#include "usp/json.hpp"

#include <google/protobuf/util/json_util.h>

#include "usp/codec_error.hpp"
#include "usp/record.hpp"
#include "usp_record_view.pb.h"

namespace usp {
namespace {

namespace pbu = google::protobuf::util;

// True when every payload of the Record is meant to be one whole plaintext Msg,
// so the view message (payload typed as usp.Msg) describes it faithfully.
bool payloads_are_msgs(const usp_record::Record& r) {
  if (r.payload_security() != usp_record::Record::PLAINTEXT) return false;
  if (r.has_no_session_context()) return true;
  if (r.has_session_context()) {
    const auto& s = r.session_context();
    return s.payload_sar_state() == usp_record::SessionContextRecord::NONE &&
           s.payloadrec_sar_state() == usp_record::SessionContextRecord::NONE;
  }
  return true;
}

std::optional<std::string> to_json(const google::protobuf::Message& m, bool pretty) {
  pbu::JsonPrintOptions opts;
  opts.add_whitespace = pretty;
  opts.preserve_proto_field_names = true;
  opts.always_print_primitive_fields = true;
  std::string out;
  if (!pbu::MessageToJsonString(m, &out, opts).ok()) return std::nullopt;
  return out;
}

}  // namespace

std::optional<std::string> record_to_json(std::string_view wire, bool pretty,
                                          boost::system::error_code& ec) {
  auto record = decode_record(wire, ec);
  if (!record) return std::nullopt;
  if (payloads_are_msgs(*record)) {
    usp_record_view::Record view;
    // Parse the very same bytes through the view; if a payload is not a Msg
    // this fails and the plain Record (payload as base64) is printed instead.
    if (view.ParseFromArray(wire.data(), static_cast<int>(wire.size()))) {
      if (auto json = to_json(view, pretty)) return json;
    }
  }
  auto json = to_json(*record, pretty);
  if (!json) ec = codec_errc::bad_json;
  return json;
}

std::optional<std::string> record_from_json(std::string_view json, boost::system::error_code& ec,
                                            std::string* error_detail) {
  pbu::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  const std::string text(json);

  usp_record_view::Record view;
  auto status = pbu::JsonStringToMessage(text, &view, opts);
  if (status.ok()) {
    ec = {};
    return encode(view);
  }
  usp_record::Record record;
  auto plain = pbu::JsonStringToMessage(text, &record, opts);
  if (plain.ok()) {
    ec = {};
    return encode(record);
  }
  if (error_detail) *error_detail = std::string(status.message());
  ec = codec_errc::bad_json;
  return std::nullopt;
}

}  // namespace usp

// Why a USP Record or Msg could not be decoded. Decoders of untrusted bytes
// report one of these through boost::system::error_code and never throw.
#pragma once

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace usp {

enum class codec_errc {
  ok = 0,
  truncated = 1,           // a length or varint runs past the end
  bad_wire_type,           // a known field arrives with the wrong wire type
  invalid_utf8,            // a string field is not UTF-8 (protobuf `string`)
  no_record_type,          // none of the record_type oneof members (R-ENC.3)
  several_record_types,    // more than one record_type member (R-ENC.4)
  unknown_enum,            // an enum value outside the schema (R-ENC.2)
  missing_field,           // a field the spec makes mandatory is absent
  empty_payload,           // no_session_context without payload (R-E2E.26)
  parse_failed,            // protobuf rejected the bytes
  too_large,               // over the configured size limit
  bad_json,                // JSON text that does not map onto the schema
};

const boost::system::error_category& codec_category() noexcept;

inline boost::system::error_code make_error_code(codec_errc e) noexcept {
  return {static_cast<int>(e), codec_category()};
}

}  // namespace usp

template <>
struct boost::system::is_error_code_enum<usp::codec_errc> : std::true_type {};

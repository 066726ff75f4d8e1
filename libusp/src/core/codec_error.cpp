#include "usp/codec_error.hpp"

#include <string>

namespace usp {
namespace {

class codec_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "usp.codec"; }

  std::string message(int ev) const override {
    switch (static_cast<codec_errc>(ev)) {
      case codec_errc::ok: return "ok";
      case codec_errc::truncated: return "truncated protobuf field";
      case codec_errc::bad_wire_type: return "field has the wrong wire type";
      case codec_errc::invalid_utf8: return "string field is not UTF-8";
      case codec_errc::no_record_type: return "record has no record_type";
      case codec_errc::several_record_types: return "record has more than one record_type";
      case codec_errc::unknown_enum: return "enum value outside the schema";
      case codec_errc::missing_field: return "mandatory field missing";
      case codec_errc::empty_payload: return "no_session_context record without payload";
      case codec_errc::parse_failed: return "protobuf parse failed";
      case codec_errc::too_large: return "record exceeds the size limit";
      case codec_errc::bad_json: return "JSON does not match the USP schema";
    }
    return "unknown codec error";
  }
};

}  // namespace

const boost::system::error_category& codec_category() noexcept {
  static const codec_category_impl instance;
  return instance;
}

}  // namespace usp

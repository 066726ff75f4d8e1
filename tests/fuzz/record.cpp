// Record and Msg decoding: usp::scan_envelope (the zero-copy scanner the
// gateway, the plugin and the agent route with), decode_record, decode_msg on
// the Record's payload (and on the input itself), and the promises between
// them: whatever the scanner accepts protobuf parses to the same outer
// fields, and the deterministic encoding round-trips.
#include <string>

#include "fuzz_input.hpp"
#include "usp/envelope.hpp"
#include "usp/record.hpp"

namespace {

void check_msg(std::string_view wire) {
  boost::system::error_code ec;
  const auto msg = usp::decode_msg(wire, ec);
  if (!msg) return;
  if (!usp::body_type(*msg)) usp::fuzz::broken("decode_msg accepted a Msg without a body");
  const auto once = usp::encode(*msg);
  const auto again = usp::decode_msg(once, ec);
  if (!again) usp::fuzz::broken("a decoded Msg re-encoded does not decode");
  if (usp::encode(*again) != once) usp::fuzz::broken("encode(decode(encode(m))) != encode(m)");
  // What an agent answers with goes through the same builders.
  const auto rec = usp::make_no_session_record("os::000413-000413AABBCC", "self::ctl", *msg);
  const auto env = usp::scan_envelope(rec, ec);
  if (!env || env->type != usp::record_type::no_session_context || env->payload != once) {
    usp::fuzz::broken("a Record we built does not scan back");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  usp::fuzz::quiet();
  const auto wire = usp::fuzz::as_view(data, size);
  boost::system::error_code ec;
  const auto env = usp::scan_envelope(wire, ec);
  const auto record = usp::decode_record(wire, ec);
  if (env) {
    // envelope.hpp: anything the scanner accepts protobuf accepts too.
    if (!record) usp::fuzz::broken("scan_envelope accepted what decode_record refuses");
    if (env->to_id != record->to_id() || env->from_id != record->from_id() || env->version != record->version()) {
      usp::fuzz::broken("scan_envelope and protobuf disagree on the ids");
    }
    if (static_cast<int>(env->type) != static_cast<int>(record->record_type_case())) {
      usp::fuzz::broken("scan_envelope and protobuf disagree on the record type");
    }
    if (env->type == usp::record_type::no_session_context &&
        env->payload != record->no_session_context().payload()) {
      usp::fuzz::broken("scan_envelope and protobuf disagree on the payload");
    }
    if (env->type == usp::record_type::no_session_context) check_msg(env->payload);
  }
  if (record) {
    const auto again = usp::decode_record(usp::encode(*record), ec);
    if (!again || usp::encode(*again) != usp::encode(*record)) usp::fuzz::broken("a Record does not round-trip");
  }
  check_msg(wire);
  return 0;
}

// Endpoint ids (R-ARC.2a-6): parse_endpoint_id on any text; what it accepts
// splits back into scheme ":" authority ":" instance, and the broker
// plugin's stricter usable_endpoint_id only ever accepts valid ones.
#include <string>

#include "fuzz_input.hpp"
#include "policy/identity.hpp"
#include "usp/endpoint_id.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  usp::fuzz::quiet();
  const auto eid = usp::fuzz::as_view(data, size);
  std::string why;
  const auto parts = usp::parse_endpoint_id(eid, &why);
  if (!parts) {
    if (why.empty()) usp::fuzz::broken("a refusal without a reason");
    if (usp::plugin::usable_endpoint_id(eid)) usp::fuzz::broken("usable_endpoint_id took an invalid eid");
    return 0;
  }
  const std::string joined = std::string(parts->scheme) + ":" + std::string(parts->authority) + ":" + std::string(parts->instance);
  if (joined != eid) usp::fuzz::broken("scheme:authority:instance does not give the eid back");
  (void)usp::is_prototyping_scheme(parts->scheme);
  (void)usp::plugin::usable_endpoint_id(eid);
  return 0;
}

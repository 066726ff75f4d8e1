// Device:2 path names: parse_path on any text; what it accepts prints
// (to_string) as a canonical path that parses again to the same text.
#include <string>

#include "fuzz_input.hpp"
#include "usp/path_name.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  usp::fuzz::quiet();
  const auto text = usp::fuzz::as_view(data, size);
  std::string why;
  const auto p = usp::parse_path(text, &why);
  (void)usp::is_param_name(text);
  if (!p) {
    if (why.empty()) usp::fuzz::broken("a refusal without a reason");
    return 0;
  }
  (void)p->is_search();
  (void)p->has_placeholder();
  const auto canonical = p->to_string();
  const auto again = usp::parse_path(canonical, &why);
  if (!again) usp::fuzz::broken("the canonical form of a path does not parse");
  if (again->to_string() != canonical) usp::fuzz::broken("to_string(parse(to_string(p))) != to_string(p)");
  if (again->target != p->target || again->segments.size() != p->segments.size()) {
    usp::fuzz::broken("a path changed through its canonical form");
  }
  return 0;
}

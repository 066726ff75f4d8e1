// The vendor's param_map parser, and what the agent does with a param_map
// that parses: phone_template::from_text binds it to the built-in schema
// (throwing usp::config_error for anything it cannot use).
#include <string>
#include <vector>

#include "config/param_map.hpp"
#include "fuzz_input.hpp"
#include "phone.hpp"
#include "usp/yaml_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  usp::fuzz::quiet();
  const auto text = usp::fuzz::as_view(data, size);
  std::vector<std::string> problems;
  const auto bindings = usp::agent::parse_param_map(text, "param_map", problems);
  for (const auto& b : bindings) {
    if (b.source == usp::agent::param_binding::kind::setting) (void)b.setting_name();
  }
  if (!problems.empty()) return 0;
  try {
    (void)usp::agent::phone_template::from_text(text, "param_map");
  } catch (const usp::config_error&) {
  }
  return 0;
}

// The phone's settings parser (docs/agent-files.md): parse_settings on any
// text, then format_settings of what it kept must parse back to the same
// settings with no problem (the state file is written that way and read
// again on the next start).
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  usp::fuzz::quiet();
  std::vector<std::string> problems;
  const auto parsed = usp::agent::parse_settings(usp::fuzz::as_view(data, size), "settings.txt", problems);
  for (const auto& s : parsed) (void)usp::agent::validate_setting(s.name, s.value);
  const auto text = usp::agent::format_settings(parsed);
  std::vector<std::string> again_problems;
  const auto again = usp::agent::parse_settings(text, "state.txt", again_problems);
  if (!again_problems.empty()) usp::fuzz::broken("format_settings wrote a line parse_settings refuses");
  if (again.size() != parsed.size()) usp::fuzz::broken("format_settings lost or added a setting");
  for (std::size_t i = 0; i < again.size(); ++i) {
    if (again[i].name != parsed[i].name || again[i].value != parsed[i].value || again[i].flag != parsed[i].flag) {
      usp::fuzz::broken("a setting changed through format_settings and parse_settings");
    }
  }
  return 0;
}

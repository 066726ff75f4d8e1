// The agent's identity YAML (--identity: mac, model, firmware, serial,
// endpoint_id, ...), read the way usp-agent reads it: phone_options_for with
// the input as the identity file. Only usp::config_error may come out.
#include <fstream>

#include "app/cli.hpp"
#include "fuzz_input.hpp"
#include "usp/yaml_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  usp::fuzz::quiet();
  static const std::string file = usp::fuzz::scratch_dir() + "/identity.yaml";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  usp::agent::agent_args a;
  a.identity_file = file;
  a.factory = "factory.txt";  // not read here
  try {
    const auto o = usp::agent::phone_options_for(a, "00:04:13:AA:BB:CC", usp::fuzz::scratch_dir() + "/state");
    if (o.id.mac.size() != 12 || o.id.endpoint_id.empty()) usp::fuzz::broken("options without a MAC or an EID");
  } catch (const usp::config_error& e) {
    if (e.problems().empty()) usp::fuzz::broken("a config_error with no problem in it");
  }
  return 0;
}

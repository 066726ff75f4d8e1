// Helpers shared by the fuzz targets: turning the fuzzer's bytes into the
// pieces an API takes. Every split is deterministic, so a saved crash input
// replays the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "usp/log.hpp"

namespace usp::fuzz {

inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits at every `sep` (the pieces may be empty); several inputs in one,
// e.g. a topic and a payload. Dictionaries list the separators.
inline std::vector<std::string_view> split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto at = s.find(sep);
    if (at == std::string_view::npos) break;
    out.push_back(s.substr(0, at));
    s.remove_prefix(at + sep.size());
  }
  out.push_back(s);
  return out;
}

// A property the code under test promised does not hold: stop like a crash
// so the fuzzer keeps the input.
[[noreturn]] inline void broken(const char* what) {
  std::fprintf(stderr, "fuzz: broken promise: %s\n", what);
  std::abort();
}

// Logging off (fuzzed input makes every warning fire); USP_FUZZ_LOG=1 keeps
// it for reading what a crash input does.
// Every target calls this first.
inline void quiet() {
  static const bool done = [] {
    if (!std::getenv("USP_FUZZ_LOG")) usp::log::set_level(usp::log::level::off);
    return true;
  }();
  (void)done;
}

// A scratch folder for the process (tmpfs when there is one), removed at exit.
inline const std::string& scratch_dir() {
  struct scratch {
    std::string dir = std::filesystem::is_directory("/dev/shm") ? "/dev/shm/usp-fuzz-XXXXXX" : "/tmp/usp-fuzz-XXXXXX";
    scratch() {
      if (!mkdtemp(dir.data())) std::abort();
    }
    ~scratch() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
    scratch(const scratch&) = delete;
    scratch& operator=(const scratch&) = delete;
  };
  static const scratch s;
  return s.dir;
}

}  // namespace usp::fuzz

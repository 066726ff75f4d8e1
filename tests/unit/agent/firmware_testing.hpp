// Shared by the firmware tests (firmware_test.cpp: banks, headers,
// checksums, boot marker; firmware_schema_test.cpp: the data model).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "usp/err_code.hpp"

namespace usp::agent::test::firmware_testing {

namespace fs = std::filesystem;

constexpr std::uint32_t code(usp::err_code c) { return usp::value(c); }

constexpr const char* factory_version = "10.1.182.0";
constexpr const char* new_version = "10.1.190.0";

using string_map = std::map<std::string, std::string>;

}  // namespace usp::agent::test::firmware_testing

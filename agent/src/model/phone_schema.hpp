// The phone's supported data model: Device:2.19 objects a Snom desk phone
// exposes (DeviceInfo, LocalAgent, MQTT), the vendor's objects, and whatever
// the param_map adds. Built once per process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dm/schema.hpp"
#include "dm/tree.hpp"
#include "model/bindings.hpp"

namespace usp::agent {

inline constexpr const char* vendor_prefix = "X_000413_";  // TR-106 vendor prefix (our OUI)
inline constexpr const char* root_data_model_version = "2.19";

// The built-in objects (no param_map yet).
std::shared_ptr<dm::schema> build_builtin_schema();

// Adds the "<Table>NumberOfEntries" counter next to every table that lacks
// one; run once the schema is complete.
void add_entry_counters(dm::schema& s);

// Pieces of build_builtin_schema, one file each.
void define_device(dm::schema& s);
void define_local_agent(dm::schema& s);
void define_mqtt(dm::schema& s);
void define_vendor(dm::schema& s);
void define_firmware(dm::schema& s);

// The fixed DeviceInfo.FirmwareImage.{i}. rows, one per bank slot.
void add_firmware_rows(dm::data_model& dm);

// Shorthands for schema definitions.
dm::param_def& read_only(dm::object_def& o, std::string name, dm::value_type t = dm::value_type::string,
                         std::string def = {});
dm::param_def& read_write(dm::object_def& o, std::string name, dm::value_type t = dm::value_type::string,
                          std::string def = {});
// An unsigned range check for param_def::check.
std::function<std::string(std::string_view)> in_range(std::uint64_t lo, std::uint64_t hi);

}  // namespace usp::agent

// The param_map's bindings as data-model value sources, and attaching them
// to a phone's instances.
#pragma once

#include <memory>
#include <vector>

#include "config/param_map.hpp"
#include "dm/tree.hpp"

namespace usp::agent {

// The value sources of one param_map, shared by every phone of a process.
struct binding_set {
  struct bound {
    std::string instance_path;  // "Device.LocalAgent.Controller.2."
    const dm::param_def* param = nullptr;
    std::unique_ptr<dm::value_source> source;
    const param_binding* binding = nullptr;
  };
  std::vector<param_binding> bindings;
  std::vector<bound> bound_params;
};

// Adds to `s` what the param_map needs that the built-in model lacks
// (vendor objects, parameters) and makes the value sources. `s` must already
// hold the built-in model. Problems (a type that contradicts the built-in
// parameter, an instance under a single-instance object) are appended as
// "param_map:<line>: ..." lines.
std::unique_ptr<binding_set> prepare_bindings(dm::schema& s, std::vector<param_binding> bindings,
                                              const std::string& file, std::vector<std::string>& problems);

// Creates the bound (fixed) instances in a phone's model and binds them.
void attach_bindings(dm::data_model& dm, const binding_set& b);

// The settings a bound parameter reads, for change announcements.
std::vector<std::string> settings_read_by(const param_binding& b);

}  // namespace usp::agent

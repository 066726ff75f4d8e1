// Resolving a Path Name against the instantiated data model: instance
// numbers, wildcards, search expressions and unique-key addressing
// (TR-369 "Path Names", R-ARC.9-11).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dm/tree.hpp"
#include "usp/path_name.hpp"

namespace usp::agent::dm {

struct resolved {
  // What the path names, whatever the target kind.
  path_target target = path_target::object;
  // Object targets: the matched instances. A path that ends at a table
  // ("Device.LocalAgent.Controller.") matches its rows and sets `table`.
  std::vector<instance*> objects;
  const object_def* table = nullptr;
  instance* table_owner = nullptr;  // the instance holding `table`
  // Parameter targets: (instance, parameter) pairs.
  std::vector<std::pair<instance*, const param_def*>> params;
  // Command / event targets: the owning instances are in `objects`.
  const command_def* command = nullptr;
  const event_def* event = nullptr;
  // 0, or 7026 (not in the supported data model) / 7008 (bad search).
  std::uint32_t err_code = 0;
  std::string err_msg;
  bool search = false;  // wildcards or expressions: matching nothing is fine (R-GET.1a)

  bool ok() const noexcept { return err_code == 0; }
  bool empty() const noexcept { return objects.empty() && params.empty(); }
};

resolved resolve(data_model& dm, const path_name& path);

}  // namespace usp::agent::dm

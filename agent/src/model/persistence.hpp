// What controllers configured in the data model, kept across reboots.
//
// Settings-bound parameters persist through the settings store; this keeps
// the rest: values controllers wrote into writable stored parameters
// (PeriodicNotifInterval, ProvisioningCode, ...) and the rows they created
// (BootParameter, and Subscriptions whose Persistent is true, per
// Subscriptions:1). Request rows and anything the phone computes are not kept.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dm/tree.hpp"

namespace usp::agent {

// One line per row ("row <path>") and per stored value ("<path>=<value>",
// '%', CR and LF percent-encoded), in tree order so rows precede their values.
std::string serialize_state(const dm::data_model& dm);

// Brings rows and values back; lines that no longer fit the model are
// reported (the caller logs them) and skipped.
void restore_state(dm::data_model& dm, std::string_view text, std::vector<std::string>& problems);

}  // namespace usp::agent

// What a controlled restart tells the next boot (<state-dir>/boot): the
// Boot! arguments and the notifications it carries over. Without a marker a
// first boot reports LocalFactoryReset and any other one LocalReboot (a
// power cycle).
#pragma once

#include <string>

#include "notify/notifier.hpp"

namespace usp::agent {

// Reads and removes the marker; records that the phone has booted.
boot_info take_boot_marker(const std::string& state_dir);
void write_boot_marker(const std::string& state_dir, const boot_info& b);

}  // namespace usp::agent

// Files that hold secrets (passwords, private keys, settings with passwords)
// must be readable by their owner only. One check for every program: the
// gateway, the agent and usp-ctl warn, naming the file, when group or others
// have any access to it (mode & 077), and carry on.
#pragma once

#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace usp {

// The group and other permission bits of `path` (mode & 077, following
// symlinks); 0 when there are none or the file cannot be stat'ed.
unsigned exposed_mode_bits(const std::string& path) noexcept;

// The warning for `path` holding `what` ("MQTT password file", "TLS private
// key"), or empty when the file is private (or absent: whoever reads it
// reports that).
std::string exposed_secret_warning(const std::string& path, std::string_view what);

// Logs exposed_secret_warning() on `log` at warn level; returns whether it did.
bool warn_if_exposed(spdlog::logger& log, const std::string& path, std::string_view what);

}  // namespace usp

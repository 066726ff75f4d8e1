// Small file helpers shared by every component.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace usp {

// Replaces `path` atomically: a reader (or a power cut) sees the old file or
// the new one, never a torn one. The folder is created when missing. The
// file gets mode 0600 (it may hold passwords). On failure returns false with
// the reason in `why`, and the old file is untouched.
bool write_file_atomically(const std::string& path, std::string_view content, std::string& why);

// The whole file, or nullopt when it cannot be read.
std::optional<std::string> read_file(const std::string& path);

}  // namespace usp

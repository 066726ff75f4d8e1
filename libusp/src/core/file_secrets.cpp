#include "usp/file_secrets.hpp"

#include <sys/stat.h>

#include <cstdio>

namespace usp {

unsigned exposed_mode_bits(const std::string& path) noexcept {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<unsigned>(st.st_mode) & 077u;
}

std::string exposed_secret_warning(const std::string& path, std::string_view what) {
  const unsigned bits = exposed_mode_bits(path);
  if (bits == 0) return {};
  struct stat st {};
  ::stat(path.c_str(), &st);
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode) & 07777u);
  std::string who = (bits & 070u) != 0 && (bits & 007u) != 0 ? "group and others"
                    : (bits & 070u) != 0                      ? "group"
                                                              : "others";
  return std::string(what) + " " + path + " is accessible by " + who + " (mode " + mode +
         "); it holds a secret: chmod go-rwx " + path;
}

bool warn_if_exposed(spdlog::logger& log, const std::string& path, std::string_view what) {
  const auto text = exposed_secret_warning(path, what);
  if (text.empty()) return false;
  log.warn("{}", text);
  return true;
}

}  // namespace usp

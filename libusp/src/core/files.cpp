#include "usp/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace usp {

namespace fs = std::filesystem;

namespace {

std::string errno_text(const char* what, int err) {
  return std::string(what) + ": " + std::error_code(err, std::generic_category()).message();
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

// The temporary file lives in the same folder so rename() stays within one
// file system; mkstemp makes it 0600.
bool write_file_atomically(const std::string& path, std::string_view content, std::string& why) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    why = "cannot create " + dir.string() + ": " + ec.message();
    return false;
  }
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    why = errno_text("cannot create a temporary file", errno);
    return false;
  }
  bool ok = write_all(fd, content);
  if (!ok) why = errno_text("cannot write", errno);
  if (ok && ::fsync(fd) != 0) {
    why = errno_text("cannot sync", errno);
    ok = false;
  }
  if (::close(fd) != 0 && ok) {
    why = errno_text("cannot close", errno);
    ok = false;
  }
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    why = errno_text("cannot rename", errno);
    ok = false;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return false;
  }
  // Makes the rename itself durable; the data is safe already, so a failure
  // here is not worth refusing the change for.
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) return std::nullopt;
  return text;
}

}  // namespace usp

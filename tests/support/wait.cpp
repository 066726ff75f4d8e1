#include "usp_test/wait.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <iterator>
#include <string>

namespace usp::test {

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  io.restart();
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return done();
    // run_one_for returns as soon as a handler ran, so the condition is
    // re-checked after every event.
    io.run_one_for(deadline - now);
    if (io.stopped()) io.restart();
  }
  return true;
}

bool run_until_exited(boost::asio::io_context& io, int pid, std::chrono::milliseconds timeout) {
  const int pfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pfd < 0) return true;  // already gone (ESRCH)
  boost::asio::posix::stream_descriptor d(io, pfd);
  bool exited = false;
  d.async_wait(boost::asio::posix::stream_descriptor::wait_read,
               [&](const boost::system::error_code& ec) { exited = !ec; });
  run_until(io, [&] { return exited; }, timeout);
  d.cancel();
  io.restart();
  io.poll();  // runs the cancelled wait's handler while `exited` still lives
  return exited;
}

namespace {
bool file_contains(const std::string& path, const std::string& needle) {
  std::ifstream f(path);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return text.find(needle) != std::string::npos;
}
}  // namespace

bool wait_for_text(const std::string& path, const std::string& needle, std::chrono::milliseconds timeout, int pid) {
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return file_contains(path, needle);
  const int wd = inotify_add_watch(fd, path.c_str(), IN_MODIFY | IN_CLOSE_WRITE);
  const int pfd = pid > 0 ? static_cast<int>(syscall(SYS_pidfd_open, pid, 0)) : -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool found = file_contains(path, needle);
  bool exited = false;
  while (!found && !exited && wd >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p[2] = {{fd, POLLIN, 0}, {pfd, POLLIN, 0}};
    if (poll(p, pfd >= 0 ? 2 : 1, static_cast<int>(left.count())) > 0) {
      char buf[4096];
      while (read(fd, buf, sizeof buf) > 0) {
      }
      exited = pfd >= 0 && (p[1].revents & POLLIN) != 0;
    }
    found = file_contains(path, needle);
  }
  if (pfd >= 0) close(pfd);
  close(fd);
  return found;
}

}  // namespace usp::test

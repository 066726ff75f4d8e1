#include "usp_test/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <stdexcept>

extern char** environ;

namespace usp::test {

namespace {
int decode_status(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st); }
}  // namespace

child_process::child_process(std::vector<std::string> argv, std::string log_path) : log_(std::move(log_path)) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const int rc = posix_spawnp(&pid_, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
}

child_process::~child_process() {
  if (pid_ > 0) stop(std::chrono::seconds(5));
}

child_process::child_process(child_process&& o) noexcept : pid_(o.pid_), status_(o.status_), log_(std::move(o.log_)) {
  o.pid_ = -1;
}

child_process& child_process::operator=(child_process&& o) noexcept {
  if (this != &o) {
    if (pid_ > 0) stop(std::chrono::seconds(5));
    pid_ = o.pid_;
    status_ = o.status_;
    log_ = std::move(o.log_);
    o.pid_ = -1;
  }
  return *this;
}

bool child_process::running() {
  if (pid_ <= 0) return false;
  int st = 0;
  const pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = decode_status(st);
    pid_ = -1;
    return false;
  }
  return true;
}

int child_process::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return status_;
  // A pidfd becomes readable when the process exits: poll it with the deadline.
  const int pfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  if (pfd >= 0) {
    pollfd p{pfd, POLLIN, 0};
    poll(&p, 1, static_cast<int>(timeout.count()));
    close(pfd);
  }
  int st = 0;
  if (waitpid(pid_, &st, WNOHANG) == pid_) {
    status_ = decode_status(st);
    pid_ = -1;
    return status_;
  }
  return -1000;
}

int child_process::signal(int sig) { return pid_ > 0 ? ::kill(pid_, sig) : -1; }

int child_process::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return status_;
  ::kill(pid_, SIGTERM);
  const int st = wait(grace);
  if (st != -1000) return st;
  return kill9();
}

int child_process::kill9() {
  if (pid_ <= 0) return status_;
  ::kill(pid_, SIGKILL);
  int st = 0;
  waitpid(pid_, &st, 0);
  status_ = decode_status(st);
  pid_ = -1;
  return status_;
}

std::string child_process::output() const {
  std::ifstream f(log_);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

}  // namespace usp::test

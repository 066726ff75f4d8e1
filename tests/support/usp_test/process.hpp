// A child process for integration tests: stdout and stderr go to a log file.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace usp::test {

class child_process {
 public:
  child_process() = default;
  // Starts `argv[0]` (searched in PATH) with its output in `log_path`.
  child_process(std::vector<std::string> argv, std::string log_path);
  ~child_process();
  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const noexcept { return pid_; }
  bool running();
  // SIGTERM, then SIGKILL after `grace`; returns the exit status (or -signal).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  int kill9();
  int signal(int sig);
  // Waits for the process to exit on its own; -1000 on timeout.
  int wait(std::chrono::milliseconds timeout);
  const std::string& log_path() const noexcept { return log_; }
  std::string output() const;

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  std::string log_;
};

}  // namespace usp::test

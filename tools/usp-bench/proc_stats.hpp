// CPU time and memory of a process, read from /proc (Linux).
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace usp::bench {

struct proc_sample {
  double cpu_seconds = 0;       // user + system
  std::uint64_t rss_kib = 0;    // VmRSS
  std::uint64_t peak_kib = 0;   // VmHWM
};

// With tid: that thread's CPU time (/proc/PID/task/TID); memory is the process's.
proc_sample sample(pid_t pid, pid_t tid = 0);

}  // namespace usp::bench

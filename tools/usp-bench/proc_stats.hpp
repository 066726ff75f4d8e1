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

proc_sample sample(pid_t pid);

}  // namespace usp::bench

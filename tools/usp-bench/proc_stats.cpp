#include "proc_stats.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace usp::bench {

proc_sample sample(pid_t pid, pid_t tid) {
  proc_sample s;
  auto base = "/proc/" + std::to_string(pid);
  if (tid) base += "/task/" + std::to_string(tid);
  std::ifstream stat(base + "/stat");
  std::string line;
  if (std::getline(stat, line)) {
    // Field 2 (comm) may hold spaces: parse after its closing parenthesis.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    s.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  std::ifstream status(base + "/status");
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kib = std::stoull(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) s.peak_kib = std::stoull(line.substr(6));
  }
  return s;
}

}  // namespace usp::bench

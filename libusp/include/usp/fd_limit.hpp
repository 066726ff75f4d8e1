// The open-files limit (RLIMIT_NOFILE) of processes with thousands of sockets.
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <limits>

namespace usp {

// Raises the soft limit to the hard limit (only root may raise the hard one:
// `ulimit -Hn`, systemd LimitNOFILE=, docker --ulimit nofile=). Returns the
// soft limit now in force; children inherit it.
inline std::uint64_t raise_fd_limit() noexcept {
  rlimit l{};
  if (::getrlimit(RLIMIT_NOFILE, &l) != 0) return 0;
  if (l.rlim_cur < l.rlim_max) {
    rlimit want = l;
    want.rlim_cur = l.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &want) == 0) l = want;
  }
  return l.rlim_cur == RLIM_INFINITY ? std::numeric_limits<std::uint64_t>::max() : l.rlim_cur;
}

}  // namespace usp

// Two file descriptors per phone that a fleet does not need.
//
// libmosquitto 2.0 opens a socket pair for every client, and again on every
// connect, so that mosquitto_loop()'s select() can be woken by a publish
// from another thread; every publish then writes one byte into it. Our MQTT
// client never calls mosquitto_loop (it waits on the socket with Asio), so
// nobody reads the pair: it is two idle descriptors per phone, 30,000
// instead of 10,000 for 10,000 phones, beyond a common hard limit of 20,000,
// and a write() system call per packet sent (two per Get answered: the
// PUBACK and the GetResp), 5 % of a single phone's CPU under load.
// libmosquitto 2.1 turns the pair off with MOSQ_OPT_DISABLE_SOCKETPAIR; 2.0
// carries on without it when socketpair() fails. In usp-agent only
// libmosquitto calls socketpair() (no other library imports it), so this
// definition, which takes the place of libc's for the whole program, makes
// it fail once the agent asks (one phone or a fleet, before any client exists).
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "fleet.hpp"

namespace {
std::atomic<bool> refused{false};
}  // namespace

extern "C" int socketpair(int domain, int type, int protocol, int fds[2]) noexcept {
  if (refused.load(std::memory_order_relaxed)) {
    errno = EMFILE;
    return -1;
  }
  return static_cast<int>(::syscall(SYS_socketpair, domain, type, protocol, fds));
}

namespace usp::agent {

void refuse_socketpairs() noexcept { refused.store(true, std::memory_order_relaxed); }

}  // namespace usp::agent

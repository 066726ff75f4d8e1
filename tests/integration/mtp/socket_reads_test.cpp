// The buffered reads under libmosquitto (libusp/src/mqtt/socket_reads.hpp):
// what read() returns for an attached socket, EAGAIN within a batch, and
// close() dropping the buffer before the descriptor number is reused.
#include "mqtt/socket_reads.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

namespace usp::mtp {
namespace {

struct pair_fds {
  int fds[2] = {-1, -1};
  pair_fds() {
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  }
  ~pair_fds() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  void send(const std::string& s) const { ASSERT_EQ(::write(fds[1], s.data(), s.size()), static_cast<ssize_t>(s.size())); }
};

std::string read_n(int fd, std::size_t n) {
  std::string out(n, '\0');
  const auto got = ::read(fd, out.data(), n);
  out.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  return out;
}

TEST(SocketReads, ServesSmallReadsFromOneSystemCall) {
  pair_fds p;
  socket_reads r;
  r.attach(p.fds[0]);
  p.send("\x30\x05hello\x40\x02");
  EXPECT_EQ(read_n(p.fds[0], 1), "\x30");
  EXPECT_EQ(r.buffered(), 8u);  // the rest came with the first read
  EXPECT_EQ(read_n(p.fds[0], 1), "\x05");
  EXPECT_EQ(read_n(p.fds[0], 5), "hello");
  EXPECT_EQ(read_n(p.fds[0], 10), "\x40\x02");  // no more than is there
  EXPECT_EQ(r.buffered(), 0u);
  p.send("more");
  EXPECT_EQ(read_n(p.fds[0], 4), "more");
}

TEST(SocketReads, EagainOnceDrainedWithinABatch) {
  pair_fds p;
  socket_reads r;
  r.attach(p.fds[0]);
  r.begin_batch();
  char c = 0;
  EXPECT_EQ(::read(p.fds[0], &c, 1), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_TRUE(r.drained());
  p.send("x");
  EXPECT_EQ(::read(p.fds[0], &c, 1), -1);  // the batch ended with the kernel's EAGAIN
  r.end_batch();
  r.begin_batch();  // a new readiness notice
  EXPECT_EQ(::read(p.fds[0], &c, 1), 1);
  EXPECT_EQ(c, 'x');
  r.end_batch();
}

TEST(SocketReads, CloseDropsTheBufferAndDetaches) {
  pair_fds p;
  socket_reads r;
  const int fd = p.fds[0];
  r.attach(fd);
  p.send("abc");
  EXPECT_EQ(read_n(fd, 1), "a");
  ASSERT_EQ(::close(fd), 0);
  p.fds[0] = -1;
  EXPECT_FALSE(r.attached());
  EXPECT_EQ(r.buffered(), 0u);
  // The number comes back for another socket: its reads are its own.
  pair_fds q;
  if (q.fds[0] == fd) {
    q.send("z");
    EXPECT_EQ(read_n(fd, 3), "z");
  }
}

TEST(SocketReads, OtherDescriptorsAreUntouched) {
  pair_fds p;
  p.send("plain");
  EXPECT_EQ(read_n(p.fds[0], 2), "pl");
  EXPECT_EQ(read_n(p.fds[0], 3), "ain");
}

}  // namespace
}  // namespace usp::mtp

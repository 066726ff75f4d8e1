// Buffered reads for the sockets libmosquitto reads.
//
// libmosquitto 2.0 reads a packet with one read() for its first byte, one
// per byte of the remaining length, one for the rest, and after the last
// packet of a burst tries again until the kernel says EAGAIN, up to one try
// per QoS 1 message still in flight: on loopback with 100 requests in flight
// that was 6.6 read() calls per Get in usp-agent, a fifth of its CPU.
//
// socket_reads.cpp defines read() and close() for the whole program (as
// agent/src/fleet_socketpair.cpp does socketpair()), so libmosquitto's and
// OpenSSL's calls come here. For a descriptor an mqtt_client attached, a
// read takes what one earlier read() of up to 16 KiB brought in; for every
// other descriptor they are the system calls, unchanged. close() of an
// attached descriptor drops what was buffered before the number can be
// reused. The buffer exists only while it holds bytes or a batch of reads
// (below) runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace usp::mtp {

class socket_reads {
 public:
  socket_reads() = default;
  ~socket_reads();
  socket_reads(const socket_reads&) = delete;
  socket_reads& operator=(const socket_reads&) = delete;

  // Reads of `fd` go through this buffer until detach() or close(fd).
  void attach(int fd);
  void detach() noexcept;
  bool attached() const noexcept { return fd_ >= 0; }

  // Bytes read from the kernel and not yet taken.
  std::size_t buffered() const noexcept { return end_ - begin_; }

  // Within a batch, once the kernel answered EAGAIN, further reads of an
  // empty buffer answer EAGAIN without asking it again: libmosquitto's
  // retries after the end of a burst cost nothing. The caller starts a batch
  // after a readiness notice and ends it before waiting again; new data
  // then shows as a new notice.
  void begin_batch() noexcept {
    in_batch_ = true;
    drained_ = false;
  }
  void end_batch() noexcept {
    in_batch_ = false;
    if (begin_ == end_) data_.reset();  // idle clients (a fleet's phones) keep no buffer
  }
  // The kernel had nothing more in this batch.
  bool drained() const noexcept { return drained_; }

  // For the read() and close() definitions.
  long read(void* buf, std::size_t n) noexcept;
  void closed() noexcept;

 private:
  static constexpr std::size_t capacity = 16384;
  std::unique_ptr<char[]> data_;
  std::uint32_t begin_ = 0;
  std::uint32_t end_ = 0;
  int fd_ = -1;
  bool in_batch_ = false;
  bool drained_ = false;
};

}  // namespace usp::mtp

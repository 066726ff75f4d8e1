// See socket_reads.hpp. No <unistd.h> here: with _FORTIFY_SOURCE it defines
// read() inline, and this file defines the program's read().
#include "socket_reads.hpp"

#include <sys/syscall.h>
#include <sys/types.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>

extern "C" long syscall(long number, ...) noexcept;  // NOLINT: <unistd.h>'s, see above

namespace usp::mtp {
namespace {

// fd -> the socket_reads attached to it: 1,024 pages of 1,024 slots, a page
// made when a descriptor in its range is first attached and never freed, so
// a look-up from any thread is two atomic loads.
constexpr std::size_t page_bits = 10;
constexpr std::size_t page_size = std::size_t{1} << page_bits;
using page = std::array<std::atomic<socket_reads*>, page_size>;
std::array<std::atomic<page*>, 1024> pages{};

std::atomic<socket_reads*>* slot(int fd, bool create) noexcept {
  if (fd < 0) return nullptr;
  const auto index = static_cast<std::size_t>(fd);
  const auto p = index >> page_bits;
  if (p >= pages.size()) return nullptr;
  auto* pg = pages[p].load(std::memory_order_acquire);
  if (!pg) {
    if (!create) return nullptr;
    auto* fresh = new (std::nothrow) page{};
    if (!fresh) return nullptr;
    if (pages[p].compare_exchange_strong(pg, fresh, std::memory_order_acq_rel)) {
      pg = fresh;
    } else {
      delete fresh;  // another thread made it first: `pg` is theirs
    }
  }
  return &(*pg)[index & (page_size - 1)];
}

socket_reads* attached_to(int fd) noexcept {
  auto* s = slot(fd, false);
  return s ? s->load(std::memory_order_acquire) : nullptr;
}

long raw_read(int fd, void* buf, std::size_t n) noexcept { return syscall(SYS_read, fd, buf, n); }

}  // namespace

socket_reads::~socket_reads() { detach(); }

void socket_reads::attach(int fd) {
  detach();
  auto* s = slot(fd, true);
  if (!s) return;  // beyond the table: unbuffered
  fd_ = fd;
  begin_ = end_ = 0;
  s->store(this, std::memory_order_release);
}

void socket_reads::detach() noexcept {
  if (fd_ < 0) return;
  if (auto* s = slot(fd_, false)) {
    socket_reads* me = this;
    s->compare_exchange_strong(me, nullptr, std::memory_order_acq_rel);  // only if still ours
  }
  closed();
}

void socket_reads::closed() noexcept {
  fd_ = -1;
  begin_ = end_ = 0;
  data_.reset();
  in_batch_ = drained_ = false;
}

long socket_reads::read(void* buf, std::size_t n) noexcept {
  if (n == 0) return 0;
  if (begin_ == end_) {
    if (in_batch_ && drained_) {
      errno = EAGAIN;
      return -1;
    }
    if (n >= capacity) return raw_read(fd_, buf, n);  // large: straight in
    if (!data_) {
      data_.reset(new (std::nothrow) char[capacity]);
      if (!data_) return raw_read(fd_, buf, n);
    }
    const long got = raw_read(fd_, data_.get(), capacity);
    if (got <= 0) {
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) drained_ = true;
      return got;
    }
    begin_ = 0;
    end_ = static_cast<std::uint32_t>(got);
  }
  const std::size_t take = std::min<std::size_t>(n, end_ - begin_);
  std::memcpy(buf, data_.get() + begin_, take);
  begin_ += static_cast<std::uint32_t>(take);
  if (begin_ == end_) {
    begin_ = end_ = 0;
    if (!in_batch_) data_.reset();  // idle clients (a fleet's phones) keep no buffer
  }
  return static_cast<long>(take);
}

}  // namespace usp::mtp

// The program's read() and close(): see socket_reads.hpp.
extern "C" ssize_t read(int fd, void* buf, std::size_t n) {
  if (auto* r = usp::mtp::attached_to(fd)) return r->read(buf, n);
  return usp::mtp::raw_read(fd, buf, n);
}

extern "C" int close(int fd) {
  if (auto* s = usp::mtp::slot(fd, false)) {
    if (auto* r = s->exchange(nullptr, std::memory_order_acq_rel)) r->closed();
  }
  return static_cast<int>(syscall(SYS_close, fd));
}

// Waiting on conditions with a deadline (never a bare sleep).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>

namespace usp::test {

// Runs `io` until `done()` holds or `timeout` passes; returns done().
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Runs `io` until process `pid` exits (its pidfd wakes the loop) or
// `timeout` passes; returns whether it exited. The process is not reaped.
bool run_until_exited(boost::asio::io_context& io, int pid,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Blocks until `path` contains `needle` (inotify wakes us on every write),
// `timeout` passes, or process `pid` (when > 0) exits. Returns whether the
// text was found.
bool wait_for_text(const std::string& path, const std::string& needle,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10), int pid = -1);

}  // namespace usp::test

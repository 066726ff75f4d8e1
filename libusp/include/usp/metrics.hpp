// Counters and gauges, rendered in the Prometheus text exposition format 0.0.4.
//
// Registration happens at start-up: it allocates, takes a lock, and throws
// std::invalid_argument for a bad name, a duplicate family or a counter not
// named *_total. The data path only touches handles: a counter or gauge handle
// is one pointer to an atomic, updated with relaxed order and no lock, so any
// thread (one io_context per thread) may update the same handle. Handles are
// cheap to copy and stay valid as long as the registry lives.
//
// Labels are fixed at registration: a family names its labels and lists every
// label set it will ever have, and owners fetch each set's handle once.
//
//   usp::metrics::registry reg;
//   auto records = reg.add_counter("usp_gateway_records_total", "Records forwarded.", {"direction"},
//                                  {{"to_controller"}, {"to_agent"}});
//   const auto to_agent = records.at({"to_agent"});   // start-up
//   to_agent.inc();                                    // data path
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace usp::metrics {

// What an HTTP endpoint serving render() puts in Content-Type.
inline constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

// A monotonically increasing count.
class counter {
 public:
  // Counts into a private sink that is never rendered, so a component can
  // be built without a registry (tests) and still call inc().
  counter() noexcept;

  void inc(std::uint64_t n = 1) const noexcept { cell_->fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return cell_->load(std::memory_order_relaxed); }

 private:
  friend class registry;
  friend class counter_family;
  explicit counter(std::atomic<std::uint64_t>* cell) noexcept : cell_(cell) {}
  std::atomic<std::uint64_t>* cell_;
};

// A value that goes up and down.
class gauge {
 public:
  gauge() noexcept;  // like counter(): a private sink

  void set(std::int64_t v) const noexcept { cell_->store(v, std::memory_order_relaxed); }
  void add(std::int64_t n = 1) const noexcept { cell_->fetch_add(n, std::memory_order_relaxed); }
  void sub(std::int64_t n = 1) const noexcept { cell_->fetch_sub(n, std::memory_order_relaxed); }
  std::int64_t value() const noexcept { return cell_->load(std::memory_order_relaxed); }

 private:
  friend class registry;
  friend class gauge_family;
  explicit gauge(std::atomic<std::int64_t>* cell) noexcept : cell_(cell) {}
  std::atomic<std::int64_t>* cell_;
};

namespace detail {
struct family;
}

// One label set's values, in the order of the family's label names.
using label_values = std::vector<std::string>;

// The handles of a labelled counter family. at() is a start-up call: it
// searches, and throws std::invalid_argument for a label set that was not
// given at registration. Keep the handle it returns.
class counter_family {
 public:
  counter at(std::initializer_list<std::string_view> values) const;
  std::size_t size() const noexcept;

 private:
  friend class registry;
  explicit counter_family(const detail::family* f) noexcept : family_(f) {}
  const detail::family* family_;
};

class gauge_family {
 public:
  gauge at(std::initializer_list<std::string_view> values) const;
  std::size_t size() const noexcept;

 private:
  friend class registry;
  explicit gauge_family(const detail::family* f) noexcept : family_(f) {}
  const detail::family* family_;
};

// A gauge computed at scrape time. It runs on the thread that calls
// render(), concurrently with everything else in the program, so it must be
// thread-safe (read atomics, or take a lock the data path does not hold for
// long). It must not call into the registry.
using gauge_callback = std::function<double()>;

class registry {
 public:
  registry();
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;
  registry(registry&&) = delete;
  registry& operator=(registry&&) = delete;

  // Names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
  // without a leading "__" (reserved by Prometheus); counter names end in
  // _total. A labelled family lists at least one label set, every set has
  // one value per label name, and no set appears twice. Everything
  // else throws std::invalid_argument.
  counter add_counter(std::string_view name, std::string_view help);
  counter_family add_counter(std::string_view name, std::string_view help, std::vector<std::string> label_names,
                             std::vector<label_values> sets);

  gauge add_gauge(std::string_view name, std::string_view help);
  gauge_family add_gauge(std::string_view name, std::string_view help, std::vector<std::string> label_names,
                         std::vector<label_values> sets);

  void add_callback_gauge(std::string_view name, std::string_view help, gauge_callback fn);
  void add_callback_gauge(std::string_view name, std::string_view help, std::vector<std::string> label_names,
                          std::vector<std::pair<label_values, gauge_callback>> samples);

  // The exposition text: families in registration order, each with # HELP
  // (when help is not empty) and # TYPE, then one line per label set in the
  // order given. Safe from any thread, also while others update handles or
  // register; runs the callback gauges.
  std::string render() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace usp::metrics

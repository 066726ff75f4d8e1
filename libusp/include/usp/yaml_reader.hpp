// Reading YAML configuration into plain structs, reporting every problem with
// file, line and key ("gateway.yaml:12: mqtt.port: must be 1..65535").
//
// A loader opens a yaml_document, reads values through map_readers, and calls
// finish(): that adds an "unknown key" problem for every key nobody read and
// throws config_error listing all problems. yaml-cpp types stay inside this
// module; loaders see only strings, numbers and these readers.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace usp {

// Thrown only while loading configuration at start-up.
class config_error : public std::runtime_error {
 public:
  explicit config_error(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  std::vector<std::string> problems_;
};

enum class presence : std::uint8_t { optional, required };

class yaml_document;

class map_reader {
  template <class Int>
  static constexpr std::int64_t min_of() {
    return static_cast<std::int64_t>(std::numeric_limits<Int>::min());
  }
  template <class Int>
  static constexpr std::int64_t max_of() {
    constexpr auto m = static_cast<std::uint64_t>(std::numeric_limits<Int>::max());
    constexpr auto cap = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(m < cap ? m : cap);
  }

 public:
  // Each read leaves `out` untouched when the key is absent (defaults stay).
  // Returns true when a valid value was stored.
  bool read(std::string_view key, std::string& out, presence p = presence::optional);
  bool read(std::string_view key, bool& out, presence p = presence::optional);
  bool read(std::string_view key, double& out, double lo, double hi, presence p = presence::optional);
  bool read(std::string_view key, std::vector<std::string>& out, presence p = presence::optional);
  bool read_int(std::string_view key, std::int64_t& out, std::int64_t lo, std::int64_t hi,
                presence p = presence::optional);

  template <class Int, class = std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>>>
  bool read(std::string_view key, Int& out, std::int64_t lo = min_of<Int>(), std::int64_t hi = max_of<Int>(),
            presence p = presence::optional) {
    std::int64_t v = static_cast<std::int64_t>(out);
    if (!read_int(key, v, lo, hi, p)) return false;
    out = static_cast<Int>(v);
    return true;
  }

  bool has(std::string_view key) const;
  // A nested map; absent (optional) gives an empty reader whose problems
  // point at the line of the key (or of this map when the key is missing).
  map_reader child(std::string_view key, presence p = presence::optional);
  // A sequence of maps. Required means present with at least one item.
  std::vector<map_reader> children(std::string_view key, presence p = presence::optional);

  // Records a problem found by the loader's own validation at `key`'s line.
  void problem(std::string_view key, std::string_view message);
  // A key the loader knows but refuses, with advice (an inline password):
  // when present, records `message` at it, and finish() does not call it unknown.
  void forbid(std::string_view key, std::string_view message);
  // "mqtt.port" style name of `key` inside this map.
  std::string key_path(std::string_view key) const;

  struct state;
  explicit map_reader(std::shared_ptr<state> s) : s_(std::move(s)) {}

 private:
  std::shared_ptr<state> s_;
};

class yaml_document {
 public:
  // Parse errors are collected, not thrown; finish() throws them.
  static yaml_document from_file(const std::string& path);
  static yaml_document from_string(std::string_view text, std::string name);

  yaml_document(yaml_document&&) noexcept;
  yaml_document& operator=(yaml_document&&) noexcept;
  ~yaml_document();

  map_reader root();
  // Adds unknown-key problems; throws config_error if there is any problem.
  void finish();
  std::vector<std::string> problems() const;

  struct impl;

 private:
  explicit yaml_document(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace usp

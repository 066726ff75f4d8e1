#include "usp/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <mutex>
#include <stdexcept>

namespace usp::metrics {

namespace detail {

enum class kind : std::uint8_t { counter, gauge };

// One cache line per value, so threads bumping different counters do not
// fight over the same line.
struct alignas(64) counter_cell {
  std::atomic<std::uint64_t> v{0};
};
struct alignas(64) gauge_cell {
  std::atomic<std::int64_t> v{0};
};

struct sample {
  label_values values;
  std::string labels_text;  // {a="x",b="y"}, or empty without labels
  std::unique_ptr<counter_cell> counter;
  std::unique_ptr<gauge_cell> gauge;
  gauge_callback callback;
};

// Never changes after registration, so render() reads it without a lock.
struct family {
  std::string name;
  std::string help;
  kind type = kind::counter;
  std::vector<sample> samples;

  const sample& find(std::initializer_list<std::string_view> values) const {
    const auto it = std::find_if(samples.begin(), samples.end(), [&](const sample& s) {
      return std::equal(s.values.begin(), s.values.end(), values.begin(), values.end());
    });
    if (it == samples.end()) throw std::invalid_argument("metric " + name + ": label set not registered");
    return *it;
  }
};

}  // namespace detail

namespace {

using detail::family;
using detail::kind;
using detail::sample;

detail::counter_cell& counter_sink() noexcept {
  static detail::counter_cell c;
  return c;
}

detail::gauge_cell& gauge_sink() noexcept {
  static detail::gauge_cell g;
  return g;
}

bool is_name_start(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool valid_metric_name(std::string_view n) noexcept {
  if (n.empty() || !(is_name_start(n.front()) || n.front() == ':')) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return is_name_start(c) || is_digit(c) || c == ':'; });
}

bool valid_label_name(std::string_view n) noexcept {
  if (n.empty() || !is_name_start(n.front()) || n.starts_with("__")) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return is_name_start(c) || is_digit(c); });
}

// Label values escape backslash, double quote and newline; HELP text escapes
// backslash and newline only (exposition format 0.0.4).
void append_escaped(std::string& out, std::string_view s, bool quote) {
  for (const char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

std::string labels_text(const std::vector<std::string>& names, const label_values& values) {
  if (names.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i != 0) out += ',';
    out += names[i];
    out += "=\"";
    append_escaped(out, values[i], true);
    out += '"';
  }
  out += '}';
  return out;
}

template <class T>
void append_number(std::string& out, T v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    append_number(out, v);  // shortest text that reads back as the same double
  }
}

void render_family(std::string& out, const family& f) {
  if (!f.help.empty()) {
    out += "# HELP ";
    out += f.name;
    out += ' ';
    append_escaped(out, f.help, false);
    out += '\n';
  }
  out += "# TYPE ";
  out += f.name;
  out += f.type == kind::counter ? " counter\n" : " gauge\n";
  for (const auto& s : f.samples) {
    out += f.name;
    out += s.labels_text;
    out += ' ';
    if (s.counter) {
      append_number(out, s.counter->v.load(std::memory_order_relaxed));
    } else if (s.gauge) {
      append_number(out, s.gauge->v.load(std::memory_order_relaxed));
    } else {
      append_double(out, s.callback());
    }
    out += '\n';
  }
}

// Checks the name, the label names and every label set; returns one sample
// per set with its labels already rendered.
std::vector<sample> make_samples(std::string_view name, kind type, const std::vector<std::string>& label_names,
                                 std::vector<label_values> sets) {
  const std::string n(name);
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name '" + n + "'");
  if (type == kind::counter && !name.ends_with("_total")) {
    throw std::invalid_argument("counter " + n + ": name must end in _total");
  }
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    if (!valid_label_name(label_names[i])) {
      throw std::invalid_argument("metric " + n + ": invalid label name '" + label_names[i] + "'");
    }
    if (std::find(label_names.begin(), label_names.begin() + static_cast<std::ptrdiff_t>(i), label_names[i]) !=
        label_names.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw std::invalid_argument("metric " + n + ": label '" + label_names[i] + "' given twice");
    }
  }
  if (sets.empty()) throw std::invalid_argument("metric " + n + ": no label sets");
  std::vector<sample> out;
  out.reserve(sets.size());
  for (auto& values : sets) {
    if (values.size() != label_names.size()) {
      throw std::invalid_argument("metric " + n + ": a label set does not have one value per label name");
    }
    if (std::any_of(out.begin(), out.end(), [&](const sample& s) { return s.values == values; })) {
      throw std::invalid_argument("metric " + n + ": label set " + labels_text(label_names, values) + " given twice");
    }
    sample s;
    s.labels_text = labels_text(label_names, values);
    s.values = std::move(values);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

counter::counter() noexcept : cell_(&counter_sink().v) {}

gauge::gauge() noexcept : gauge(&gauge_sink().v) {}

counter counter_family::at(std::initializer_list<std::string_view> values) const {
  return counter(&family_->find(values).counter->v);
}

std::size_t counter_family::size() const noexcept { return family_->samples.size(); }

gauge gauge_family::at(std::initializer_list<std::string_view> values) const {
  return gauge(&family_->find(values).gauge->v);
}

std::size_t gauge_family::size() const noexcept { return family_->samples.size(); }

struct registry::impl {
  // Keeps the family unless its name is taken; its address never changes
  // after this, so handles and render() may point into it.
  const family* add(std::string_view name, std::string_view help, kind type, std::vector<sample> samples) {
    auto f = std::make_unique<family>();
    f->name = std::string(name);
    f->help = std::string(help);
    f->type = type;
    f->samples = std::move(samples);
    const std::lock_guard lock(mutex);
    if (std::any_of(families.begin(), families.end(), [&](const auto& g) { return g->name == name; })) {
      throw std::invalid_argument("metric " + f->name + " registered twice");
    }
    families.push_back(std::move(f));
    return families.back().get();
  }

  mutable std::mutex mutex;  // guards `families` (the vector, not the families)
  std::vector<std::unique_ptr<family>> families;
};

registry::registry() : impl_(std::make_unique<impl>()) {}

registry::~registry() = default;

counter registry::add_counter(std::string_view name, std::string_view help) {
  return add_counter(name, help, {}, std::vector<label_values>(1)).at({});
}

counter_family registry::add_counter(std::string_view name, std::string_view help,
                                     std::vector<std::string> label_names, std::vector<label_values> sets) {
  auto samples = make_samples(name, kind::counter, label_names, std::move(sets));
  for (auto& s : samples) s.counter = std::make_unique<detail::counter_cell>();
  return counter_family(impl_->add(name, help, kind::counter, std::move(samples)));
}

gauge registry::add_gauge(std::string_view name, std::string_view help) {
  return add_gauge(name, help, {}, std::vector<label_values>(1)).at({});
}

gauge_family registry::add_gauge(std::string_view name, std::string_view help, std::vector<std::string> label_names,
                                 std::vector<label_values> sets) {
  auto samples = make_samples(name, kind::gauge, label_names, std::move(sets));
  for (auto& s : samples) s.gauge = std::make_unique<detail::gauge_cell>();
  return gauge_family(impl_->add(name, help, kind::gauge, std::move(samples)));
}

void registry::add_callback_gauge(std::string_view name, std::string_view help, gauge_callback fn) {
  std::vector<std::pair<label_values, gauge_callback>> one;
  one.emplace_back(label_values{}, std::move(fn));
  add_callback_gauge(name, help, {}, std::move(one));
}

void registry::add_callback_gauge(std::string_view name, std::string_view help, std::vector<std::string> label_names,
                                  std::vector<std::pair<label_values, gauge_callback>> samples) {
  std::vector<label_values> sets;
  sets.reserve(samples.size());
  for (const auto& [values, fn] : samples) {
    if (!fn) throw std::invalid_argument("metric " + std::string(name) + ": empty callback");
    sets.push_back(values);
  }
  auto made = make_samples(name, kind::gauge, label_names, std::move(sets));
  for (std::size_t i = 0; i < made.size(); ++i) made[i].callback = std::move(samples[i].second);
  impl_->add(name, help, kind::gauge, std::move(made));
}

std::string registry::render() const {
  std::vector<const family*> snapshot;
  {
    const std::lock_guard lock(impl_->mutex);
    snapshot.reserve(impl_->families.size());
    for (const auto& f : impl_->families) snapshot.push_back(f.get());
  }
  // Callbacks run without the lock, so a slow one does not hold up start-up.
  std::string out;
  out.reserve(snapshot.size() * 128);
  for (const auto* f : snapshot) render_family(out, *f);
  return out;
}

}  // namespace usp::metrics

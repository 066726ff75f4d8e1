#include "usp/log.hpp"

#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace usp::log {
namespace {

spdlog::level::level_enum to_spdlog(level l) noexcept {
  switch (l) {
    case level::trace: return spdlog::level::trace;
    case level::debug: return spdlog::level::debug;
    case level::info: return spdlog::level::info;
    case level::warn: return spdlog::level::warn;
    case level::error: return spdlog::level::err;
    case level::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

constexpr const char* pattern = "%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v";

// Passes lines on to `inner` within a rate_limit, and reports the swallowed ones.
class limited_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  limited_sink(spdlog::sink_ptr inner, std::uint32_t burst, std::chrono::steady_clock::duration interval,
               std::string unlimited)
      : inner_(std::move(inner)), limit_(burst, interval), unlimited_(std::move(unlimited)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (!unlimited_.empty() && msg.logger_name == spdlog::string_view_t(unlimited_)) {
      inner_->log(msg);
      return;
    }
    std::uint64_t suppressed = 0;
    if (!limit_.allow(suppressed)) return;
    if (suppressed > 0) {
      const auto text = std::to_string(suppressed) + " log lines suppressed (rate limit)";
      inner_->log(spdlog::details::log_msg(msg.logger_name, spdlog::level::warn, text));
    }
    inner_->log(msg);
  }
  void flush_() override { inner_->flush(); }

 private:
  spdlog::sink_ptr inner_;
  rate_limit limit_;
  std::string unlimited_;
};

struct registry {
  std::mutex mutex;
  spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  level current = level::info;
};

registry& reg() {
  static registry r;
  return r;
}

}  // namespace

std::optional<level> parse_level(std::string_view name) noexcept {
  if (name == "trace") return level::trace;
  if (name == "debug") return level::debug;
  if (name == "info") return level::info;
  if (name == "warn" || name == "warning") return level::warn;
  if (name == "error") return level::error;
  if (name == "off") return level::off;
  return std::nullopt;
}

void set_level(level l) {
  auto& r = reg();
  std::lock_guard lock(r.mutex);
  r.current = l;
  spdlog::apply_all([l](const std::shared_ptr<spdlog::logger>& lg) { lg->set_level(to_spdlog(l)); });
}

std::shared_ptr<spdlog::logger> get(const std::string& component) {
  auto& r = reg();
  std::lock_guard lock(r.mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto lg = std::make_shared<spdlog::logger>(component, r.sink);
  lg->set_pattern(pattern);
  lg->set_level(to_spdlog(r.current));
  lg->flush_on(spdlog::level::warn);
  spdlog::register_logger(lg);
  return lg;
}

void limit_lines(std::uint32_t burst, std::chrono::steady_clock::duration interval, const std::string& unlimited) {
  auto& r = reg();
  std::lock_guard lock(r.mutex);
  r.sink->set_pattern(pattern);  // it formats; loggers will set the pattern of the outer one
  r.sink = std::make_shared<limited_sink>(r.sink, burst, interval, unlimited);
  r.sink->set_pattern(pattern);
  spdlog::apply_all([&r](const std::shared_ptr<spdlog::logger>& lg) { lg->sinks() = {r.sink}; });
}

bool rate_limit::allow(std::uint64_t& suppressed, std::chrono::steady_clock::time_point now) noexcept {
  if (now - window_start_ >= interval_) {
    window_start_ = now;
    used_ = 0;
  }
  if (used_ < burst_) {
    ++used_;
    suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }
  ++suppressed_;
  return false;
}

}  // namespace usp::log

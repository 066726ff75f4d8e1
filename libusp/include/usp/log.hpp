// The one logging facade: named spdlog loggers sharing one stderr sink.
//
// Rules (STYLE.md): endpoint ids and msg_ids in every line about a record,
// payloads only at trace level, secrets never.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace usp::log {

enum class level : std::uint8_t { trace, debug, info, warn, error, off };

std::optional<level> parse_level(std::string_view name) noexcept;

// Sets the level of every logger, present and future. Safe to call again.
void set_level(level l);

// The logger for a component ("agent", "gateway.ws", ...), created on first use.
std::shared_ptr<spdlog::logger> get(const std::string& component);

// From now on at most `burst` lines per `interval` reach stderr, from all
// loggers but `unlimited` together; the next line let through says how many
// were swallowed. For processes with thousands of alike sessions (fleet
// mode), where one event can hit every session at once; `unlimited` is the
// component that speaks for all of them. Call before other threads log.
void limit_lines(std::uint32_t burst, std::chrono::steady_clock::duration interval,
                 const std::string& unlimited = {});

// Lets through at most `burst` events per `interval` and counts the rest,
// so a flood of bad input cannot flood the log.
class rate_limit {
 public:
  rate_limit(std::uint32_t burst, std::chrono::steady_clock::duration interval) noexcept
      : burst_(burst), interval_(interval) {}

  // True when this event may be logged. `suppressed` receives how many events
  // were swallowed since the last one allowed through.
  bool allow(std::uint64_t& suppressed, std::chrono::steady_clock::time_point now =
                                            std::chrono::steady_clock::now()) noexcept;

 private:
  std::uint32_t burst_;
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point window_start_{};
  std::uint32_t used_ = 0;
  std::uint64_t suppressed_ = 0;
};

}  // namespace usp::log

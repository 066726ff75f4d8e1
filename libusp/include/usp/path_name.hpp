// Device:2 Path Names as USP requests carry them (TR-369 "Path Names",
// TR-106): object, parameter, command and event paths, with instance numbers,
// `*` wildcards, search expressions / unique-key addressing in brackets
// (`[Enable==true&&Alias=="x"]`), `{i}` placeholders (supported data model)
// and reference following (`Interface+.Name`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace usp {

enum class cmp_op : std::uint8_t { eq, ne, lt, gt, le, ge };
std::string_view to_string(cmp_op op) noexcept;

struct path_condition {
  std::string param;   // relative path from the instance, e.g. "Stats.ErrorsSent"
  cmp_op op = cmp_op::eq;
  std::string value;   // unquoted; %22 / %25 already decoded
  bool quoted = false;
};

struct path_segment {
  enum class kind : std::uint8_t { name, instance, wildcard, search, placeholder };
  kind type = kind::name;
  std::string name;                        // kind::name
  std::uint32_t instance = 0;              // kind::instance
  std::vector<path_condition> conditions;  // kind::search (all must hold: &&)
  bool follow_reference = false;           // `Name+`
};

enum class path_target : std::uint8_t { object, parameter, command, event };

struct path_name {
  std::vector<path_segment> segments;
  path_target target = path_target::object;

  // True for search paths: any wildcard or search expression (R-GET.1a).
  bool is_search() const noexcept;
  // True when any segment is a `{i}` placeholder.
  bool has_placeholder() const noexcept;
  // Canonical text (objects end with '.', commands with "()", events with "!").
  std::string to_string() const;
};

// Parses a path. On failure returns nullopt and a reason in `why`.
std::optional<path_name> parse_path(std::string_view text, std::string* why = nullptr);

// True for a TR-106 name: a letter or '_' first, then letters, digits, '_' or '-'.
bool is_param_name(std::string_view s) noexcept;

}  // namespace usp

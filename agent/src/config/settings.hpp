// The phone's settings, in the vendor's text format (docs/agent-files.md).
//
//   # comment                       (lines starting with '#' or '<' are comments)
//   name<flag>: value               name = [A-Za-z0-9_]+, flag = '!', '$', '&' or none
//
// Flags, as they apply to this agent (a USP controller plays the phone user):
//   '!'  writable through USP; a controller's value is persisted in the state
//        folder and kept across restarts (the file value is only a default).
//   '$'  writable through USP; a controller's value lasts until the next start,
//        when the file's value is applied again ("overwritten on reboot").
//   '&' or none: read-only; a USP Set is refused (7013).
//
// Three layers, lowest first: the factory file (vendor defaults and controller
// 1, whose read-only entries are fixed), the user's settings file (may not
// touch a fixed entry), and the state file (values controllers set). A
// controller's `$` value is persisted too, but dropped on the next load.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "usp/err_code.hpp"

namespace usp::agent {

enum class setting_flag : std::uint8_t { read_only, keep, volatile_ };  // none/&, !, $

struct parsed_setting {
  std::string name;
  std::string value;
  setting_flag flag = setting_flag::read_only;
  int line = 0;
};

// Parses one settings text. Appends "file:line: name: message" problems for
// malformed lines (and for values a known setting cannot take, see
// validate_setting) and returns the good lines. Later lines win over earlier
// ones with the same name.
std::vector<parsed_setting> parse_settings(std::string_view text, const std::string& file,
                                           std::vector<std::string>& problems);

// Checks a value for the settings this product understands (tr369_* and
// their "2" forms); other names accept any value. Returns the problem
// ("must be on or off"), or nullopt when the value is fine.
std::optional<std::string> validate_setting(std::string_view name, std::string_view value);

// Renders settings in the same format (used for the state file).
std::string format_settings(const std::vector<parsed_setting>& settings);

struct setting_expansions {
  std::string mac;  // upper-case hex, replaces {mac}
  std::string eid;  // the agent's endpoint id, replaces {eid}
};

class settings_store {
 public:
  struct paths {
    std::string factory;  // may be empty: no factory file
    std::string user;     // may be empty
    std::string state;    // the state file; may not exist yet
  };

  // Throws usp::config_error listing every problem of every file.
  static settings_store load(const paths& p, setting_expansions x);

  // The value with {mac} and {eid} expanded; nullopt for an unknown name.
  std::optional<std::string> get(std::string_view name) const;
  // The value as stored, without expansion.
  std::optional<std::string> raw(std::string_view name) const;
  bool writable(std::string_view name) const;
  std::vector<std::string> names() const;

  struct set_result {
    usp::err_code code{};  // meaningful only when !ok
    std::string message;
    bool ok = true;
  };
  // A controller's change: refused when unknown (7026), read-only or fixed
  // (7013) or invalid (7012); else stored, persisted atomically (write a
  // temporary file, fsync, rename) and announced to listeners.
  set_result set(std::string_view name, std::string_view value);

  // A copy that neither persists nor tells listeners: set() on it says
  // whether the same set() here would be accepted (derived values may write
  // several settings), without changing anything.
  settings_store dry_run() const;

  // Drops every controller change (deletes the state file) and reloads.
  void factory_reset();

  // Reads every layer again (the phone was re-provisioned: SIGHUP) and
  // announces what changed. With a problem in any file nothing changes and
  // the problems are returned.
  std::vector<std::string> reload();

  // Called after each change that altered a value: (name, old, new).
  using listener = std::function<void(const std::string&, const std::string&, const std::string&)>;
  void on_change(listener l) { listeners_.push_back(std::move(l)); }

 private:
  struct entry {
    std::string value;
    setting_flag flag = setting_flag::read_only;
    bool fixed = false;  // read-only in the factory file
  };
  settings_store() = default;
  // Replaces the entries and tells listeners about every changed value.
  void replace(std::map<std::string, entry, std::less<>> fresh);

  paths paths_;
  setting_expansions x_;
  std::map<std::string, entry, std::less<>> entries_;
  std::map<std::string, std::string, std::less<>> changed_;  // what controllers set (persisted)
  std::vector<listener> listeners_;
};

}  // namespace usp::agent

// The supported data model: which objects, parameters, commands and events
// exist (TR-369 "Supported Data Model"). One schema is built per process and
// shared, read-only, by every phone in it (fleet mode); callbacks receive the
// phone's data_model, whose context() is the phone.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dm/value.hpp"

namespace usp::agent::dm {

class data_model;
class instance;

// Success, or a USP error code (70xx) with a message.
struct outcome {
  std::uint32_t code = 0;
  std::string message;
  bool ok() const noexcept { return code == 0; }
  static outcome error(std::uint32_t c, std::string m) { return {c, std::move(m)}; }
};

enum class param_access : std::uint8_t { read_only, read_write, write_only };
enum class object_access : std::uint8_t { read_only, add_delete, add_only, delete_only };

using getter = std::function<std::string(const data_model&, const instance&)>;
using setter = std::function<outcome(data_model&, instance&, const std::string& value)>;

struct param_def {
  std::string name;
  value_type type = value_type::string;
  param_access access = param_access::read_only;
  bool hidden = false;          // TR-181 "hidden": reads return "" (passwords)
  bool volatile_value = false;  // reported VALUE_CHANGE_WILL_IGNORE (UpTime, counters)
  std::string default_value;
  std::vector<std::string> enumeration;  // allowed values, when not empty
  // Extra validation of a canonical value: a problem, or "" when fine.
  std::function<std::string(std::string_view)> check;
  getter get;  // computed value (else the stored one)
  setter set;  // write-through (else the value is stored)
  // Refuses a new value given the instance's state (e.g. ReferenceList is
  // immutable once set); runs for controller changes only.
  std::function<outcome(const data_model&, const instance&, const std::string& value)> guard;
  std::size_t index = 0;  // position in the owning object's params

  bool writable() const noexcept { return access != param_access::read_only; }
};

struct command_result {
  outcome status;
  std::map<std::string, std::string> outputs;
};

struct command_call {
  instance* target = nullptr;
  std::string command_path;  // "Device.Reboot()"
  std::string command_key;
  std::map<std::string, std::string> inputs;
  std::string originator;    // the requesting controller's endpoint id
  // Set when Request.{i}.Cancel() ended an asynchronous command: its result
  // is no longer wanted and the work should stop.
  std::shared_ptr<const bool> canceled;
};

using command_done = std::function<void(command_result)>;
// Runs a command: synchronous ones call `done` before returning, asynchronous
// ones whenever they finish.
using command_run = std::function<void(data_model&, command_call, command_done)>;

struct command_def {
  std::string name;  // without "()"
  bool async = false;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<std::string> mandatory;  // missing -> 7027 (R-OPR.5)
  command_run run;
  // Refuses a call before it starts (bad inputs, wrong state): the error goes
  // in the OperateResp and no Request row is made.
  std::function<outcome(const data_model&, const instance&, const std::map<std::string, std::string>& inputs)> check;
};

struct event_def {
  std::string name;  // without "!"
  std::vector<std::string> args;
};

struct object_def {
  std::string name;  // "Controller"; "Device" for the root
  bool multi = false;
  object_access access = object_access::read_only;
  std::vector<std::vector<std::string>> unique_keys;
  std::deque<param_def> params;  // deque: references stay valid while building
  std::vector<std::unique_ptr<object_def>> children;
  std::vector<command_def> commands;
  std::vector<event_def> events;
  object_def* parent = nullptr;
  std::size_t index = 0;        // position in parent's children
  std::string supported_path;   // "Device.LocalAgent.Controller.{i}."
  std::size_t max_instances = 0;  // 0 = no limit
  // Hooks run when a controller adds (after its parameters are set; gets the
  // controller's endpoint id) or deletes an instance; an error refuses it.
  std::function<outcome(data_model&, instance&, const std::string& originator)> on_add;
  std::function<outcome(data_model&, instance&)> on_delete;

  const param_def* find_param(std::string_view n) const;
  const object_def* find_child(std::string_view n) const;
  const command_def* find_command(std::string_view n) const;
  const event_def* find_event(std::string_view n) const;
  param_def& add_param(std::string n, value_type t, param_access a = param_access::read_only);
  object_def& add_child(std::string n, bool is_multi);

 private:
  std::unordered_map<std::string, std::size_t> param_index_;
  std::unordered_map<std::string, std::size_t> child_index_;
};

class schema {
 public:
  schema();
  object_def& root() noexcept { return *root_; }
  const object_def& root() const noexcept { return *root_; }

  // The object at a supported path such as "Device.LocalAgent.Controller.{i}.",
  // created with its parents when missing; a name followed by "{i}" is a
  // table. Instance numbers are accepted in place of "{i}" (param_map paths).
  object_def& object(std::string_view supported_path);
  const object_def* find(std::string_view supported_path) const;
  // Every object, depth first (for GetSupportedDM).
  void for_each(const std::function<void(const object_def&)>& f) const;

 private:
  std::unique_ptr<object_def> root_;
};

// "Device.LocalAgent.Controller.2.MTP.1." -> "Device.LocalAgent.Controller.{i}.MTP.{i}."
std::string supported_form(std::string_view instance_path);

}  // namespace usp::agent::dm

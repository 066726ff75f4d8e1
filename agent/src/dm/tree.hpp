// The instantiated data model of one phone: object instances and parameter
// values over a shared schema (TR-369 "Instantiated Data Model").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dm/schema.hpp"

namespace usp::agent::dm {

// Where a bound parameter's value lives (a setting, a derived value...).
// Shared and immutable: one per bound parameter of the process's schema.
class value_source {
 public:
  virtual ~value_source() = default;
  virtual std::string get(const data_model& dm) const = 0;
  virtual outcome set(data_model& dm, const std::string& value) const = 0;
  virtual bool writable(const data_model& dm) const = 0;
  // Whether set() would take `value` (already of the parameter's type),
  // without changing anything: what the value's home refuses (a setting's
  // own rules) is then refused before any change of a request is made.
  virtual outcome check(const data_model&, const std::string&) const { return {}; }
};

// The phone behind a data model; schema callbacks cast it back.
class model_context {
 public:
  virtual ~model_context() = default;
};

class instance {
 public:
  const object_def& def() const noexcept { return *def_; }
  instance* parent() const noexcept { return parent_; }
  std::uint32_t number() const noexcept { return number_; }  // 0 for single-instance objects
  const std::string& path() const noexcept { return path_; }  // "Device.LocalAgent.Controller.2."
  bool fixed() const noexcept { return fixed_; }              // made by the agent, not by a controller

  // The single-instance child `child` (a def among def().children).
  instance* child(const object_def& child) const;
  // The rows of table `child`, by instance number.
  const std::map<std::uint32_t, std::unique_ptr<instance>>* rows(const object_def& child) const;

 private:
  friend class data_model;
  struct slot {
    std::unique_ptr<instance> single;
    std::map<std::uint32_t, std::unique_ptr<instance>> rows;
    std::uint32_t next_number = 1;
  };
  const object_def* def_ = nullptr;
  instance* parent_ = nullptr;
  std::uint32_t number_ = 0;
  bool fixed_ = false;
  bool pending_ = false;  // added, not yet announced by created()
  std::string path_;
  // By param index: the stored value, or for bound and computed parameters
  // the last value announced (so refresh() reports real changes only).
  std::vector<std::string> values_;
  std::vector<const value_source*> sources_;   // by param index; empty when nothing is bound
  std::vector<slot> children_;                 // by child index
};

enum class change_origin : std::uint8_t {
  controller,  // a USP Set or Add: writability and unique keys are enforced
  agent,       // the phone itself
};

class data_model {
 public:
  data_model(std::shared_ptr<const schema> s, model_context& ctx);
  data_model(const data_model&) = delete;
  data_model& operator=(const data_model&) = delete;

  const schema& supported() const noexcept { return *schema_; }
  model_context& context() const noexcept { return *ctx_; }
  instance& root() noexcept { return *root_; }
  const instance& root() const noexcept { return *root_; }

  // ---- instances -----------------------------------------------------------
  // The instance at an exact path ("Device.LocalAgent.Controller.2."), or null.
  instance* find(std::string_view instance_path) const;
  // Creates the instance (and its parents) with the numbers in the path,
  // marked fixed; returns the existing one when present. Throws
  // std::invalid_argument when the path does not fit the schema.
  instance& ensure(std::string_view instance_path);

  struct added {
    instance* inst = nullptr;
    outcome status;
  };
  // A new row in `table` under `parent`. `number` 0 picks the next free one.
  // Controllers get on_add and max_instances checks; the caller sets
  // parameters and then calls created() to announce it.
  added add(instance& parent, const object_def& table, std::uint32_t number = 0,
            change_origin origin = change_origin::agent);
  // A controller's row brought back from the state folder after a reboot:
  // its old number, not fixed, no checks and no announcement.
  instance* restore(instance& parent, const object_def& table, std::uint32_t number);
  // Announces a new instance (ObjectCreation) once its parameters are set.
  // Until then changes to it are not announced as ValueChange.
  void created(instance& inst);
  // Deletes `inst` and everything below it. Controllers may not delete fixed
  // instances (7024) and get the on_delete hook.
  outcome remove(instance& inst, change_origin origin);
  // Whether remove() would succeed for a controller, without deleting.
  outcome can_remove(const instance& inst) const;
  // Drops an instance that was never announced (an Add that failed).
  void discard(instance& inst);

  // ---- values --------------------------------------------------------------
  void bind(instance& inst, const param_def& p, const value_source* src);
  std::string get(const instance& inst, const param_def& p) const;
  bool writable(const instance& inst, const param_def& p) const;
  // True when a value source (param_map binding) holds this value.
  bool bound(const instance& inst, const param_def& p) const noexcept {
    return p.index < inst.sources_.size() && inst.sources_[p.index] != nullptr;
  }
  // Validates (type, enumeration, check, unique keys), then stores or writes
  // through. A controller may only change writable parameters (7013).
  outcome set(instance& inst, const param_def& p, std::string_view value, change_origin origin);
  // The checks of set() without the change; `canonical` gets the value as it
  // would be stored. For controllers this includes the bound source's check.
  outcome validate(const instance& inst, const param_def& p, std::string_view value, change_origin origin,
                   std::string* canonical = nullptr) const;
  // The unique-key check of set() for every key of `inst` as it stands now
  // (for keys the agent completes, such as a Subscription's Recipient).
  outcome check_unique_keys(const instance& inst) const;
  // Reports a change the model made behind the data model's back (a bound
  // setting changed): announces ValueChange when the value differs from the
  // last one announced.
  void refresh(instance& inst, const param_def& p);

  // The parameter `relative` ("Stats.ErrorsSent") below `inst`, through
  // single-instance children; null when there is none.
  std::pair<const instance*, const param_def*> relative_param(const instance& inst, std::string_view relative) const;

  // ---- observers -----------------------------------------------------------
  std::function<void(const instance&, const param_def&, const std::string& value)> on_value_change;
  std::function<void(const instance&)> on_object_created;
  std::function<void(const std::string& path)> on_object_deleted;

  // Walks every instance (parents before children).
  void for_each(const std::function<void(const instance&)>& f) const;

 private:
  std::unique_ptr<instance> make(const object_def& def, instance* parent, std::uint32_t number, bool fixed);
  outcome check_unique(const instance& inst, const param_def& p, std::string_view value) const;
  void announce(const instance& inst, const param_def& p, const std::string& value);

  std::shared_ptr<const schema> schema_;
  model_context* ctx_;
  std::unique_ptr<instance> root_;
};

}  // namespace usp::agent::dm

#include "dm/tree.hpp"

#include <charconv>
#include <stdexcept>

#include "usp/err_code.hpp"
#include "usp/strings.hpp"

namespace usp::agent::dm {

namespace {
constexpr std::uint32_t code(usp::err_code c) { return usp::value(c); }

bool is_number(std::string_view s, std::uint32_t& n) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size() && n > 0;
}
}  // namespace

instance* instance::child(const object_def& c) const {
  if (c.index >= children_.size()) return nullptr;
  return children_[c.index].single.get();
}

const std::map<std::uint32_t, std::unique_ptr<instance>>* instance::rows(const object_def& c) const {
  if (c.index >= children_.size() || !c.multi) return nullptr;
  return &children_[c.index].rows;
}

data_model::data_model(std::shared_ptr<const schema> s, model_context& ctx) : schema_(std::move(s)), ctx_(&ctx) {
  root_ = make(schema_->root(), nullptr, 0, true);
}

std::unique_ptr<instance> data_model::make(const object_def& def, instance* parent, std::uint32_t number, bool fixed) {
  auto inst = std::make_unique<instance>();
  inst->def_ = &def;
  inst->parent_ = parent;
  inst->number_ = number;
  inst->fixed_ = fixed;
  inst->path_ = parent ? parent->path_ + def.name + "." : "Device.";
  if (number > 0) inst->path_ += std::to_string(number) + ".";
  inst->values_.reserve(def.params.size());
  for (const auto& p : def.params) inst->values_.push_back(p.get ? std::string() : p.default_value);
  inst->children_.resize(def.children.size());
  // Single-instance children exist whenever their parent does.
  for (const auto& c : def.children) {
    if (!c->multi) inst->children_[c->index].single = make(*c, inst.get(), 0, true);
  }
  return inst;
}

instance* data_model::find(std::string_view path) const {
  auto parts = split(path, '.');
  if (parts.size() < 2 || parts.front() != "Device" || !parts.back().empty()) return nullptr;
  parts.pop_back();
  instance* cur = root_.get();
  for (std::size_t i = 1; i < parts.size() && cur; ++i) {
    const auto* def = cur->def_->find_child(parts[i]);
    if (!def) return nullptr;
    const auto& slot = cur->children_[def->index];
    if (!def->multi) {
      cur = slot.single.get();
      continue;
    }
    std::uint32_t n = 0;
    if (i + 1 >= parts.size() || !is_number(parts[i + 1], n)) return nullptr;
    const auto it = slot.rows.find(n);
    cur = it == slot.rows.end() ? nullptr : it->second.get();
    ++i;
  }
  return cur;
}

instance& data_model::ensure(std::string_view path) {
  auto parts = split(path, '.');
  if (parts.size() < 2 || parts.front() != "Device" || !parts.back().empty()) {
    throw std::invalid_argument("not an instance path: " + std::string(path));
  }
  parts.pop_back();
  instance* cur = root_.get();
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto* def = cur->def_->find_child(parts[i]);
    if (!def) throw std::invalid_argument("no object " + std::string(parts[i]) + " in " + cur->path_);
    auto& slot = cur->children_[def->index];
    if (!def->multi) {
      cur = slot.single.get();
      continue;
    }
    std::uint32_t n = 0;
    if (i + 1 >= parts.size() || !is_number(parts[i + 1], n)) {
      throw std::invalid_argument(cur->path_ + def->name + " needs an instance number");
    }
    ++i;
    auto it = slot.rows.find(n);
    if (it == slot.rows.end()) {
      it = slot.rows.emplace(n, make(*def, cur, n, true)).first;
      if (n >= slot.next_number) slot.next_number = n + 1;
    }
    cur = it->second.get();
  }
  return *cur;
}

data_model::added data_model::add(instance& parent, const object_def& table, std::uint32_t number,
                                  change_origin origin) {
  added out;
  if (!table.multi || table.parent != parent.def_) {
    out.status = outcome::error(code(usp::err_code::not_a_table), parent.path_ + table.name + ". is not a table");
    return out;
  }
  auto& slot = parent.children_[table.index];
  if (origin == change_origin::controller) {
    if (table.access != object_access::add_delete && table.access != object_access::add_only) {
      out.status = outcome::error(code(usp::err_code::object_not_creatable),
                                  table.supported_path + " does not take new instances");
      return out;
    }
    if (table.max_instances > 0 && slot.rows.size() >= table.max_instances) {
      out.status = outcome::error(code(usp::err_code::resources_exceeded),
                                  "at most " + std::to_string(table.max_instances) + " instances of " +
                                      table.supported_path);
      return out;
    }
  }
  if (number == 0) number = slot.next_number;
  if (slot.rows.count(number) > 0) {
    out.status = outcome::error(code(usp::err_code::object_not_created), "instance number in use");
    return out;
  }
  slot.next_number = std::max(slot.next_number, number + 1);  // R-ARC.8: never reuse
  auto it = slot.rows.emplace(number, make(table, &parent, number, origin == change_origin::agent)).first;
  out.inst = it->second.get();
  out.inst->pending_ = true;
  return out;
}

instance* data_model::restore(instance& parent, const object_def& table, std::uint32_t number) {
  if (!table.multi || table.parent != parent.def_ || number == 0) return nullptr;
  auto& slot = parent.children_[table.index];
  if (auto it = slot.rows.find(number); it != slot.rows.end()) return it->second.get();
  slot.next_number = std::max(slot.next_number, number + 1);
  return slot.rows.emplace(number, make(table, &parent, number, false)).first->second.get();
}

void data_model::created(instance& inst) {
  inst.pending_ = false;
  if (on_object_created) on_object_created(inst);
}

outcome data_model::can_remove(const instance& inst) const {
  if (!inst.def_->multi || !inst.parent_) {
    return outcome::error(code(usp::err_code::not_a_table), inst.path_ + " is not a table row");
  }
  const auto acc = inst.def_->access;
  if (acc != object_access::add_delete && acc != object_access::delete_only) {
    return outcome::error(code(usp::err_code::delete_failure), inst.def_->supported_path + " rows cannot be deleted");
  }
  if (inst.fixed_) {
    return outcome::error(code(usp::err_code::delete_failure), inst.path_ + " belongs to the phone's configuration");
  }
  return {};
}

outcome data_model::remove(instance& inst, change_origin origin) {
  if (!inst.def_->multi || !inst.parent_) {
    return outcome::error(code(usp::err_code::not_a_table), inst.path_ + " is not a table row");
  }
  if (origin == change_origin::controller) {
    if (auto r = can_remove(inst); !r.ok()) return r;
    if (inst.def_->on_delete) {
      if (auto r = inst.def_->on_delete(*this, inst); !r.ok()) return r;
    }
  }
  const std::string path = inst.path_;
  discard(inst);
  if (on_object_deleted) on_object_deleted(path);
  return {};
}

void data_model::discard(instance& inst) {
  if (!inst.parent_ || !inst.def_->multi) return;
  inst.parent_->children_[inst.def_->index].rows.erase(inst.number_);  // destroys `inst`
}

void data_model::bind(instance& inst, const param_def& p, const value_source* src) {
  if (inst.sources_.size() < inst.def_->params.size()) inst.sources_.resize(inst.def_->params.size(), nullptr);
  inst.sources_[p.index] = src;
  inst.values_[p.index] = src ? src->get(*this) : p.default_value;
}

std::string data_model::get(const instance& inst, const param_def& p) const {
  if (p.index < inst.sources_.size() && inst.sources_[p.index]) return inst.sources_[p.index]->get(*this);
  if (p.get) return p.get(*this, inst);
  return inst.values_[p.index];
}

bool data_model::writable(const instance& inst, const param_def& p) const {
  if (p.index < inst.sources_.size() && inst.sources_[p.index]) return inst.sources_[p.index]->writable(*this);
  return p.writable();
}

outcome data_model::check_unique(const instance& inst, const param_def& p, std::string_view value) const {
  if (!inst.parent_ || !inst.def_->multi) return {};
  for (const auto& key : inst.def_->unique_keys) {
    bool involved = false;
    for (const auto& k : key) involved = involved || k == p.name;
    if (!involved) continue;
    for (const auto& [n, other] : inst.parent_->children_[inst.def_->index].rows) {
      if (other.get() == &inst) continue;
      bool same = true;
      for (const auto& k : key) {
        const auto* kp = inst.def_->find_param(k);
        const std::string mine = kp == &p ? std::string(value) : get(inst, *kp);
        same = same && !mine.empty() && mine == get(*other, *kp);
      }
      if (same) {
        return outcome::error(code(usp::err_code::object_exists_duplicate_key),
                              other->path_ + " already has this unique key");
      }
    }
  }
  return {};
}

outcome data_model::validate(const instance& inst, const param_def& p, std::string_view value, change_origin origin,
                             std::string* canonical_out) const {
  if (origin == change_origin::controller && !writable(inst, p)) {
    return outcome::error(code(usp::err_code::param_read_only), inst.path_ + p.name + " is read-only");
  }
  std::string why;
  auto canon = canonical(p.type, value, &why);
  if (!canon) return outcome::error(code(usp::err_code::invalid_type), p.name + " " + why);
  if (!p.enumeration.empty()) {
    bool listed = false;
    for (const auto& e : p.enumeration) listed = listed || e == *canon;
    if (!listed) return outcome::error(code(usp::err_code::invalid_value), p.name + ": '" + *canon + "' is not allowed");
  }
  if (p.check) {
    if (auto problem = p.check(*canon); !problem.empty()) {
      return outcome::error(code(usp::err_code::invalid_value), p.name + " " + problem);
    }
  }
  if (origin == change_origin::controller) {
    if (p.guard) {
      if (auto g = p.guard(*this, inst, *canon); !g.ok()) return g;
    }
    if (auto u = check_unique(inst, p, *canon); !u.ok()) return u;
    // A setting's own rules (no spaces at the ends, derived values that
    // cannot be written back): Set validates before it changes anything (R-SET.1).
    const value_source* src = p.index < inst.sources_.size() ? inst.sources_[p.index] : nullptr;
    if (src) {
      if (auto c = src->check(*this, *canon); !c.ok()) return c;
    }
  }
  if (canonical_out) *canonical_out = std::move(*canon);
  return {};
}

outcome data_model::set(instance& inst, const param_def& p, std::string_view value, change_origin origin) {
  std::string canon;
  if (auto v = validate(inst, p, value, origin, &canon); !v.ok()) return v;
  const value_source* src = p.index < inst.sources_.size() ? inst.sources_[p.index] : nullptr;
  if (src || p.set) {
    if (auto r = src ? src->set(*this, canon) : p.set(*this, inst, canon); !r.ok()) return r;
    refresh(inst, p);
    return {};
  }
  if (inst.values_[p.index] == canon) return {};
  inst.values_[p.index] = std::move(canon);
  announce(inst, p, inst.values_[p.index]);
  return {};
}

void data_model::refresh(instance& inst, const param_def& p) {
  const auto now = get(inst, p);
  auto& last = inst.values_[p.index];
  if (now == last) return;
  last = now;
  announce(inst, p, now);
}

outcome data_model::check_unique_keys(const instance& inst) const {
  for (const auto& key : inst.def_->unique_keys) {
    if (const auto* p = inst.def_->find_param(key.front())) {
      if (auto u = check_unique(inst, *p, get(inst, *p)); !u.ok()) return u;
    }
  }
  return {};
}

void data_model::announce(const instance& inst, const param_def& p, const std::string& value) {
  // A row an Add is still filling in is announced whole by ObjectCreation,
  // not by ValueChanges of its first values; if the Add fails it leaves no
  // trace (R-ADD.2a).
  for (const instance* i = &inst; i; i = i->parent_) {
    if (i->pending_) return;
  }
  if (on_value_change && !p.volatile_value) on_value_change(inst, p, value);
}

std::pair<const instance*, const param_def*> data_model::relative_param(const instance& inst,
                                                                         std::string_view relative) const {
  const instance* cur = &inst;
  auto parts = split(relative, '.');
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const auto* c = cur->def_->find_child(parts[i]);
    if (!c || c->multi) return {nullptr, nullptr};
    cur = cur->child(*c);
    if (!cur) return {nullptr, nullptr};
  }
  const auto* p = cur->def_->find_param(parts.back());
  return p ? std::make_pair(cur, p) : std::make_pair(static_cast<const instance*>(nullptr), p);
}

void data_model::for_each(const std::function<void(const instance&)>& f) const {
  std::function<void(const instance&)> walk = [&](const instance& i) {
    f(i);
    for (const auto& slot : i.children_) {
      if (slot.single) walk(*slot.single);
      for (const auto& [n, row] : slot.rows) walk(*row);
    }
  };
  walk(*root_);
}

}  // namespace usp::agent::dm

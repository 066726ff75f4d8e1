#include "dm/schema.hpp"

#include <stdexcept>

#include "usp/strings.hpp"

namespace usp::agent::dm {

const param_def* object_def::find_param(std::string_view n) const {
  const auto it = param_index_.find(std::string(n));
  return it == param_index_.end() ? nullptr : &params[it->second];
}

const object_def* object_def::find_child(std::string_view n) const {
  const auto it = child_index_.find(std::string(n));
  return it == child_index_.end() ? nullptr : children[it->second].get();
}

const command_def* object_def::find_command(std::string_view n) const {
  for (const auto& c : commands) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

const event_def* object_def::find_event(std::string_view n) const {
  for (const auto& e : events) {
    if (e.name == n) return &e;
  }
  return nullptr;
}

param_def& object_def::add_param(std::string n, value_type t, param_access a) {
  if (const auto it = param_index_.find(n); it != param_index_.end()) {
    auto& existing = params[it->second];
    existing.type = t;
    existing.access = a;
    return existing;
  }
  param_index_.emplace(n, params.size());
  auto& p = params.emplace_back();
  p.name = std::move(n);
  p.type = t;
  p.access = a;
  p.index = params.size() - 1;
  return p;
}

object_def& object_def::add_child(std::string n, bool is_multi) {
  if (const auto it = child_index_.find(n); it != child_index_.end()) {
    auto& existing = *children[it->second];
    existing.multi = existing.multi || is_multi;
    return existing;
  }
  auto child = std::make_unique<object_def>();
  child->name = n;
  child->multi = is_multi;
  child->parent = this;
  child->index = children.size();
  child->supported_path = supported_path + n + (is_multi ? ".{i}." : ".");
  child_index_.emplace(std::move(n), children.size());
  children.push_back(std::move(child));
  return *children.back();
}

schema::schema() : root_(std::make_unique<object_def>()) {
  root_->name = "Device";
  root_->supported_path = "Device.";
}

namespace {
bool is_instance_token(std::string_view s) {
  if (s == "{i}") return true;
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}
}  // namespace

object_def& schema::object(std::string_view supported_path) {
  auto parts = split(supported_path, '.');
  if (parts.size() < 2 || parts.front() != "Device" || !parts.back().empty()) {
    throw std::invalid_argument("not an object path: " + std::string(supported_path));
  }
  parts.pop_back();
  object_def* cur = root_.get();
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (is_instance_token(parts[i])) continue;
    const bool multi = i + 1 < parts.size() && is_instance_token(parts[i + 1]);
    auto& child = cur->add_child(std::string(parts[i]), multi);
    if (multi && !child.supported_path.ends_with("{i}.")) {
      // A name first seen as single-instance and now followed by {i}.
      child.supported_path = cur->supported_path + child.name + ".{i}.";
    }
    cur = &child;
  }
  return *cur;
}

const object_def* schema::find(std::string_view supported_path) const {
  auto parts = split(supported_path, '.');
  if (parts.size() < 2 || parts.front() != "Device") return nullptr;
  if (parts.back().empty()) parts.pop_back();
  const object_def* cur = root_.get();
  for (std::size_t i = 1; i < parts.size() && cur; ++i) {
    if (is_instance_token(parts[i])) {
      if (!cur->multi) return nullptr;
      continue;
    }
    cur = cur->find_child(parts[i]);
  }
  return cur;
}

void schema::for_each(const std::function<void(const object_def&)>& f) const {
  std::function<void(const object_def&)> walk = [&](const object_def& o) {
    f(o);
    for (const auto& c : o.children) walk(*c);
  };
  walk(*root_);
}

std::string supported_form(std::string_view instance_path) {
  std::string out;
  for (auto part : split(instance_path, '.')) {
    if (is_instance_token(part)) {
      out += "{i}";
    } else {
      out.append(part);
    }
    out += '.';
  }
  if (!out.empty()) out.pop_back();  // split gives one more part than dots
  return out;
}

}  // namespace usp::agent::dm

#include "model/phone_schema.hpp"

#include <charconv>

#include "dm/tree.hpp"
#include "model/services.hpp"

namespace usp::agent {

dm::param_def& read_only(dm::object_def& o, std::string name, dm::value_type t, std::string def) {
  auto& p = o.add_param(std::move(name), t, dm::param_access::read_only);
  p.default_value = std::move(def);
  return p;
}

dm::param_def& read_write(dm::object_def& o, std::string name, dm::value_type t, std::string def) {
  auto& p = o.add_param(std::move(name), t, dm::param_access::read_write);
  p.default_value = std::move(def);
  return p;
}

std::function<std::string(std::string_view)> in_range(std::uint64_t lo, std::uint64_t hi) {
  return [lo, hi](std::string_view v) -> std::string {
    std::uint64_t n = 0;
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size() || n < lo || n > hi) {
      return "must be in " + std::to_string(lo) + ".." + std::to_string(hi);
    }
    return {};
  };
}

void add_entry_counters(dm::schema& s) {
  std::vector<dm::object_def*> owners;
  std::function<void(dm::object_def&)> walk = [&](dm::object_def& o) {
    owners.push_back(&o);
    for (auto& c : o.children) walk(*c);
  };
  walk(s.root());
  for (auto* o : owners) {
    for (const auto& c : o->children) {
      if (!c->multi) continue;
      const std::string name = c->name + "NumberOfEntries";
      if (o->find_param(name)) continue;
      const dm::object_def* table = c.get();
      auto& p = read_only(*o, name, dm::value_type::unsigned_int, "0");
      p.get = [table](const dm::data_model&, const dm::instance& inst) {
        const auto* rows = inst.rows(*table);
        return std::to_string(rows ? rows->size() : 0);
      };
    }
  }
}

std::shared_ptr<dm::schema> build_builtin_schema() {
  auto s = std::make_shared<dm::schema>();
  define_device(*s);
  define_local_agent(*s);
  define_mqtt(*s);
  define_vendor(*s);
  define_firmware(*s);
  return s;
}

}  // namespace usp::agent

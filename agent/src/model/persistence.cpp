#include "model/persistence.hpp"

#include "usp/strings.hpp"

namespace usp::agent {

namespace {

bool keeps_rows(const dm::data_model& dm, const dm::instance& row) {
  const auto& def = row.def();
  if (!def.multi || row.fixed()) return false;
  if (def.access != dm::object_access::add_delete && def.access != dm::object_access::add_only) return false;
  if (const auto* persistent = def.find_param("Persistent")) return dm.get(row, *persistent) == "true";
  return true;
}

// A stored value (not bound: the settings keep those; not computed) that a
// controller set: every value of a controller's row, and on the phone's own
// objects the writable ones that differ from their default.
bool keeps_value(const dm::data_model& dm, const dm::instance& inst, const dm::param_def& p) {
  if (p.get || p.set || dm.bound(inst, p)) return false;
  if (inst.def().multi && !inst.fixed()) return true;
  return p.writable() && dm.get(inst, p) != p.default_value;
}

std::string encode(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '%') out += "%25";
    else if (c == '\n') out += "%0A";
    else if (c == '\r') out += "%0D";
    else out += c;
  }
  return out;
}

bool under_kept_rows(const dm::data_model& dm, const dm::instance* inst) {
  for (; inst; inst = inst->parent()) {
    if (inst->def().multi && !inst->fixed() && !keeps_rows(dm, *inst)) return false;
  }
  return true;
}

}  // namespace

std::string serialize_state(const dm::data_model& dm) {
  std::string out = "# Written by usp-agent: data model values and rows controllers configured.\n";
  dm.for_each([&](const dm::instance& inst) {
    if (!under_kept_rows(dm, &inst)) return;
    if (inst.def().multi && !inst.fixed()) out += "row " + inst.path() + "\n";
    for (const auto& p : inst.def().params) {
      if (keeps_value(dm, inst, p)) out += inst.path() + p.name + "=" + encode(dm.get(inst, p)) + "\n";
    }
  });
  return out;
}

void restore_state(dm::data_model& dm, std::string_view text, std::vector<std::string>& problems) {
  int line_no = 0;
  for (auto line : split(text, '\n')) {
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const auto where = "line " + std::to_string(line_no) + ": ";
    if (line.starts_with("row ")) {
      const auto path = std::string(line.substr(4));
      // "...Table.N." -> parent "...", table name, number.
      const auto trimmed = path.substr(0, path.size() - 1);
      const auto number_dot = trimmed.rfind('.');
      const auto name_dot = trimmed.rfind('.', number_dot - 1);
      if (number_dot == std::string::npos || name_dot == std::string::npos) {
        problems.push_back(where + "malformed row " + path);
        continue;
      }
      auto* parent = dm.find(trimmed.substr(0, name_dot + 1));
      const auto* table = parent ? parent->def().find_child(trimmed.substr(name_dot + 1, number_dot - name_dot - 1)) : nullptr;
      std::uint32_t number = 0;
      try {
        number = static_cast<std::uint32_t>(std::stoul(trimmed.substr(number_dot + 1)));
      } catch (const std::exception&) {
      }
      if (!table || !dm.restore(*parent, *table, number)) problems.push_back(where + "no place for row " + path);
      continue;
    }
    const auto eq = line.find('=');
    const auto path = std::string(line.substr(0, eq));
    const auto dot = path.rfind('.');
    auto* inst = eq == std::string_view::npos || dot == std::string::npos ? nullptr : dm.find(path.substr(0, dot + 1));
    const auto* p = inst ? inst->def().find_param(path.substr(dot + 1)) : nullptr;
    if (!p) {
      problems.push_back(where + "no parameter " + path);
      continue;
    }
    const auto value = percent_decode(line.substr(eq + 1));
    if (!value || !dm.set(*inst, *p, *value, dm::change_origin::agent).ok()) {
      problems.push_back(where + "bad value for " + path);
    }
  }
}

}  // namespace usp::agent

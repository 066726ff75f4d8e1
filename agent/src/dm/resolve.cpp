#include "dm/resolve.hpp"

#include "usp/err_code.hpp"

namespace usp::agent::dm {
namespace {

bool matches(const data_model& dm, const instance& row, const std::vector<path_condition>& conds, resolved& r) {
  for (const auto& c : conds) {
    const auto [owner, p] = dm.relative_param(row, c.param);
    if (!owner || !p) {
      if (r.ok()) {
        r.err_code = usp::value(usp::err_code::invalid_path);
        r.err_msg = "no parameter " + c.param + " in " + row.def().supported_path;
      }
      return false;
    }
    const auto ok = compare(p->type, c.op, dm.get(*owner, *p), c.value);
    if (!ok) {
      if (r.ok() && !compare(p->type, cmp_op::eq, c.value, c.value)) {
        r.err_code = usp::value(usp::err_code::invalid_path_syntax);
        r.err_msg = "'" + c.value + "' is not a " + std::string(to_string(p->type)) + " for " + c.param;
      } else if (r.ok() && (c.op != cmp_op::eq && c.op != cmp_op::ne)) {
        r.err_code = usp::value(usp::err_code::invalid_path_syntax);
        r.err_msg = "only == and != apply to " + std::string(to_string(p->type)) + " parameter " + c.param;
      }
      return false;
    }
    if (!*ok) return false;
  }
  return true;
}

}  // namespace

resolved resolve(data_model& dm, const path_name& path) {
  resolved r;
  r.target = path.target;
  r.search = path.is_search();
  const auto& segs = path.segments;
  if (segs.empty() || segs.front().type != path_segment::kind::name || segs.front().name != "Device") {
    r.err_code = usp::value(usp::err_code::invalid_path);
    r.err_msg = "paths start with Device.";
    return r;
  }
  // The last segment of a parameter, command or event path is not an object.
  const std::size_t object_segments = path.target == path_target::object ? segs.size() : segs.size() - 1;
  std::vector<instance*> current{&dm.root()};
  const object_def* def = &dm.supported().root();

  for (std::size_t i = 1; i < object_segments; ++i) {
    const auto& seg = segs[i];
    if (seg.type != path_segment::kind::name || seg.follow_reference) {
      r.err_code = usp::value(usp::err_code::invalid_path);
      r.err_msg = seg.follow_reference ? "reference following is not supported" : "unexpected instance in path";
      return r;
    }
    const auto* child = def->find_child(seg.name);
    if (!child) {
      r.err_code = usp::value(usp::err_code::invalid_path);  // R-GET.0
      r.err_msg = def->supported_path + seg.name + " is not in the supported data model";
      return r;
    }
    std::vector<instance*> next;
    if (!child->multi) {
      for (auto* inst : current) {
        if (auto* c = inst->child(*child)) next.push_back(c);
      }
    } else if (i + 1 >= object_segments) {
      if (path.target != path_target::object) {
        r.err_code = usp::value(usp::err_code::invalid_path);
        r.err_msg = child->supported_path + " needs an instance number, * or a search expression";
        return r;
      }
      // The path ends at the table: every row matches.
      if (current.size() == 1) {
        r.table = child;
        r.table_owner = current.front();
      }
      for (auto* inst : current) {
        for (const auto& [n, row] : *inst->rows(*child)) next.push_back(row.get());
      }
    } else {
      const auto& sel = segs[++i];
      for (auto* inst : current) {
        const auto* rows = inst->rows(*child);
        switch (sel.type) {
          case path_segment::kind::instance:
            if (auto it = rows->find(sel.instance); it != rows->end()) next.push_back(it->second.get());
            break;
          case path_segment::kind::wildcard:
            for (const auto& [n, row] : *rows) next.push_back(row.get());
            break;
          case path_segment::kind::search:
            for (const auto& [n, row] : *rows) {
              if (matches(dm, *row, sel.conditions, r)) next.push_back(row.get());
              if (!r.ok()) return r;
            }
            break;
          default:
            r.err_code = usp::value(usp::err_code::invalid_path);
            r.err_msg = "{i} is only for the supported data model";
            return r;
        }
      }
    }
    current = std::move(next);
    def = child;
  }

  const auto& last = segs.back();
  switch (path.target) {
    case path_target::object: r.objects = std::move(current); break;
    case path_target::parameter: {
      const auto* p = def->find_param(last.name);
      if (!p) {
        r.err_code = usp::value(usp::err_code::invalid_path);
        r.err_msg = def->supported_path + last.name + " is not in the supported data model";
        return r;
      }
      for (auto* inst : current) r.params.emplace_back(inst, p);
      break;
    }
    case path_target::command:
      r.command = def->find_command(last.name);
      if (!r.command) {
        r.err_code = usp::value(usp::err_code::invalid_path);
        r.err_msg = def->supported_path + last.name + "() is not a supported command";
        return r;
      }
      r.objects = std::move(current);
      break;
    case path_target::event:
      r.event = def->find_event(last.name);
      if (!r.event) {
        r.err_code = usp::value(usp::err_code::invalid_path);
        r.err_msg = def->supported_path + last.name + "! is not a supported event";
        return r;
      }
      r.objects = std::move(current);
      break;
  }
  return r;
}

}  // namespace usp::agent::dm

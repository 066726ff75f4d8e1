// Set (TR-369 "Set", R-SET.0-3, R-MSG.4a).
//
// Everything is validated before anything changes, so a failed object leaves
// the data model as it was: with allow_partial=false any failed object turns
// the whole request into an Error (R-SET.1); a search path that matches
// several objects succeeds or fails as a whole (R-SET.2a).
#include <algorithm>
#include <map>
#include <vector>

#include "dm/resolve.hpp"
#include "handlers/handlers.hpp"
#include "usp/err_code.hpp"

namespace usp::agent {
namespace {

using SetResp = usp::SetResp;

struct change {
  dm::instance* inst = nullptr;
  const dm::param_def* param = nullptr;
  std::string name;   // as requested (relative)
  std::string value;  // canonical
  bool required = false;
  dm::outcome status;  // from validation
};

struct object_plan {
  std::string requested_path;
  dm::outcome path_status;      // the path itself failed (7008 / 7016 / 7026)
  bool search = false;
  std::vector<dm::instance*> instances;
  std::vector<change> changes;  // per instance, per parameter
  bool failed() const {
    if (!path_status.ok()) return true;
    for (const auto& c : changes) {
      if (c.required && !c.status.ok()) return true;
    }
    return false;
  }
};

object_plan plan(request_context& ctx, const usp::Set::UpdateObject& u) {
  object_plan p;
  p.requested_path = u.obj_path();
  std::string why;
  const auto parsed = parse_path(u.obj_path(), &why);
  if (!parsed || parsed->target != path_target::object) {
    p.path_status = dm::outcome::error(usp::value(usp::err_code::invalid_path_syntax),
                                       parsed ? u.obj_path() + " is not an object path" : why);
    return p;
  }
  p.search = parsed->is_search();
  auto r = dm::resolve(ctx.dm, *parsed);
  if (!r.ok()) {
    p.path_status = dm::outcome::error(r.err_code, r.err_msg);
    return p;
  }
  if (r.table) {
    p.path_status = dm::outcome::error(usp::value(usp::err_code::object_does_not_exist),
                                       u.obj_path() + " names a table: give an instance");
    return p;
  }
  if (r.objects.empty() && !p.search) {
    p.path_status = dm::outcome::error(usp::value(usp::err_code::object_does_not_exist), u.obj_path() + " does not exist");
    return p;
  }
  p.instances = r.objects;
  for (auto* inst : r.objects) {
    for (const auto& s : u.param_settings()) {
      change c;
      c.inst = inst;
      c.name = s.param();
      c.required = s.required();
      c.param = inst->def().find_param(s.param());
      if (!c.param) {
        c.status = dm::outcome::error(usp::value(usp::err_code::unsupported_parameter),
                                      s.param() + " is not a parameter of " + inst->def().supported_path);
      } else {
        c.status = ctx.dm.validate(*inst, *c.param, s.value(), dm::change_origin::controller, &c.value);
      }
      p.changes.push_back(std::move(c));
    }
  }
  return p;
}

// Validation saw each change against the current values only, yet two
// changes of one request may give two rows the same unique key (a search
// path setting Alias on every match, or two objects). Replays the request's
// changes in order and refuses the later of a colliding pair (7025), so the
// collision fails before anything changes (R-SET.1, R-SET.2a).
void check_keys_across(const dm::data_model& dm, std::vector<object_plan>& plans) {
  std::map<std::pair<const dm::instance*, const dm::param_def*>, std::string> earlier;
  const auto value = [&](const dm::instance& i, const dm::param_def& p) {
    const auto it = earlier.find({&i, &p});
    return it != earlier.end() ? it->second : dm.get(i, p);
  };
  for (auto& p : plans) {
    for (auto& c : p.changes) {
      if (!c.status.ok() || !c.inst->parent() || !c.inst->def().multi) continue;
      const auto& def = c.inst->def();
      for (const auto& key : def.unique_keys) {
        if (std::find(key.begin(), key.end(), c.name) == key.end()) continue;
        for (const auto& [n, other] : *c.inst->parent()->rows(def)) {
          if (other.get() == c.inst || !c.status.ok()) continue;
          bool same = true;
          for (const auto& k : key) {
            const auto* kp = def.find_param(k);
            const auto mine = kp == c.param ? c.value : value(*c.inst, *kp);
            same = same && !mine.empty() && mine == value(*other, *kp);
          }
          if (same) {
            c.status = dm::outcome::error(usp::value(usp::err_code::object_exists_duplicate_key),
                                          other->path() + " gets the same unique key in this request");
          }
        }
      }
      if (c.status.ok()) earlier[{c.inst, c.param}] = c.value;
    }
  }
}

void param_error(const change& c, SetResp::ParameterError& e) {
  e.set_param(c.name);
  e.set_err_code(c.status.code);
  e.set_err_msg(c.status.message);
}

void report_failure(const object_plan& p, SetResp::UpdatedObjectResult& out) {
  auto* f = out.mutable_oper_status()->mutable_oper_failure();
  if (!p.path_status.ok()) {
    f->set_err_code(p.path_status.code);
    f->set_err_msg(p.path_status.message);
    return;
  }
  f->set_err_code(usp::value(usp::err_code::required_param_failed));
  f->set_err_msg("a required parameter failed");
  for (auto* inst : p.instances) {
    SetResp::UpdatedInstanceFailure* fail = nullptr;
    for (const auto& c : p.changes) {
      if (c.inst != inst || c.status.ok()) continue;
      if (!fail) {
        fail = f->add_updated_inst_failures();
        fail->set_affected_path(inst->path());
      }
      param_error(c, *fail->add_param_errs());
    }
  }
}

// Applies the valid changes and reports them. A failure here (the setting
// could not be persisted) is reported like a validation failure.
void apply(request_context& ctx, object_plan& p, SetResp::UpdatedObjectResult& out) {
  auto* success = out.mutable_oper_status()->mutable_oper_success();
  for (auto* inst : p.instances) {
    auto* r = success->add_updated_inst_results();
    r->set_affected_path(inst->path());
    for (auto& c : p.changes) {
      if (c.inst != inst) continue;
      if (c.status.ok()) c.status = ctx.dm.set(*inst, *c.param, c.value, dm::change_origin::controller);
      if (!c.status.ok()) {
        param_error(c, *r->add_param_errs());
        continue;
      }
      // R-SET.3: the value after the update; hidden ones are not readable.
      (*r->mutable_updated_params())[c.name] = c.param->hidden ? std::string() : ctx.dm.get(*inst, *c.param);
    }
  }
}

}  // namespace

usp::Msg handle_set(request_context& ctx, const usp::Msg& req) {
  const auto& set = req.body().request().set();
  std::vector<object_plan> plans;
  plans.reserve(static_cast<std::size_t>(set.update_objs_size()));
  for (const auto& u : set.update_objs()) plans.push_back(plan(ctx, u));
  check_keys_across(ctx.dm, plans);

  if (!set.allow_partial()) {
    // R-SET.1: one failed (non-search) object fails the message; nothing applied.
    usp::Msg error;
    bool failed = false;
    for (const auto& p : plans) {
      if (!p.failed() || p.search) continue;
      if (!failed) error = error_to(req, usp::value(usp::err_code::invalid_arguments), "the Set failed; nothing changed");
      failed = true;
      auto* errs = error.mutable_body()->mutable_error();
      if (!p.path_status.ok()) {
        auto* pe = errs->add_param_errs();
        pe->set_param_path(p.requested_path);
        pe->set_err_code(p.path_status.code);
        pe->set_err_msg(p.path_status.message);
        continue;
      }
      for (const auto& c : p.changes) {
        if (!c.required || c.status.ok()) continue;
        auto* pe = errs->add_param_errs();
        pe->set_param_path(c.inst->path() + c.name);
        pe->set_err_code(c.status.code);
        pe->set_err_msg(c.status.message);
      }
    }
    if (failed) return error;
  }

  auto resp = response_to(req, usp::Header::SET_RESP);
  auto* out = resp.mutable_body()->mutable_response()->mutable_set_resp();
  for (auto& p : plans) {
    auto* r = out->add_updated_obj_results();
    r->set_requested_path(p.requested_path);
    if (p.failed()) {
      report_failure(p, *r);
    } else {
      apply(ctx, p, *r);  // a search matching nothing gives an empty oper_success (R-MSG.4a)
    }
  }
  return resp;
}

}  // namespace usp::agent

// Add (TR-369 "Add", R-ADD.0-6).
#include <vector>

#include "dm/resolve.hpp"
#include "handlers/handlers.hpp"
#include "usp/err_code.hpp"

namespace usp::agent {
namespace {

using AddResp = usp::AddResp;

struct param_failure {
  std::string param;  // relative
  dm::outcome status;
  bool required = false;
};

struct created {
  std::string requested_path;
  dm::outcome status;                 // the object failed
  std::string failed_param_path;      // for the Error's param_errs
  dm::instance* inst = nullptr;       // on success (not yet announced)
  std::vector<param_failure> param_errs;  // non-required failures
};

bool is_unique_key(const dm::object_def& def, const std::string& name) {
  for (const auto& key : def.unique_keys) {
    for (const auto& k : key) {
      if (k == name) return true;
    }
  }
  return false;
}

created create(request_context& ctx, const usp::Add::CreateObject& c) {
  created out;
  out.requested_path = c.obj_path();
  out.failed_param_path = c.obj_path();
  std::string why;
  const auto parsed = parse_path(c.obj_path(), &why);
  if (!parsed || parsed->target != path_target::object) {
    out.status = dm::outcome::error(usp::value(usp::err_code::invalid_path_syntax),
                                    parsed ? c.obj_path() + " is not an object path" : why);
    return out;
  }
  auto r = dm::resolve(ctx.dm, *parsed);
  if (!r.ok()) {
    out.status = dm::outcome::error(r.err_code, r.err_msg);
    return out;
  }
  if (!r.table || !r.table_owner) {
    out.status = dm::outcome::error(usp::value(usp::err_code::not_a_table), c.obj_path() + " is not a table");
    return out;
  }
  auto added = ctx.dm.add(*r.table_owner, *r.table, 0, dm::change_origin::controller);
  if (!added.status.ok()) {
    out.status = added.status;
    return out;
  }
  auto& inst = *added.inst;
  for (const auto& s : c.param_settings()) {
    const auto* p = r.table->find_param(s.param());
    dm::outcome st = p ? ctx.dm.set(inst, *p, s.value(), dm::change_origin::controller)
                       : dm::outcome::error(usp::value(usp::err_code::unsupported_parameter),
                                            s.param() + " is not a parameter of " + r.table->supported_path);
    if (st.ok()) continue;
    // Unique keys count as required whatever the request says (R-ADD.*).
    const bool required = s.required() || is_unique_key(*r.table, s.param());
    if (required) {
      out.status = dm::outcome::error(usp::value(usp::err_code::required_param_failed),
                                      s.param() + ": " + st.message);
      out.failed_param_path = r.table->supported_path + s.param();
      out.param_errs.push_back({s.param(), st, true});
      ctx.dm.discard(inst);
      return out;
    }
    out.param_errs.push_back({s.param(), st, false});
  }
  if (r.table->on_add) {
    if (auto hook = r.table->on_add(ctx.dm, inst, ctx.controller); !hook.ok()) {
      out.status = hook;
      ctx.dm.discard(inst);
      return out;
    }
  }
  // The hook may complete a unique key (a Subscription's Recipient goes
  // with its ID): the finished row must not duplicate another's (7025).
  if (auto keys = ctx.dm.check_unique_keys(inst); !keys.ok()) {
    out.status = keys;
    ctx.dm.discard(inst);
    return out;
  }
  out.inst = &inst;
  return out;
}

}  // namespace

usp::Msg handle_add(request_context& ctx, const usp::Msg& req) {
  const auto& add = req.body().request().add();
  std::vector<created> results;
  for (const auto& c : add.create_objs()) {
    results.push_back(create(ctx, c));
    if (!add.allow_partial() && !results.back().status.ok()) {
      // R-ADD.2a: the data model must not change: drop what this Add made.
      const auto& failed = results.back();
      for (auto& r : results) {
        if (r.inst) ctx.dm.discard(*r.inst);
      }
      auto error = error_to(req, usp::value(usp::err_code::invalid_arguments), "the Add failed; nothing changed");
      auto* pe = error.mutable_body()->mutable_error()->add_param_errs();
      pe->set_param_path(failed.failed_param_path);
      const auto code = failed.param_errs.empty() ? failed.status.code : failed.param_errs.back().status.code;
      pe->set_err_code(code);
      pe->set_err_msg(failed.status.message);
      return error;
    }
  }

  auto resp = response_to(req, usp::Header::ADD_RESP);
  auto* out = resp.mutable_body()->mutable_response()->mutable_add_resp();
  for (auto& r : results) {
    auto* cr = out->add_created_obj_results();
    cr->set_requested_path(r.requested_path);
    if (!r.status.ok()) {
      auto* f = cr->mutable_oper_status()->mutable_oper_failure();
      f->set_err_code(r.status.code);
      f->set_err_msg(r.status.message);
      continue;
    }
    auto* s = cr->mutable_oper_status()->mutable_oper_success();
    s->set_instantiated_path(r.inst->path());
    for (const auto& e : r.param_errs) {
      auto* pe = s->add_param_errs();
      pe->set_param(e.param);
      pe->set_err_code(e.status.code);
      pe->set_err_msg(e.status.message);
    }
    // R-ADD.5: every unique key, including those the agent assigned.
    for (const auto& key : r.inst->def().unique_keys) {
      for (const auto& k : key) {
        if (const auto* p = r.inst->def().find_param(k)) (*s->mutable_unique_keys())[k] = ctx.dm.get(*r.inst, *p);
      }
    }
    ctx.dm.created(*r.inst);  // ObjectCreation, now that it is complete
  }
  return resp;
}

}  // namespace usp::agent

// Delete (TR-369 "Delete", R-DEL.0-3).
#include <vector>

#include "dm/resolve.hpp"
#include "handlers/handlers.hpp"
#include "usp/err_code.hpp"

namespace usp::agent {
namespace {

struct removal {
  std::string requested_path;
  dm::outcome path_status;
  // By path, not pointer: an earlier entry of the same message may delete
  // a row this one matched (the same path twice, a path and a search).
  std::vector<std::string> instances;
  std::vector<std::pair<std::string, dm::outcome>> refused;  // path, why
};

removal plan(request_context& ctx, const std::string& path) {
  removal r;
  r.requested_path = path;
  std::string why;
  const auto parsed = parse_path(path, &why);
  if (!parsed || parsed->target != path_target::object) {
    r.path_status = dm::outcome::error(usp::value(usp::err_code::invalid_path_syntax),
                                       parsed ? path + " is not an object path" : why);
    return r;
  }
  auto res = dm::resolve(ctx.dm, *parsed);
  if (!res.ok()) {
    r.path_status = dm::outcome::error(res.err_code, res.err_msg);
    return r;
  }
  if (res.table) {
    r.path_status = dm::outcome::error(usp::value(usp::err_code::object_does_not_exist),
                                       path + " names a table: give the instances to delete");
    return r;
  }
  // R-DEL.2a: a valid path that matches nothing is a success.
  for (auto* inst : res.objects) {
    if (auto can = ctx.dm.can_remove(*inst); !can.ok()) {
      r.refused.emplace_back(inst->path(), can);
    } else {
      r.instances.push_back(inst->path());
    }
  }
  return r;
}

}  // namespace

usp::Msg handle_delete(request_context& ctx, const usp::Msg& req) {
  const auto& del = req.body().request().delete_();
  std::vector<removal> plans;
  for (const auto& path : del.obj_paths()) plans.push_back(plan(ctx, path));

  if (!del.allow_partial()) {
    // R-DEL.1: an invalid or non-deletable entry fails the whole message.
    usp::Msg error;
    bool failed = false;
    for (const auto& p : plans) {
      if (p.path_status.ok() && p.refused.empty()) continue;
      if (!failed) error = error_to(req, usp::value(usp::err_code::invalid_arguments), "the Delete failed; nothing changed");
      failed = true;
      auto* pe = error.mutable_body()->mutable_error()->add_param_errs();
      pe->set_param_path(p.requested_path);
      const auto& st = p.path_status.ok() ? p.refused.front().second : p.path_status;
      pe->set_err_code(st.code);
      pe->set_err_msg(st.message);
    }
    if (failed) return error;
  }

  auto resp = response_to(req, usp::Header::DELETE_RESP);
  auto* out = resp.mutable_body()->mutable_response()->mutable_delete_resp();
  for (auto& p : plans) {
    auto* r = out->add_deleted_obj_results();
    r->set_requested_path(p.requested_path);
    if (!p.path_status.ok() || (p.instances.empty() && !p.refused.empty())) {
      const auto& st = p.path_status.ok() ? p.refused.front().second : p.path_status;
      auto* f = r->mutable_oper_status()->mutable_oper_failure();
      f->set_err_code(st.code);
      f->set_err_msg(st.message);
      continue;
    }
    auto* s = r->mutable_oper_status()->mutable_oper_success();
    for (const auto& path : p.instances) {
      auto* inst = ctx.dm.find(path);
      if (!inst) continue;  // deleted by an earlier entry: nothing left here (R-DEL.2a)
      if (auto st = ctx.dm.remove(*inst, dm::change_origin::controller); st.ok()) {
        s->add_affected_paths(path);
      } else {
        p.refused.emplace_back(path, st);
      }
    }
    for (const auto& [path, st] : p.refused) {  // R-DEL.3
      auto* e = s->add_unaffected_path_errs();
      e->set_unaffected_path(path);
      e->set_err_code(st.code);
      e->set_err_msg(st.message);
    }
  }
  return resp;
}

}  // namespace usp::agent

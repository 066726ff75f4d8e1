// GetInstances (TR-369 "GetInstances").
#include "dm/resolve.hpp"
#include "handlers/handlers.hpp"
#include "usp/err_code.hpp"

namespace usp::agent {
namespace {

using GIR = usp::GetInstancesResp;

void add_instance(const dm::data_model& dm, const dm::instance& inst, GIR::RequestedPathResult& out) {
  auto* ci = out.add_curr_insts();
  ci->set_instantiated_obj_path(inst.path());
  for (const auto& key : inst.def().unique_keys) {
    for (const auto& k : key) {
      if (const auto* p = inst.def().find_param(k)) (*ci->mutable_unique_keys())[k] = dm.get(inst, *p);
    }
  }
}

// Every table row below `inst` (its own rows first), down the tree unless
// first_level_only.
void rows_below(const dm::data_model& dm, const dm::instance& inst, bool first_level_only, GIR::RequestedPathResult& out) {
  for (const auto& child : inst.def().children) {
    if (child->multi) {
      for (const auto& [n, row] : *inst.rows(*child)) {
        add_instance(dm, *row, out);
        if (!first_level_only) rows_below(dm, *row, false, out);
      }
    } else if (const auto* c = inst.child(*child); c && !first_level_only) {
      rows_below(dm, *c, false, out);
    }
  }
}

}  // namespace

usp::Msg handle_get_instances(request_context& ctx, const usp::Msg& req) {
  auto resp = response_to(req, usp::Header::GET_INSTANCES_RESP);
  auto* out = resp.mutable_body()->mutable_response()->mutable_get_instances_resp();
  const auto& gi = req.body().request().get_instances();
  for (const auto& path : gi.obj_paths()) {
    auto* r = out->add_req_path_results();
    r->set_requested_path(path);
    std::string why;
    const auto parsed = parse_path(path, &why);
    if (!parsed) {
      r->set_err_code(usp::value(usp::err_code::invalid_path_syntax));
      r->set_err_msg(why);
      continue;
    }
    if (parsed->target != path_target::object) {
      r->set_err_code(usp::value(usp::err_code::invalid_path));
      r->set_err_msg("GetInstances takes object paths");
      continue;
    }
    auto res = dm::resolve(ctx.dm, *parsed);
    if (!res.ok()) {
      r->set_err_code(res.err_code);
      r->set_err_msg(res.err_msg);
      continue;
    }
    if (res.table) {
      // "Device.LocalAgent.Subscription.": the table's rows (and below).
      for (const auto* row : res.objects) {
        add_instance(ctx.dm, *row, *r);
        if (!gi.first_level_only()) rows_below(ctx.dm, *row, false, *r);
      }
      continue;
    }
    if (res.objects.empty() && !res.search) {
      // A supported path naming an instance that is not there: 7016 "Object
      // does not exist" (GetInstances codes); 7026 is for paths outside the
      // supported data model, which resolve() reported above.
      r->set_err_code(usp::value(usp::err_code::object_does_not_exist));
      r->set_err_msg(path + " does not exist");
      continue;
    }
    bool table_rows = true;
    for (const auto* inst : res.objects) table_rows = table_rows && inst->def().multi;
    if (!table_rows) {
      r->set_err_code(usp::value(usp::err_code::not_a_table));
      r->set_err_msg(path + " is not a table or a table row");
      continue;
    }
    for (const auto* inst : res.objects) {
      add_instance(ctx.dm, *inst, *r);
      rows_below(ctx.dm, *inst, gi.first_level_only(), *r);
    }
  }
  return resp;
}

}  // namespace usp::agent

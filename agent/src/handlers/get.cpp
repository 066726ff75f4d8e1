// Get (TR-369 "Get", R-GET.0-5).
#include <map>

#include "dm/resolve.hpp"
#include "handlers/handlers.hpp"
#include "usp/err_code.hpp"

namespace usp::agent {
namespace {

using GetResp = usp::GetResp;

void add_params(const dm::data_model& dm, const dm::instance& inst, GetResp::ResolvedPathResult& out) {
  auto& params = *out.mutable_result_params();
  for (const auto& p : inst.def().params) {
    params[p.name] = p.hidden ? std::string() : dm.get(inst, p);
  }
}

// One ResolvedPathResult per object instance in the sub-tree, each with its
// own parameters. `depth` counts levels below the requested object; 0 means
// no limit (R-GET.5).
void collect(const dm::data_model& dm, const dm::instance& inst, std::uint32_t max_depth, std::uint32_t depth,
             GetResp::RequestedPathResult& out) {
  auto* r = out.add_resolved_path_results();
  r->set_resolved_path(inst.path());
  add_params(dm, inst, *r);
  if (max_depth != 0 && depth + 1 >= max_depth) return;
  for (const auto& child : inst.def().children) {
    if (!child->multi) {
      if (const auto* c = inst.child(*child)) collect(dm, *c, max_depth, depth + 1, out);
      continue;
    }
    for (const auto& [n, row] : *inst.rows(*child)) collect(dm, *row, max_depth, depth + 1, out);
  }
}

void resolve_one(request_context& ctx, const std::string& path, std::uint32_t max_depth,
                 GetResp::RequestedPathResult& out) {
  out.set_requested_path(path);
  std::string why;
  const auto parsed = parse_path(path, &why);
  if (!parsed) {
    out.set_err_code(usp::value(usp::err_code::invalid_path_syntax));
    out.set_err_msg(why);
    return;
  }
  auto r = dm::resolve(ctx.dm, *parsed);
  if (!r.ok()) {
    out.set_err_code(r.err_code);
    out.set_err_msg(r.err_msg);
    return;
  }
  if (r.command || r.event) {
    out.set_err_code(usp::value(usp::err_code::invalid_path));
    out.set_err_msg("Get reads objects and parameters, not commands or events");
    return;
  }
  if (r.empty()) {
    // R-GET.0: a plain path must match; R-GET.1a: a search may match nothing.
    if (!r.search && !r.table) {
      out.set_err_code(usp::value(usp::err_code::invalid_path));
      out.set_err_msg(path + " does not exist");
    }
    return;
  }
  if (parsed->target == path_target::object) {
    for (const auto* inst : r.objects) collect(ctx.dm, *inst, max_depth, 0, out);
    return;
  }
  // Parameters, grouped by the instance that holds them, in match order.
  std::map<const dm::instance*, GetResp::ResolvedPathResult*> by_instance;
  for (const auto& [inst, p] : r.params) {
    auto& slot = by_instance[inst];
    if (!slot) {
      slot = out.add_resolved_path_results();
      slot->set_resolved_path(inst->path());
    }
    (*slot->mutable_result_params())[p->name] = p->hidden ? std::string() : ctx.dm.get(*inst, *p);
  }
}

}  // namespace

void handle_get(request_context& ctx, const usp::Msg& req, usp::Msg& resp) {
  resp.mutable_header()->set_msg_id(req.header().msg_id());
  resp.mutable_header()->set_msg_type(usp::Header::GET_RESP);
  auto* out = resp.mutable_body()->mutable_response()->mutable_get_resp();
  const auto& get = req.body().request().get();
  for (const auto& path : get.param_paths()) resolve_one(ctx, path, get.max_depth(), *out->add_req_path_results());
}

usp::Msg handle_get(request_context& ctx, const usp::Msg& req) {
  usp::Msg resp;
  handle_get(ctx, req, resp);
  return resp;
}

}  // namespace usp::agent

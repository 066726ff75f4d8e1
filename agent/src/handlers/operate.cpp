// Operate (TR-369 "Operate", R-OPR.0-6).
#include "dm/resolve.hpp"
#include "handlers/handlers.hpp"
#include "handlers/operations.hpp"
#include "usp/err_code.hpp"

namespace usp::agent {

namespace {

using Result = usp::OperateResp::OperationResult;

void fail(Result& r, std::uint32_t code, const std::string& msg) {
  r.mutable_cmd_failure()->set_err_code(code);
  r.mutable_cmd_failure()->set_err_msg(msg);
}

// Input names from the schema may hold "{i}" for an instance number
// ("TimeWindow.{i}.Start" matches "TimeWindow.1.Start").
bool input_matches(std::string_view pattern, std::string_view name) {
  while (!pattern.empty() && !name.empty()) {
    if (pattern.starts_with("{i}")) {
      pattern.remove_prefix(3);
      std::size_t digits = 0;
      while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
      if (digits == 0 || name[0] == '0') return false;
      name.remove_prefix(digits);
      continue;
    }
    if (pattern.front() != name.front()) return false;
    pattern.remove_prefix(1);
    name.remove_prefix(1);
  }
  return pattern.empty() && name.empty();
}

bool known_input(const dm::command_def& cmd, const std::string& name) {
  for (const auto& pattern : cmd.inputs) {
    if (input_matches(pattern, name)) return true;
  }
  return false;
}

}  // namespace

std::optional<usp::Msg> handle_operate(request_context& ctx, const usp::Msg& req) {
  const auto& op = req.body().request().operate();
  std::string why;
  const auto parsed = parse_path(op.command(), &why);
  if (!parsed || parsed->target != path_target::command) {
    return error_to(req, usp::value(usp::err_code::invalid_path_syntax),
                    parsed ? op.command() + " is not a command path" : why);
  }
  auto r = dm::resolve(ctx.dm, *parsed);
  if (!r.ok()) return error_to(req, r.err_code, r.err_msg);
  if (r.objects.empty() && !r.search) {
    return error_to(req, usp::value(usp::err_code::object_does_not_exist), op.command() + ": no such object");
  }

  auto resp = response_to(req, usp::Header::OPERATE_RESP);
  auto* out = resp.mutable_body()->mutable_response()->mutable_operate_resp();
  const std::map<std::string, std::string> inputs(op.input_args().begin(), op.input_args().end());
  for (auto* target : r.objects) {
    auto* res = out->add_operation_results();
    const auto executed = target->path() + r.command->name + "()";
    res->set_executed_command(executed);
    bool missing = false;
    for (const auto& m : r.command->mandatory) {
      if (!inputs.count(m)) {
        fail(*res, usp::value(usp::err_code::invalid_command_arguments), "missing input argument " + m);  // R-OPR.5
        missing = true;
        break;
      }
    }
    if (missing) continue;
    // R-OPR.6: unknown inputs are ignored.
    std::map<std::string, std::string> known;
    for (const auto& [name, value] : inputs) {
      if (known_input(*r.command, name)) known.emplace(name, value);
    }
    if (r.command->check) {
      if (const auto refused = r.command->check(ctx.dm, *target, known); !refused.ok()) {
        fail(*res, refused.code, refused.message);
        continue;
      }
    }
    if (r.command->async) {
      auto request = ctx.ops->start(ctx.controller, *target, *r.command, op.command_key(), std::move(known));
      request.pop_back();  // "Device.LocalAgent.Request.1", as the spec's example writes it
      res->set_req_obj_path(request);
      continue;
    }
    std::optional<dm::command_result> result;
    dm::command_call call;
    call.target = target;
    call.command_path = executed;
    call.command_key = op.command_key();
    call.inputs = std::move(known);
    call.originator = ctx.controller;
    r.command->run(ctx.dm, std::move(call), [&result](dm::command_result cr) { result = std::move(cr); });
    if (!result) {
      fail(*res, usp::value(usp::err_code::internal_error), "the command did not finish");
    } else if (!result->status.ok()) {
      fail(*res, result->status.code, result->status.message);
    } else {
      auto& args = *res->mutable_req_output_args()->mutable_output_args();
      for (const auto& [k, v] : result->outputs) args[k] = v;
    }
  }
  if (!op.send_resp()) return std::nullopt;  // R-OPR.4
  return resp;
}

}  // namespace usp::agent

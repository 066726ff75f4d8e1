// The script side of render.hpp, and what counts as the agent saying no.
#include <chrono>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "render.hpp"

namespace usp::ctl {

namespace {

namespace pb = google::protobuf;

// The Msg as the JSON value protobuf prints (the spec's field names), so it
// nests in our document without hand-written escaping.
pb::Value msg_value(const usp::Msg& m) {
  pb::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.always_print_primitive_fields = true;
  std::string text;
  pb::Value v;
  if (!pb::util::MessageToJsonString(m, &text, o).ok() || !pb::util::JsonStringToMessage(text, &v).ok()) {
    v.set_string_value(m.ShortDebugString());
  }
  return v;
}

std::string print(const pb::Struct& doc) {
  std::string out;
  pb::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  if (!pb::util::MessageToJsonString(doc, &out, o).ok()) return "{}";
  return out;
}

}  // namespace

bool answer_failed(const usp::Msg& msg) {
  const auto& b = msg.body();
  if (b.has_error()) return true;
  const auto& r = b.response();
  for (const auto& p : r.get_resp().req_path_results()) {
    if (p.err_code() != 0) return true;
  }
  for (const auto& p : r.get_instances_resp().req_path_results()) {
    if (p.err_code() != 0) return true;
  }
  for (const auto& p : r.get_supported_dm_resp().req_obj_results()) {
    if (p.err_code() != 0) return true;
  }
  for (const auto& o : r.set_resp().updated_obj_results()) {
    if (o.oper_status().has_oper_failure()) return true;
    for (const auto& i : o.oper_status().oper_success().updated_inst_results()) {
      if (!i.param_errs().empty()) return true;
    }
  }
  for (const auto& o : r.add_resp().created_obj_results()) {
    if (o.oper_status().has_oper_failure() || !o.oper_status().oper_success().param_errs().empty()) return true;
  }
  for (const auto& o : r.delete_resp().deleted_obj_results()) {
    if (o.oper_status().has_oper_failure() || !o.oper_status().oper_success().unaffected_path_errs().empty()) return true;
  }
  for (const auto& o : r.operate_resp().operation_results()) {
    if (o.has_cmd_failure()) return true;
  }
  const auto& n = b.request().notify();
  return n.has_oper_complete() && n.oper_complete().has_cmd_failure();
}

std::string answer_json(const std::string& agent, const usp::Msg& msg, const usp::Msg* completion) {
  pb::Struct doc;
  auto& f = *doc.mutable_fields();
  f["agent"].set_string_value(agent);
  f["ok"].set_bool_value(!answer_failed(msg) && !(completion && answer_failed(*completion)));
  if (msg.body().response().has_get_resp()) {
    auto& params = *f["params"].mutable_struct_value()->mutable_fields();
    for (const auto& rpr : msg.body().response().get_resp().req_path_results()) {
      for (const auto& res : rpr.resolved_path_results()) {
        for (const auto& [k, v] : res.result_params()) params[res.resolved_path() + k].set_string_value(v);
      }
    }
  }
  *f["msg"].mutable_struct_value() = msg_value(msg).struct_value();
  if (completion) *f["completion"].mutable_struct_value() = msg_value(*completion).struct_value();
  return print(doc);
}

std::string notify_json(const std::string& agent, const usp::Msg& msg) {
  pb::Struct doc;
  auto& f = *doc.mutable_fields();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch()).count();
  f["time_ms"].set_number_value(static_cast<double>(ms));
  f["agent"].set_string_value(agent);
  *f["msg"].mutable_struct_value() = msg_value(msg).struct_value();
  return print(doc);
}

}  // namespace usp::ctl

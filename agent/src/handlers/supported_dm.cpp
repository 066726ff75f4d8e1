// GetSupportedDM (TR-369 "GetSupportedDM"): the schema, not the instances.
#include "dm/schema.hpp"
#include "handlers/handlers.hpp"
#include "usp/err_code.hpp"
#include "usp/path_name.hpp"

namespace usp::agent {
namespace {

using GSDM = usp::GetSupportedDMResp;

GSDM::ParamValueType proto_type(dm::value_type t) {
  switch (t) {
    case dm::value_type::string: return GSDM::PARAM_STRING;
    case dm::value_type::boolean: return GSDM::PARAM_BOOLEAN;
    case dm::value_type::int_: return GSDM::PARAM_INT;
    case dm::value_type::unsigned_int: return GSDM::PARAM_UNSIGNED_INT;
    case dm::value_type::long_: return GSDM::PARAM_LONG;
    case dm::value_type::unsigned_long: return GSDM::PARAM_UNSIGNED_LONG;
    case dm::value_type::date_time: return GSDM::PARAM_DATE_TIME;
    case dm::value_type::base64: return GSDM::PARAM_BASE_64;
    case dm::value_type::hex_binary: return GSDM::PARAM_HEX_BINARY;
    case dm::value_type::decimal: return GSDM::PARAM_DECIMAL;
  }
  return GSDM::PARAM_UNKNOWN;
}

GSDM::ObjAccessType proto_access(dm::object_access a) {
  switch (a) {
    case dm::object_access::read_only: return GSDM::OBJ_READ_ONLY;
    case dm::object_access::add_delete: return GSDM::OBJ_ADD_DELETE;
    case dm::object_access::add_only: return GSDM::OBJ_ADD_ONLY;
    case dm::object_access::delete_only: return GSDM::OBJ_DELETE_ONLY;
  }
  return GSDM::OBJ_READ_ONLY;
}

GSDM::ParamAccessType proto_access(dm::param_access a) {
  switch (a) {
    case dm::param_access::read_only: return GSDM::PARAM_READ_ONLY;
    case dm::param_access::read_write: return GSDM::PARAM_READ_WRITE;
    case dm::param_access::write_only: return GSDM::PARAM_WRITE_ONLY;
  }
  return GSDM::PARAM_READ_ONLY;
}

// `contents` false describes the object alone: first_level_only lists child
// objects without "commands, events, or Parameters of the child objects"
// (TR-369 GetSupportedDM; TP-469 1.73/1.74).
void describe(const dm::object_def& o, const usp::GetSupportedDM& req, bool contents,
              GSDM::SupportedObjectResult& out) {
  out.set_supported_obj_path(o.supported_path);
  out.set_access(proto_access(o.access));
  out.set_is_multi_instance(o.multi);
  if (req.return_unique_key_sets()) {  // a property of the object itself
    for (const auto& key : o.unique_keys) {
      auto* ks = out.add_unique_key_sets();
      for (const auto& k : key) ks->add_key_names(k);
    }
  }
  if (!contents) return;
  if (req.return_params()) {
    for (const auto& p : o.params) {
      auto* sp = out.add_supported_params();
      sp->set_param_name(p.name);
      sp->set_access(proto_access(p.access));
      sp->set_value_type(proto_type(p.type));
      sp->set_value_change(p.volatile_value ? GSDM::VALUE_CHANGE_WILL_IGNORE : GSDM::VALUE_CHANGE_ALLOWED);
    }
  }
  if (req.return_commands()) {
    for (const auto& c : o.commands) {
      auto* sc = out.add_supported_commands();
      sc->set_command_name(c.name + "()");
      for (const auto& a : c.inputs) sc->add_input_arg_names(a);
      for (const auto& a : c.outputs) sc->add_output_arg_names(a);
      sc->set_command_type(c.async ? GSDM::CMD_ASYNC : GSDM::CMD_SYNC);
    }
  }
  if (req.return_events()) {
    for (const auto& e : o.events) {
      auto* se = out.add_supported_events();
      se->set_event_name(e.name + "!");
      for (const auto& a : e.args) se->add_arg_names(a);
    }
  }
}

void walk(const dm::object_def& o, const usp::GetSupportedDM& req, bool first, GSDM::RequestedObjectResult& out) {
  describe(o, req, first || !req.first_level_only(), *out.add_supported_objs());
  if (req.first_level_only() && !first) return;
  for (const auto& c : o.children) walk(*c, req, false, out);
}

}  // namespace

usp::Msg handle_get_supported_dm(request_context& ctx, const usp::Msg& req) {
  auto resp = response_to(req, usp::Header::GET_SUPPORTED_DM_RESP);
  auto* out = resp.mutable_body()->mutable_response()->mutable_get_supported_dm_resp();
  const auto& gsdm = req.body().request().get_supported_dm();
  for (const auto& path : gsdm.obj_paths()) {
    auto* r = out->add_req_obj_results();
    r->set_req_obj_path(path);
    std::string why;
    const auto parsed = parse_path(path, &why);
    if (!parsed || parsed->target != path_target::object || parsed->is_search()) {
      r->set_err_code(usp::value(usp::err_code::invalid_path));
      r->set_err_msg(parsed ? "GetSupportedDM takes object paths" : why);
      continue;
    }
    const auto* obj = ctx.dm.supported().find(dm::supported_form(path));
    if (!obj) {
      r->set_err_code(usp::value(usp::err_code::invalid_path));
      r->set_err_msg(path + " is not in the supported data model");
      continue;
    }
    r->set_data_model_inst_uri(data_model_uri);
    walk(*obj, gsdm, true, *r);
  }
  return resp;
}

}  // namespace usp::agent

#include "requests.hpp"

#include "mqtt_controller.hpp"
#include "usp/record.hpp"

namespace usp::ctl {

usp::Msg get_msg(std::vector<std::string> paths, std::uint32_t max_depth) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(next_msg_id("get"));
  m.mutable_header()->set_msg_type(usp::Header::GET);
  auto* g = m.mutable_body()->mutable_request()->mutable_get();
  for (auto& p : paths) g->add_param_paths(p);
  g->set_max_depth(max_depth);
  return m;
}

usp::Msg set_msg(const std::string& obj, param_list params, bool allow_partial) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(next_msg_id("set"));
  m.mutable_header()->set_msg_type(usp::Header::SET);
  auto* s = m.mutable_body()->mutable_request()->mutable_set();
  s->set_allow_partial(allow_partial);
  auto* u = s->add_update_objs();
  u->set_obj_path(obj);
  for (auto& [k, v] : params) {
    auto* ps = u->add_param_settings();
    ps->set_param(k);
    ps->set_value(v);
    ps->set_required(true);
  }
  return m;
}

usp::Msg add_msg(const std::string& table, param_list params) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(next_msg_id("add"));
  m.mutable_header()->set_msg_type(usp::Header::ADD);
  auto* a = m.mutable_body()->mutable_request()->mutable_add();
  auto* c = a->add_create_objs();
  c->set_obj_path(table);
  for (auto& [k, v] : params) {
    auto* ps = c->add_param_settings();
    ps->set_param(k);
    ps->set_value(v);
    ps->set_required(true);
  }
  return m;
}

usp::Msg delete_msg(std::vector<std::string> paths) { return delete_msg(std::move(paths), false); }

usp::Msg delete_msg(std::vector<std::string> paths, bool allow_partial) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(next_msg_id("delete"));
  m.mutable_header()->set_msg_type(usp::Header::DELETE);
  auto* d = m.mutable_body()->mutable_request()->mutable_delete_();
  d->set_allow_partial(allow_partial);
  for (auto& p : paths) d->add_obj_paths(p);
  return m;
}

usp::Msg set_objects_msg(const std::vector<std::pair<std::string, param_list>>& objects, bool allow_partial) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(next_msg_id("set"));
  m.mutable_header()->set_msg_type(usp::Header::SET);
  auto* s = m.mutable_body()->mutable_request()->mutable_set();
  s->set_allow_partial(allow_partial);
  for (const auto& [obj, params] : objects) {
    auto* u = s->add_update_objs();
    u->set_obj_path(obj);
    for (const auto& [k, v] : params) {
      auto* ps = u->add_param_settings();
      ps->set_param(k);
      ps->set_value(v);
      ps->set_required(true);
    }
  }
  return m;
}

usp::Msg get_instances_msg(std::vector<std::string> paths, bool first_level_only) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(next_msg_id("instances"));
  m.mutable_header()->set_msg_type(usp::Header::GET_INSTANCES);
  auto* g = m.mutable_body()->mutable_request()->mutable_get_instances();
  for (auto& p : paths) g->add_obj_paths(p);
  g->set_first_level_only(first_level_only);
  return m;
}

usp::Msg get_supported_dm_msg(std::vector<std::string> paths, bool first_level_only) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(next_msg_id("supported-dm"));
  m.mutable_header()->set_msg_type(usp::Header::GET_SUPPORTED_DM);
  auto* g = m.mutable_body()->mutable_request()->mutable_get_supported_dm();
  for (auto& p : paths) g->add_obj_paths(p);
  g->set_first_level_only(first_level_only);
  g->set_return_commands(true);
  g->set_return_events(true);
  g->set_return_params(true);
  g->set_return_unique_key_sets(true);
  return m;
}

usp::Msg get_supported_protocol_msg() {
  usp::Msg m;
  m.mutable_header()->set_msg_id(next_msg_id("supported-protocol"));
  m.mutable_header()->set_msg_type(usp::Header::GET_SUPPORTED_PROTO);
  m.mutable_body()->mutable_request()->mutable_get_supported_protocol()->set_controller_supported_protocol_versions(
      std::string(usp::supported_protocol_versions));
  return m;
}

usp::Msg operate_msg(const std::string& command, const std::string& key,
                     param_list inputs) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(next_msg_id("operate"));
  m.mutable_header()->set_msg_type(usp::Header::OPERATE);
  auto* o = m.mutable_body()->mutable_request()->mutable_operate();
  o->set_command(command);
  o->set_command_key(key);
  o->set_send_resp(true);
  for (auto& [k, v] : inputs) (*o->mutable_input_args())[k] = v;
  return m;
}

std::string value_in(const usp::Msg& resp, const std::string& resolved_path, const std::string& param) {
  for (const auto& rpr : resp.body().response().get_resp().req_path_results()) {
    for (const auto& res : rpr.resolved_path_results()) {
      if (res.resolved_path() != resolved_path) continue;
      if (auto it = res.result_params().find(param); it != res.result_params().end()) return it->second;
    }
  }
  return "<absent>";
}

std::optional<usp::Msg> notify_resp_for(const usp::Msg& msg) {
  const auto& req = msg.body().request();
  if (!req.has_notify() || !req.notify().send_resp()) return std::nullopt;
  usp::Msg resp;
  resp.mutable_header()->set_msg_id(msg.header().msg_id());
  resp.mutable_header()->set_msg_type(usp::Header::NOTIFY_RESP);
  resp.mutable_body()->mutable_response()->mutable_notify_resp()->set_subscription_id(req.notify().subscription_id());
  return resp;
}

}  // namespace usp::ctl

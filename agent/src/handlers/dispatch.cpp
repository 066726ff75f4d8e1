// Routing a request Msg to its handler.
#include "handlers/handlers.hpp"
#include "notify/notifier.hpp"
#include "usp/err_code.hpp"
#include "usp/record.hpp"

namespace usp::agent {

usp::Msg response_to(const usp::Msg& req, usp::Header::MsgType type) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(req.header().msg_id());
  m.mutable_header()->set_msg_type(type);
  m.mutable_body()->mutable_response();
  return m;
}

usp::Msg error_to(const usp::Msg& req, std::uint32_t code, const std::string& message) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(req.header().msg_id());
  m.mutable_header()->set_msg_type(usp::Header::ERROR);
  auto* e = m.mutable_body()->mutable_error();
  e->set_err_code(code);
  e->set_err_msg(message);
  return m;
}

std::optional<usp::Msg> handle_request(request_context& ctx, const usp::Msg& req) {
  const auto type = body_type(req);
  if (!type) return error_to(req, usp::value(usp::err_code::invalid_arguments), "a Msg needs a body");
  switch (*type) {
    case usp::Header::GET: return handle_get(ctx, req);
    case usp::Header::SET: return handle_set(ctx, req);
    case usp::Header::ADD: return handle_add(ctx, req);
    case usp::Header::DELETE: return handle_delete(ctx, req);
    case usp::Header::OPERATE: return handle_operate(ctx, req);
    case usp::Header::GET_SUPPORTED_DM: return handle_get_supported_dm(ctx, req);
    case usp::Header::GET_INSTANCES: return handle_get_instances(ctx, req);
    case usp::Header::GET_SUPPORTED_PROTO: {
      auto resp = response_to(req, usp::Header::GET_SUPPORTED_PROTO_RESP);
      resp.mutable_body()->mutable_response()->mutable_get_supported_protocol_resp()->set_agent_supported_protocol_versions(
          std::string(supported_protocol_versions));
      return resp;
    }
    case usp::Header::NOTIFY_RESP:
      // R-NOT.9/10: the controller echoes the subscription id; what matters
      // is which Notify it answers (by msg_id), which stops its retries.
      if (ctx.notifications) ctx.notifications->acknowledged(ctx.controller, req.header().msg_id());
      return std::nullopt;
    case usp::Header::NOTIFY:
    case usp::Header::REGISTER:
    case usp::Header::DEREGISTER:
      // Requests an agent does not serve (R-MSG.1).
      return error_to(req, usp::value(usp::err_code::message_not_supported),
                      "this agent does not accept " + usp::Header::MsgType_Name(*type));
    default:
      // Responses and Errors we did not ask for: nothing to answer (R-MSG.0).
      return std::nullopt;
  }
}

}  // namespace usp::agent

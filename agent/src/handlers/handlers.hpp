// One handler per USP message an agent answers (TR-369 "Messages").
// Handlers take the request Msg and return the response Msg (or none when the
// spec says none is due); they never throw and never touch an MTP.
#pragma once

#include <optional>
#include <string>

#include "dm/tree.hpp"
#include "usp_msg.pb.h"

namespace usp::agent {

class operations;
class notifier;

struct request_context {
  dm::data_model& dm;
  std::string controller;          // the requester's endpoint id (Record from_id)
  operations* ops = nullptr;       // asynchronous commands (Request.{i}.)
  notifier* notifications = nullptr;  // NotifyResp goes here
};

// Dispatches on the body (R-MSG.10: the body wins over header.msg_type).
std::optional<usp::Msg> handle_request(request_context& ctx, const usp::Msg& req);

usp::Msg handle_get(request_context& ctx, const usp::Msg& req);
// The same into an empty `resp` (which may live on an Arena).
void handle_get(request_context& ctx, const usp::Msg& req, usp::Msg& resp);
usp::Msg handle_set(request_context& ctx, const usp::Msg& req);
usp::Msg handle_add(request_context& ctx, const usp::Msg& req);
usp::Msg handle_delete(request_context& ctx, const usp::Msg& req);
std::optional<usp::Msg> handle_operate(request_context& ctx, const usp::Msg& req);
usp::Msg handle_get_supported_dm(request_context& ctx, const usp::Msg& req);
usp::Msg handle_get_instances(request_context& ctx, const usp::Msg& req);

// A response shell: same msg_id, the given type.
usp::Msg response_to(const usp::Msg& req, usp::Header::MsgType type);
// An Error message answering `req`.
usp::Msg error_to(const usp::Msg& req, std::uint32_t code, const std::string& message);

// The URI of the data model we implement (GetSupportedDMResp.data_model_inst_uri).
inline constexpr const char* data_model_uri = "urn:broadband-forum-org:tr-181-2-19-0-usp";

}  // namespace usp::agent

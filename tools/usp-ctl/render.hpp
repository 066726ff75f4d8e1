// How usp-ctl shows agents' answers and notifications: lines for people,
// one JSON document for scripts.
#pragma once

#include <iosfwd>
#include <string>

#include "usp_msg.pb.h"

namespace usp::ctl {

// The agent said no, wholly or in part: an Error, or any result carrying an
// err_code, OperationFailure or CommandFailure (usp-ctl exits 1).
bool answer_failed(const usp::Msg& msg);

// A response or Error, one line per parameter, object or result.
void print_answer(std::ostream& out, const usp::Msg& msg);
// A Notify, one line, prefixed with the time and the agent.
void print_notify(std::ostream& out, const std::string& agent, const usp::Msg& msg);

// {"agent": ..., "ok": ..., "msg": {...}}, plus "params" (path -> value)
// for a GetResp and "completion" (the Notify that ended an operate --wait).
// Field names are the spec's.
std::string answer_json(const std::string& agent, const usp::Msg& msg, const usp::Msg* completion = nullptr);
// {"time": ..., "agent": ..., "msg": {...}} on one line.
std::string notify_json(const std::string& agent, const usp::Msg& msg);

}  // namespace usp::ctl

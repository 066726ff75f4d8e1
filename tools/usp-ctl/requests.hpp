// USP request Msgs as a controller sends them: usp-ctl's verbs and the
// scripted controllers of the integration tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "usp_msg.pb.h"

namespace usp::ctl {

using param_list = std::vector<std::pair<std::string, std::string>>;

usp::Msg get_msg(std::vector<std::string> paths, std::uint32_t max_depth = 0);
// Every parameter required (R-SET.1 applies unless allow_partial).
usp::Msg set_msg(const std::string& obj, param_list params, bool allow_partial = false);
usp::Msg add_msg(const std::string& table, param_list params);
usp::Msg delete_msg(std::vector<std::string> paths);
usp::Msg operate_msg(const std::string& command, const std::string& key, param_list inputs = {});
// One UpdateObject per object, in order; every parameter required.
usp::Msg set_objects_msg(const std::vector<std::pair<std::string, param_list>>& objects, bool allow_partial = false);
usp::Msg delete_msg(std::vector<std::string> paths, bool allow_partial);
usp::Msg get_instances_msg(std::vector<std::string> paths, bool first_level_only = false);
// Commands, events and parameters of every object below `paths`.
usp::Msg get_supported_dm_msg(std::vector<std::string> paths, bool first_level_only = false);
// Offers every version libusp speaks (R-MSG: GetSupportedProtocol).
usp::Msg get_supported_protocol_msg();
// The value of `param` (relative) under `resolved_path` in a GetResp;
// "<absent>" when it is not there.
std::string value_in(const usp::Msg& get_resp, const std::string& resolved_path, const std::string& param);
// The NotifyResp a controller owes for `msg`: when it is a Notify with
// send_resp set (R-NOT.10), same msg_id and subscription id; else nullopt.
std::optional<usp::Msg> notify_resp_for(const usp::Msg& msg);

}  // namespace usp::ctl

// The words after a verb turned into the USP request it sends.
#pragma once

#include <optional>
#include <string>

#include "usp_msg.pb.h"
#include "verbs.hpp"

namespace usp::ctl {

// nullopt with `problem` set when the words do not make a request
// (usage error, exit 2).
std::optional<usp::Msg> build_request(const verb_request& v, std::string& problem);

// The command key an operate uses: --key, else usp-ctl-<pid>.
std::string command_key_of(const verb_request& v);

}  // namespace usp::ctl

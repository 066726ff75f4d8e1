// USP Records as JSON, for people and scripts (usp-ctl decode / encode).
//
// Field names are the spec's (snake_case). A payload that is one whole Msg is
// shown as that Msg; segmented or encrypted payloads stay base64 bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

namespace usp {

// Record wire bytes -> JSON text (pretty when `pretty`).
std::optional<std::string> record_to_json(std::string_view wire, bool pretty,
                                          boost::system::error_code& ec);

// JSON text -> Record wire bytes. Accepts both shapes record_to_json writes.
// `error_detail` receives the JSON parser's message on failure.
std::optional<std::string> record_from_json(std::string_view json, boost::system::error_code& ec,
                                            std::string* error_detail = nullptr);

}  // namespace usp

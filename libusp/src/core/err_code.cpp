#include "usp/err_code.hpp"

namespace usp {

std::string_view describe(err_code code) noexcept {
  switch (code) {
    case err_code::message_failed: return "Message failed";
    case err_code::message_not_supported: return "Message not supported";
    case err_code::request_denied: return "Request denied";
    case err_code::internal_error: return "Internal error";
    case err_code::invalid_arguments: return "Invalid arguments";
    case err_code::resources_exceeded: return "Resources exceeded";
    case err_code::permission_denied: return "Permission denied";
    case err_code::invalid_configuration: return "Invalid configuration";
    case err_code::invalid_path_syntax: return "Invalid path syntax";
    case err_code::parameter_action_failed: return "Parameter action failed";
    case err_code::unsupported_parameter: return "Unsupported parameter";
    case err_code::invalid_type: return "Invalid type";
    case err_code::invalid_value: return "Invalid value";
    case err_code::param_read_only: return "Attempt to update non-writeable parameter";
    case err_code::value_conflict: return "Value conflict";
    case err_code::operation_error: return "Operation error";
    case err_code::object_does_not_exist: return "Object does not exist";
    case err_code::object_not_created: return "Object could not be created";
    case err_code::not_a_table: return "Object is not a table";
    case err_code::object_not_creatable: return "Attempt to create non-creatable object";
    case err_code::object_not_updated: return "Object could not be updated";
    case err_code::required_param_failed: return "Required parameter failed";
    case err_code::command_failure: return "Command failure";
    case err_code::command_canceled: return "Command canceled";
    case err_code::delete_failure: return "Delete failure";
    case err_code::object_exists_duplicate_key: return "Object exists with duplicate key";
    case err_code::invalid_path: return "Invalid path";
    case err_code::invalid_command_arguments: return "Invalid command arguments";
    case err_code::register_failure: return "Register failure";
    case err_code::already_in_use: return "Already in use";
    case err_code::deregister_failure: return "Deregister failure";
    case err_code::path_registered_by_other: return "Path already registered by another agent";
    case err_code::record_not_parsed: return "Record could not be parsed";
    case err_code::secure_session_required: return "Secure session required";
    case err_code::secure_session_not_supported: return "Secure session not supported";
    case err_code::sar_not_supported: return "Segmentation and reassembly not supported";
    case err_code::invalid_record_value: return "Invalid Record value";
    case err_code::session_context_terminated: return "Session Context terminated";
    case err_code::session_context_not_allowed: return "Session Context not allowed";
  }
  return "Unknown error";
}

std::string_view describe(std::uint32_t code) noexcept {
  if ((code >= 7000 && code <= 7031) || (code >= 7100 && code <= 7106)) {
    return describe(static_cast<err_code>(code));
  }
  if (code >= 7200 && code <= 7299) return "Data model defined error";
  if (code >= 7800 && code <= 7999) return "Vendor defined error";
  return "Unknown error";
}

bool allowed_in_command_failure(std::uint32_t code) noexcept {
  return (code >= 7002 && code <= 7008) || code == 7016 || code == 7022 || code == 7023 ||
         (code >= 7800 && code <= 7999);
}

}  // namespace usp

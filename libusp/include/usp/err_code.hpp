// USP error codes (TR-369 "Error Codes"), carried in Error messages,
// OperationFailure, CommandFailure and DisconnectRecord.reason_code.
#pragma once

#include <cstdint>
#include <string_view>

namespace usp {

enum class err_code : std::uint32_t {
  message_failed = 7000,
  message_not_supported = 7001,
  request_denied = 7002,
  internal_error = 7003,
  invalid_arguments = 7004,
  resources_exceeded = 7005,
  permission_denied = 7006,
  invalid_configuration = 7007,
  invalid_path_syntax = 7008,
  parameter_action_failed = 7009,
  unsupported_parameter = 7010,
  invalid_type = 7011,
  invalid_value = 7012,
  param_read_only = 7013,          // attempt to update non-writeable parameter
  value_conflict = 7014,
  operation_error = 7015,
  object_does_not_exist = 7016,
  object_not_created = 7017,
  not_a_table = 7018,
  object_not_creatable = 7019,
  object_not_updated = 7020,
  required_param_failed = 7021,
  command_failure = 7022,
  command_canceled = 7023,
  delete_failure = 7024,
  object_exists_duplicate_key = 7025,
  invalid_path = 7026,
  invalid_command_arguments = 7027,
  register_failure = 7028,
  already_in_use = 7029,
  deregister_failure = 7030,
  path_registered_by_other = 7031,
  // Record errors (§USP Record Errors, R-MTP.5)
  record_not_parsed = 7100,
  secure_session_required = 7101,
  secure_session_not_supported = 7102,
  sar_not_supported = 7103,
  invalid_record_value = 7104,
  session_context_terminated = 7105,
  session_context_not_allowed = 7106,
};

// The spec's name of the code ("Invalid path"); "Unknown error" otherwise,
// and the range names for 7200-7299 / 7800-7999.
std::string_view describe(err_code code) noexcept;
std::string_view describe(std::uint32_t code) noexcept;

constexpr std::uint32_t value(err_code c) noexcept { return static_cast<std::uint32_t>(c); }

// Codes a CommandFailure inside OperationComplete may carry (§Error Codes).
bool allowed_in_command_failure(std::uint32_t code) noexcept;

}  // namespace usp

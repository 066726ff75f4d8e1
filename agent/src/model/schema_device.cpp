// Device. and Device.DeviceInfo. (Device:2.19).
#include "dm/tree.hpp"
#include "model/phone_schema.hpp"
#include "model/services.hpp"
#include "usp/err_code.hpp"

namespace usp::agent {

namespace {

using dm::value_type;

// Optional "Cause" input of Reboot() / FactoryReset() (2.18).
bool valid_cause(const dm::command_call& call, std::initializer_list<const char*> allowed, dm::command_done& done) {
  const auto it = call.inputs.find("Cause");
  if (it == call.inputs.end()) return true;
  for (const char* a : allowed) {
    if (it->second == a) return true;
  }
  done({dm::outcome::error(usp::value(usp::err_code::invalid_command_arguments), "Cause '" + it->second + "' is not allowed"), {}});
  return false;
}

std::string input_or(const dm::command_call& call, const char* name, const char* fallback) {
  const auto it = call.inputs.find(name);
  return it == call.inputs.end() || it->second.empty() ? std::string(fallback) : it->second;
}

}  // namespace

void define_device(dm::schema& s) {
  auto& dev = s.root();
  read_only(dev, "RootDataModelVersion", value_type::string, root_data_model_version);

  // R-OPR: both are synchronous; the phone restarts after the OperateResp.
  dev.commands.push_back({"Reboot", false, {"Cause", "Reason"}, {}, {},
                          [](dm::data_model& dm, dm::command_call call, dm::command_done done) {
                            if (!valid_cause(call, {"LocalReboot", "RemoteReboot"}, done)) return;
                            services(dm).schedule_reboot(input_or(call, "Cause", "RemoteReboot"),
                                                         input_or(call, "Reason", "Unknown"), call.command_key);
                            done({});
                          }, {}});
  dev.commands.push_back({"FactoryReset", false, {"Cause", "Reason"}, {}, {},
                          [](dm::data_model& dm, dm::command_call call, dm::command_done done) {
                            if (!valid_cause(call, {"LocalFactoryReset", "RemoteFactoryReset"}, done)) return;
                            services(dm).schedule_factory_reset(input_or(call, "Cause", "RemoteFactoryReset"),
                                                                input_or(call, "Reason", "Unknown"), call.command_key);
                            done({});
                          }, {}});
  dev.events.push_back({"Boot", {"CommandKey", "Cause", "Reason", "FirmwareUpdated", "ParameterMap"}});

  auto& info = s.object("Device.DeviceInfo.");
  auto from_identity = [&info](const char* name, std::string identity::*field) {
    read_only(info, name).get = [field](const dm::data_model& dm, const dm::instance&) {
      return services(dm).id().*field;
    };
  };
  from_identity("Manufacturer", &identity::manufacturer);
  from_identity("ManufacturerOUI", &identity::oui);
  from_identity("ModelName", &identity::model);
  from_identity("ProductClass", &identity::model);
  from_identity("SerialNumber", &identity::serial);
  from_identity("HardwareVersion", &identity::hardware);
  read_only(info, "Description").get = [](const dm::data_model& dm, const dm::instance&) {
    const auto& id = services(dm).id();
    return id.manufacturer + " " + id.model + " desk phone";
  };
  read_only(info, "SoftwareVersion").get = [](const dm::data_model& dm, const dm::instance&) {
    return services(dm).software_version();
  };
  auto& up = read_only(info, "UpTime", value_type::unsigned_int);
  up.volatile_value = true;
  up.get = [](const dm::data_model& dm, const dm::instance&) { return std::to_string(services(dm).uptime().count()); };
  read_write(info, "ProvisioningCode").check = [](std::string_view v) {
    return v.size() > 64 ? std::string("must be at most 64 characters") : std::string();
  };
}

}  // namespace usp::agent

// phone::runtime's firmware images: Download() and Activate() of
// Device.DeviceInfo.FirmwareImage.{i}. (split from phone_runtime.cpp).
#include <map>

#include "phone_runtime.hpp"
#include "usp/err_code.hpp"
#include "usp/log.hpp"

namespace usp::agent {

namespace {

std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("agent");
  return lg;
}

std::string image_row(unsigned slot) { return "Device.DeviceInfo.FirmwareImage." + std::to_string(slot) + "."; }
}  // namespace

void phone::runtime::download_firmware(download_request req, bool auto_activate, dm::command_call call,
                                       dm::command_done done) {
  req.model = id().model;
  req.tls.ca_file = owner_.opts_.ca_file;
  const auto url = req.url;
  const auto algorithm = req.checksum_algorithm;
  const auto sum = req.checksum;
  const auto slot = req.slot;
  auto finished = [this, alive = alive_, call, auto_activate, url, algorithm, sum, slot,
                   done = std::move(done)](download_result r) {
    if (!*alive) return;
    if (call.canceled && *call.canceled) return;  // Cancel() already reported it
    // LocalAgent.TransferComplete! (Firmware:1), then the OperationComplete.
    std::map<std::string, std::string> args = {
        {"Command", call.command_path},
        {"CommandKey", call.command_key},
        {"Requestor", call.originator},
        {"TransferType", "Download"},
        {"Affected", image_row(slot)},  // the instance path, as TR-181's example writes it
        {"TransferURL", url},
        {"StartTime", r.start_time},
        {"CompleteTime", r.complete_time},
        {"FaultCode", r.ok ? "0" : std::to_string(usp::value(usp::err_code::command_failure))},
        {"FaultString", r.fault},
        {"CheckSumAlgorithm", algorithm},
        {"CheckSum", sum},
    };
    if (r.ok && auto_activate) {
      // The restart would cut these short: the next boot sends them.
      std::vector<carried_notice> carried = {
          {"Device.LocalAgent.", "TransferComplete", {}, args, 0, {}},
          {image_row(slot), "Download()", call.command_key, {}, 0, {}},
      };
      boot_into(slot, call.command_key, std::move(carried), done);
      return;
    }
    notifier_.event("Device.LocalAgent.", "TransferComplete", args);
    if (r.ok) {
      done({});
    } else {
      done({dm::outcome::error(usp::value(usp::err_code::command_failure), r.fault), {}});
    }
  };
  download_image(owner_.ex_, owner_.bank_, std::move(req), call.canceled, std::move(finished));
}

void phone::runtime::activate_firmware(unsigned slot, std::chrono::seconds delay, dm::command_call call,
                                       dm::command_done done) {
  auto& timer = activations_[slot];
  timer = std::make_unique<boost::asio::steady_timer>(owner_.ex_);
  timer->expires_after(delay);
  timer->async_wait([this, slot, call = std::move(call), done = std::move(done), alive = alive_](
                        const boost::system::error_code& ec) {
    if (ec || !*alive || (call.canceled && *call.canceled)) return;
    // Activate() succeeds when the new image runs: its OperationComplete
    // follows Boot! (the restart itself drops the Request row).
    std::vector<carried_notice> carried = {{image_row(slot), "Activate()", call.command_key, {}, 0, {}}};
    boot_into(slot, call.command_key, std::move(carried), done);
  });
}

void phone::runtime::boot_into(unsigned slot, const std::string& command_key, std::vector<carried_notice> carried,
                               const dm::command_done& failed) {
  if (auto why = owner_.bank_->set_boot(slot); !why.empty()) {
    failed({dm::outcome::error(usp::value(usp::err_code::command_failure), why), {}});
    return;
  }
  log()->info("{} activating firmware image {} ({})", id().endpoint_id, slot, owner_.bank_->slot(slot).version);
  boot_info b;
  b.cause = "RemoteReboot";
  b.reason = "Firmware activation";
  b.command_key = command_key;
  b.carried = std::move(carried);
  owner_.restart(std::move(b), false);
}

}  // namespace usp::agent

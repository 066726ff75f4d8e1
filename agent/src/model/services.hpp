// What the data model's callbacks need from the phone. The phone implements
// this; schema callbacks reach it through data_model::context().
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "config/derived.hpp"
#include "config/settings.hpp"
#include "dm/tree.hpp"
#include "firmware/image_bank.hpp"
#include "firmware/image_download.hpp"

namespace usp::agent {

struct identity {
  std::string mac;           // 12 upper-case hex digits
  std::string endpoint_id;   // os::000413-<MAC> unless configured
  std::string manufacturer = "Snom Technology GmbH";
  std::string oui = "000413";
  std::string model = "D785";
  std::string firmware = "10.1.182.0";
  std::string hardware = "1";
  std::string serial;        // the MAC unless configured
};

class phone_services : public dm::model_context {
 public:
  virtual settings_store& settings() = 0;
  virtual const identity& id() const = 0;
  virtual const derived_context& derived() const = 0;
  virtual std::chrono::seconds uptime() const = 0;
  // The running firmware (changes after a firmware activation).
  virtual std::string software_version() const = 0;

  // MTP state for read-only parameters, per controller index (1, 2).
  virtual std::string mqtt_status(unsigned index) const = 0;
  virtual std::string mqtt_client_id(unsigned index) const = 0;
  virtual std::string mqtt_response_information(unsigned index) const = 0;
  virtual std::string agent_mtp_status(unsigned index) const = 0;
  // Controller.{i}.MTP.{i}.WebSocket.CurrentRetryCount (R-WS.19-21).
  virtual std::uint32_t ws_retry_count(unsigned index) const = 0;

  // Controller.{i}.E2ESession: Status, CurrentRetryCount and Reset().
  virtual std::string e2e_status(unsigned index) const = 0;
  virtual std::uint32_t e2e_retry_count(unsigned index) const = 0;
  virtual void e2e_reset(unsigned index) = 0;

  // Operations, run after the OperateResp has gone out.
  virtual void schedule_reboot(std::string cause, std::string reason, std::string command_key) = 0;
  virtual void schedule_factory_reset(std::string cause, std::string reason, std::string command_key) = 0;
  // The vendor's XML minibrowser push: fetch `url` and show it.
  virtual void show_page(std::string url, dm::command_done done) = 0;
  virtual void force_mqtt_reconnect(unsigned index) = 0;
  // Request.{i}.Cancel(): stops the asynchronous operation behind row `number`.
  virtual dm::outcome cancel_request(std::uint32_t number) = 0;

  // Firmware banks (DeviceInfo.FirmwareImage.{i}.) and their commands; both
  // commands call `done` only when they end without a restart.
  virtual image_bank& images() const = 0;
  virtual void download_firmware(download_request req, bool auto_activate, dm::command_call call,
                                 dm::command_done done) = 0;
  virtual void activate_firmware(unsigned slot, std::chrono::seconds delay, dm::command_call call,
                                 dm::command_done done) = 0;
};

inline phone_services& services(const dm::data_model& dm) { return static_cast<phone_services&>(dm.context()); }

}  // namespace usp::agent

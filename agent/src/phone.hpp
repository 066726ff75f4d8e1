// One software Snom desk phone: settings, data model, message handlers,
// notifications and MTPs, with reboot and factory reset. Runs entirely on
// one executor; a process may hold many (fleet mode).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/param_map.hpp"
#include "firmware/image_bank.hpp"
#include "model/bindings.hpp"
#include "model/services.hpp"
#include "notify/notifier.hpp"
#include "usp/tls.hpp"

namespace usp::agent {

// What every phone of a process shares: the schema and the param_map's
// value sources. Built once; throws usp::config_error for a bad param_map.
struct phone_template {
  std::shared_ptr<dm::schema> schema;
  std::unique_ptr<binding_set> bindings;

  static std::shared_ptr<const phone_template> load(const std::string& param_map_path);
  static std::shared_ptr<const phone_template> from_text(std::string_view param_map, const std::string& name);
};

struct phone_options {
  identity id;
  settings_store::paths files;        // factory, user settings, state file
  std::string state_dir;              // what changes at run time; deleting it = factory reset
  std::string response_topic = "usp/agent/{eid}";  // the phone's own topic ({eid}, {mac} expanded)
  std::string ca_file;                // CAs for MQTT over TLS (empty: the system's)
  std::string cert_file;              // client certificate for mutual TLS
  std::string key_file;
  std::chrono::milliseconds reboot_delay{1000};  // how long a reboot keeps the phone away
  // A fixed reconnect wait for every MTP (tests); 0 keeps the data model's
  // ConnectRetry* / SessionRetry* values.
  std::chrono::seconds retry_override{0};
  // The phone's own WebSocket server (R-WS.6): "address:port", empty = off.
  std::string ws_listen;
};

struct phone_stats {
  std::uint64_t records_in = 0;
  std::uint64_t records_out = 0;
  std::uint64_t dropped_malformed = 0;
  std::uint64_t dropped_not_for_us = 0;
  std::uint64_t dropped_unknown_controller = 0;
  std::uint64_t dropped_unsupported = 0;
  std::uint64_t boots = 0;
};

class phone {
 public:
  // Throws usp::config_error when the settings files are bad.
  phone(boost::asio::any_io_executor ex, phone_options opts, std::shared_ptr<const phone_template> t);
  ~phone();
  phone(const phone&) = delete;
  phone& operator=(const phone&) = delete;

  void start();
  // Disconnect Records and DISCONNECT on every MTP; `done` runs when sent.
  void stop();
  // Re-reads the settings files (the phone was re-provisioned locally):
  // changed values are announced like any other change.
  void reload_settings();

  const phone_stats& stats() const noexcept;
  const std::string& endpoint_id() const noexcept;
  bool running() const noexcept;

  class runtime;

 private:
  void boot();
  // Reads what the last boot left and boots the firmware banks.
  boot_info next_boot();
  // Reboot (or factory reset): stop this boot, wait reboot_delay, boot again
  // with `b` reported in Boot!.
  void restart(boot_info b, bool factory_reset);
  void show_page(std::string url, dm::command_done done);

  boost::asio::any_io_executor ex_;
  phone_options opts_;
  std::shared_ptr<const phone_template> template_;
  std::shared_ptr<image_bank> bank_;  // shared with downloads in flight
  std::unique_ptr<runtime> rt_;
  boost::asio::steady_timer reboot_timer_;
  phone_stats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  friend class runtime;
};

}  // namespace usp::agent

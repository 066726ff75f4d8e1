// The agent's message handlers: each input is one or more USP Msgs (split at
// "\xff\xffNEXT\xff\xff"), decoded with usp::decode_msg and dispatched by
// usp::agent::handle_request as controller "self::ctl", against a fresh data
// model per input: the shipped param_map and factory settings, no network,
// no disk writes of settings (a dry-run settings store). Asynchronous
// commands (firmware download and activation, page push) complete after the
// last Msg. Every answer must encode into a Msg that decodes again.
#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "fuzz_input.hpp"
#include "handlers/handlers.hpp"
#include "handlers/operations.hpp"
#include "model/phone_schema.hpp"
#include "model/services.hpp"
#include "notify/notifier.hpp"
#include "phone.hpp"
#include "usp/record.hpp"

namespace usp::agent {
namespace {

constexpr const char* controller = "self::ctl";

// What every input starts from: the schema and bindings, and the settings
// (the shipped factory file, with controller 2 enabled as self::ctl).
struct world {
  std::shared_ptr<const phone_template> tmpl = phone_template::load(USP_SOURCE_DIR "/config/agent/param_map");
  std::string dir = usp::fuzz::scratch_dir();
  settings_store settings = load_settings(dir);

  static settings_store load_settings(const std::string& dir) {
    std::ofstream(dir + "/settings.txt") << "tr369_enable2!: on\n"
                                            "tr369_mtp_protocol2!: mqtt\n"
                                            "tr369_controller_endpointid2!: self::ctl\n";
    return settings_store::load({USP_SOURCE_DIR "/config/agent/factory.txt", dir + "/settings.txt", dir + "/state.txt"},
                                {"000413AABBCC", "os::000413-000413AABBCC"});
  }
};

class fuzz_phone final : public phone_services {
 public:
  fuzz_phone(settings_store s, const std::string& firmware_dir)
      : settings_(std::move(s)), bank_(firmware_dir, "10.1.182.0") {
    bank_.boot_up();
    id_.mac = "000413AABBCC";
    id_.endpoint_id = "os::000413-000413AABBCC";
    id_.serial = id_.mac;
  }

  settings_store& settings() override { return settings_; }
  const identity& id() const override { return id_; }
  const derived_context& derived() const override { return derived_; }
  std::chrono::seconds uptime() const override { return std::chrono::seconds(42); }
  std::string software_version() const override { return id_.firmware; }
  std::string mqtt_status(unsigned) const override { return "Connected"; }
  std::string mqtt_client_id(unsigned index) const override { return "client-" + std::to_string(index); }
  std::string mqtt_response_information(unsigned) const override { return {}; }
  std::string agent_mtp_status(unsigned) const override { return "Up"; }
  std::uint32_t ws_retry_count(unsigned index) const override { return index; }
  std::string e2e_status(unsigned) const override { return "Down"; }
  std::uint32_t e2e_retry_count(unsigned) const override { return 0; }
  void e2e_reset(unsigned) override {}
  void schedule_reboot(std::string, std::string, std::string) override {}
  void schedule_factory_reset(std::string, std::string, std::string) override {}
  void show_page(std::string, dm::command_done done) override { pending.push_back(std::move(done)); }
  void force_mqtt_reconnect(unsigned) override {}
  dm::outcome cancel_request(std::uint32_t number) override {
    return ops ? ops->cancel(number) : dm::outcome::error(7022, "no operations");
  }
  image_bank& images() const override { return bank_; }
  void download_firmware(download_request, bool, dm::command_call, dm::command_done done) override {
    pending.push_back(std::move(done));
  }
  void activate_firmware(unsigned, std::chrono::seconds, dm::command_call, dm::command_done done) override {
    pending.push_back(std::move(done));
  }

  std::vector<dm::command_done> pending;
  operations* ops = nullptr;

 private:
  settings_store settings_;
  mutable image_bank bank_;
  identity id_;
  derived_context derived_{"usp/agent/os::000413-000413AABBCC"};
};

class null_sink final : public notify_sink {
 public:
  bool send_notify(const std::string&, const usp::Msg& msg) override {
    if (encode(msg).empty()) usp::fuzz::broken("an empty Notify");
    return true;
  }
};

void check_answer(const usp::Msg& req, const usp::Msg& resp) {
  boost::system::error_code ec;
  const auto again = decode_msg(encode(resp), ec);
  if (!again) usp::fuzz::broken("an answer that does not decode as a Msg");
  if (resp.header().msg_id() != req.header().msg_id()) usp::fuzz::broken("an answer with another msg_id");
}

}  // namespace
}  // namespace usp::agent

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace usp::agent;
  usp::fuzz::quiet();
  static world w;
  const auto firmware = w.dir + "/firmware";
  std::error_code fec;
  std::filesystem::remove_all(firmware, fec);
  std::filesystem::create_directories(firmware, fec);

  boost::asio::io_context io;
  fuzz_phone phone(w.settings.dry_run(), firmware);
  null_sink sink;
  usp::agent::dm::data_model dm(w.tmpl->schema, phone);
  notifier notes(io.get_executor(), dm, sink);
  operations ops(io.get_executor(), dm, notes);
  attach_bindings(dm, *w.tmpl->bindings);
  add_firmware_rows(dm);
  phone.ops = &ops;
  dm.on_value_change = [&notes](const usp::agent::dm::instance& i, const usp::agent::dm::param_def& p,
                                const std::string& v) { notes.value_changed(i, p, v); };
  dm.on_object_created = [&notes](const usp::agent::dm::instance& i) { notes.object_created(i); };
  dm.on_object_deleted = [&notes](const std::string& path) { notes.object_deleted(path); };

  for (const auto piece : usp::fuzz::split(usp::fuzz::as_view(data, size), "\xff\xffNEXT\xff\xff")) {
    boost::system::error_code ec;
    const auto msg = usp::decode_msg(piece, ec);
    if (!msg) continue;
    request_context ctx{dm, controller, &ops, &notes};
    if (const auto resp = handle_request(ctx, *msg)) check_answer(*msg, *resp);
    io.poll();
  }
  // The asynchronous commands finish, one with an error.
  auto pending = std::move(phone.pending);
  for (std::size_t i = 0; i < pending.size(); ++i) {
    usp::agent::dm::command_result r;
    if (i % 2 == 1) r.status = usp::agent::dm::outcome::error(7002, "fuzz");
    pending[i](std::move(r));
    io.poll();
  }
  return 0;
}

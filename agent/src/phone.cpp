#include "phone.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <boost/asio/post.hpp>

#include "boot_marker.hpp"
#include "model/phone_schema.hpp"
#include "phone_runtime.hpp"
#include "usp/err_code.hpp"
#include "usp/http_fetch.hpp"
#include "usp/log.hpp"
#include "usp/strings.hpp"
#include "usp/yaml_reader.hpp"

namespace usp::agent {

namespace fs = std::filesystem;

namespace {

std::shared_ptr<spdlog::logger>& log() {
  static auto lg = usp::log::get("agent");
  return lg;
}

std::string read_all(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw usp::config_error({path + ": cannot read the file"});
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// The text between <tag> and </tag>, unescaped for the five XML entities.
std::string xml_element(std::string_view xml, std::string_view tag) {
  const auto open = xml.find("<" + std::string(tag) + ">");
  if (open == std::string_view::npos) return {};
  const auto start = open + tag.size() + 2;
  const auto close = xml.find("</" + std::string(tag) + ">", start);
  if (close == std::string_view::npos) return {};
  std::string out(xml.substr(start, close - start));
  for (const auto& [entity, ch] : {std::pair<std::string, std::string>{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
                                   {"&apos;", "'"}, {"&amp;", "&"}}) {
    for (auto pos = out.find(entity); pos != std::string::npos; pos = out.find(entity, pos + ch.size())) {
      out.replace(pos, entity.size(), ch);
    }
  }
  return std::string(trim(out));
}

}  // namespace

std::shared_ptr<const phone_template> phone_template::from_text(std::string_view text, const std::string& name) {
  std::vector<std::string> problems;
  auto bindings = parse_param_map(text, name, problems);
  auto t = std::make_shared<phone_template>();
  t->schema = build_builtin_schema();
  if (problems.empty()) t->bindings = prepare_bindings(*t->schema, std::move(bindings), name, problems);
  if (!problems.empty()) throw usp::config_error(std::move(problems));
  add_entry_counters(*t->schema);
  return t;
}

std::shared_ptr<const phone_template> phone_template::load(const std::string& path) {
  return from_text(read_all(path), path);
}

phone::phone(boost::asio::any_io_executor ex, phone_options opts, std::shared_ptr<const phone_template> t)
    : ex_(std::move(ex)),
      opts_(std::move(opts)),
      template_(std::move(t)),
      bank_(std::make_shared<image_bank>(opts_.state_dir + "/firmware", opts_.id.firmware)),
      reboot_timer_(ex_) {
  // Load the settings now, so a bad file is a start-up error, not a boot loop.
  rt_ = std::make_unique<runtime>(*this, next_boot());
}

boot_info phone::next_boot() {
  auto b = take_boot_marker(opts_.state_dir);
  bank_->boot_up();
  b.firmware_updated = bank_->switched();
  // An activation that did not boot did not succeed: say so instead.
  if (const auto failed = bank_->failed_boot(); failed != 0) {
    const auto row = "Device.DeviceInfo.FirmwareImage." + std::to_string(failed) + ".";
    for (auto& n : b.carried) {
      if (n.obj_path != row || n.is_event()) continue;
      n.err_code = usp::value(usp::err_code::command_failure);
      n.err_msg = "image " + std::to_string(failed) + " could not be booted; still running " + bank_->running_version();
    }
  }
  return b;
}

phone::~phone() {
  *alive_ = false;
  if (rt_) rt_->stop();
}

void phone::start() {
  if (!rt_) rt_ = std::make_unique<runtime>(*this, next_boot());
  ++stats_.boots;
  rt_->start();
}

void phone::boot() {
  try {
    rt_ = std::make_unique<runtime>(*this, next_boot());
  } catch (const std::exception& e) {
    log()->error("{} cannot boot: {}", opts_.id.endpoint_id, e.what());
    return;
  }
  ++stats_.boots;
  rt_->start();
}

void phone::stop() {
  reboot_timer_.cancel();
  if (rt_) rt_->stop();
}

void phone::reload_settings() {
  if (rt_) rt_->reload_settings();
}

void phone::restart(boot_info b, bool factory_reset) {
  // Posted: this runs from inside a handler of the runtime it replaces, and
  // the OperateResp must go out first.
  boost::asio::post(ex_, [this, b = std::move(b), factory_reset, alive = alive_] {
    if (!*alive) return;
    log()->info("{} {} (command key '{}')", opts_.id.endpoint_id, factory_reset ? "factory reset" : "rebooting",
                b.command_key);
    if (rt_) rt_->stop();
    rt_.reset();
    if (factory_reset) {
      // The state folder is what a factory reset forgets, except the
      // firmware: like a real phone, it keeps running what it runs.
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(opts_.state_dir, ec)) {
        if (entry.path().filename() != "firmware") fs::remove_all(entry.path(), ec);
      }
    }
    write_boot_marker(opts_.state_dir, b);
    reboot_timer_.expires_after(opts_.reboot_delay);
    reboot_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
      if (!ec && *alive) boot();
    });
  });
}

void phone::show_page(std::string url, dm::command_done done) {
  usp::http::fetch_options f;
  f.url = url;
  f.max_bytes = 256 * 1024;
  f.tls.ca_file = opts_.ca_file;
  usp::http::fetch(ex_, f, [this, url, done = std::move(done), alive = alive_](usp::http::fetch_result r) {
    if (!*alive) return;
    if (r.ec || r.status != 200) {
      const auto why = r.ec ? r.ec.message() : "HTTP status " + std::to_string(r.status);
      done({dm::outcome::error(7022, "cannot fetch " + url + ": " + why), {}});
      return;
    }
    const auto title = xml_element(r.body, "Title");
    const auto text = xml_element(r.body, "Text");
    if (rt_) {
      auto& dm = rt_->model();
      auto& mb = dm.ensure(std::string("Device.") + vendor_prefix + "XMLBrowser.");
      auto set = [&](const char* name, const std::string& v) {
        dm.set(mb, *mb.def().find_param(name), v, dm::change_origin::agent);
      };
      set("LastURL", url);
      set("LastTitle", title);
      set("LastText", text);
      set("LastShownTime", dm::now_date_time());
    }
    log()->info("{} shows {} ('{}')", opts_.id.endpoint_id, url, title);
    done({{}, {{"Title", title}}});
  });
}

const phone_stats& phone::stats() const noexcept { return stats_; }
const std::string& phone::endpoint_id() const noexcept { return opts_.id.endpoint_id; }
bool phone::running() const noexcept { return rt_ != nullptr; }

}  // namespace usp::agent

// Device.DeviceInfo.FirmwareImage.{i}. with Download() and Activate(), and
// DeviceInfo.ActiveFirmwareImage / BootFirmwareImage (Device:2.19,
// Firmware:1 profile; TR-369 Appendix "Firmware Management").
#include <algorithm>
#include <charconv>
#include <functional>
#include <map>

#include "dm/tree.hpp"
#include "firmware/checksum.hpp"
#include "model/phone_schema.hpp"
#include "model/services.hpp"
#include "usp/err_code.hpp"
#include "usp/http_fetch.hpp"

namespace usp::agent {

namespace {

using dm::value_type;
using inputs_t = std::map<std::string, std::string>;

constexpr const char* image_table = "Device.DeviceInfo.FirmwareImage.";

dm::outcome bad_input(std::string why) {
  return dm::outcome::error(usp::value(usp::err_code::invalid_command_arguments), std::move(why));
}

std::string input(const inputs_t& in, const std::string& name) {
  const auto it = in.find(name);
  return it == in.end() ? std::string() : it->second;
}

// The canonical value of an optional typed input, or the reason it is bad.
std::optional<std::string> typed(const inputs_t& in, const std::string& name, value_type t, std::string& why) {
  const auto it = in.find(name);
  if (it == in.end()) return std::string();
  std::string reason;
  auto v = dm::canonical(t, it->second, &reason);
  if (!v) why = name + ": " + reason;
  return v;
}

std::string image_path(unsigned n) { return image_table + std::to_string(n); }

// "Device.DeviceInfo.FirmwareImage.2" (or with a trailing dot) -> 2.
std::optional<unsigned> image_number(std::string_view ref) {
  if (ref.ends_with('.')) ref.remove_suffix(1);
  const std::string_view prefix = image_table;
  if (!ref.starts_with(prefix)) return std::nullopt;
  ref.remove_prefix(prefix.size());
  unsigned n = 0;
  const auto [p, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), n);
  if (ec != std::errc() || p != ref.data() + ref.size() || n < 1 || n > image_bank::slots) return std::nullopt;
  return n;
}

// ---- Download() ----------------------------------------------------------------

dm::outcome check_download(const dm::data_model& dm, const dm::instance& image, const inputs_t& in) {
  auto& bank = services(dm).images();
  const auto n = image.number();
  if (n == bank.active()) {
    return dm::outcome::error(usp::value(usp::err_code::request_denied),
                              image_path(n) + " is the running image; download into another one");
  }
  const auto status = bank.slot(n).status;
  if (status == image_status::downloading || status == image_status::validating) {
    return dm::outcome::error(usp::value(usp::err_code::request_denied), "a download into " + image_path(n) + " is in progress");
  }
  const auto url = input(in, "URL");
  if (!usp::http::valid_url(url)) return bad_input("URL: '" + url + "' is not an http:// or https:// URL without userinfo");
  std::string why;
  if (auto v = typed(in, "AutoActivate", value_type::boolean, why); !v) return bad_input(why);
  if (auto v = typed(in, "FileSize", value_type::unsigned_int, why); !v) return bad_input(why);
  for (const char* name : {"Username", "Password"}) {
    if (input(in, name).size() > 256) return bad_input(std::string(name) + ": at most 256 characters");
  }
  const auto algorithm = input(in, "CheckSumAlgorithm");
  const auto sum = input(in, "CheckSum");
  if (!algorithm.empty() && checksum::hex_size(algorithm) == 0) {
    return bad_input("CheckSumAlgorithm: '" + algorithm + "' is not SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512");
  }
  if (!sum.empty()) {
    if (algorithm.empty()) return bad_input("CheckSum needs a CheckSumAlgorithm");
    if (!dm::canonical(value_type::hex_binary, sum) || sum.size() != checksum::hex_size(algorithm)) {
      return bad_input("CheckSum: not a " + algorithm + " digest in hex");
    }
  }
  return {};
}

void run_download(dm::data_model& dm, dm::command_call call, dm::command_done done) {
  const auto& in = call.inputs;
  download_request req;
  req.slot = call.target->number();
  req.url = input(in, "URL");
  req.username = input(in, "Username");
  req.password = input(in, "Password");
  std::string why;
  const auto size = typed(in, "FileSize", value_type::unsigned_int, why).value_or("");
  req.file_size = size.empty() ? 0 : std::stoull(size);
  req.checksum = input(in, "CheckSum");
  if (!req.checksum.empty()) req.checksum_algorithm = input(in, "CheckSumAlgorithm");
  const bool auto_activate = typed(in, "AutoActivate", value_type::boolean, why).value_or("") == "true";
  services(dm).download_firmware(std::move(req), auto_activate, std::move(call), std::move(done));
}

// ---- Activate() ----------------------------------------------------------------

struct time_window {
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  std::string mode;
};

// TimeWindow.{i}.: 1 to 5 windows, each with Start, End and Mode, in order
// and without overlap. No window at all means "now".
std::optional<std::vector<time_window>> parse_windows(const inputs_t& in, std::string& why) {
  std::map<unsigned, std::map<std::string, std::string>> raw;
  for (const auto& [name, value] : in) {
    if (!name.starts_with("TimeWindow.")) continue;
    const auto rest = std::string_view(name).substr(11);
    const auto dot = std::min(rest.find('.'), rest.size());
    unsigned n = 0;
    const auto [p, ec] = std::from_chars(rest.data(), rest.data() + dot, n);
    if (dot == rest.size() || ec != std::errc() || p != rest.data() + dot || n == 0) {
      why = name + ": not a TimeWindow.{i} argument";
      return std::nullopt;
    }
    raw[n][std::string(rest.substr(dot + 1))] = value;
  }
  if (raw.size() > 5) {
    why = "at most 5 time windows";
    return std::nullopt;
  }
  std::vector<time_window> out;
  for (auto& [n, fields] : raw) {
    const auto prefix = "TimeWindow." + std::to_string(n) + ".";
    time_window w;
    for (const char* f : {"Start", "End", "Mode"}) {
      if (!fields.count(f)) {
        why = prefix + f + " is missing";
        return std::nullopt;
      }
    }
    for (auto [field, dest] : {std::pair<const char*, std::uint32_t*>{"Start", &w.start}, {"End", &w.end}}) {
      const auto v = dm::canonical(value_type::unsigned_int, fields[field]);
      if (!v) {
        why = prefix + field + ": not an unsignedInt";
        return std::nullopt;
      }
      *dest = static_cast<std::uint32_t>(std::stoul(*v));
    }
    w.mode = fields["Mode"];
    if (w.mode != "AnyTime" && w.mode != "Immediately" && w.mode != "WhenIdle" && w.mode != "ConfirmationNeeded") {
      why = prefix + "Mode: '" + w.mode + "' is not AnyTime, Immediately, WhenIdle or ConfirmationNeeded";
      return std::nullopt;
    }
    if (w.end < w.start) {
      why = prefix + "End is before Start";
      return std::nullopt;
    }
    if (fields.count("MaxRetries")) {
      const auto v = dm::canonical(value_type::int_, fields["MaxRetries"]);
      if (!v || std::stoi(*v) < -1 || std::stoi(*v) > 10) {
        why = prefix + "MaxRetries: must be -1 to 10";
        return std::nullopt;
      }
    }
    out.push_back(std::move(w));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  for (std::size_t i = 1; i < out.size(); ++i) {
    if (out[i].start < out[i - 1].end) {
      why = "time windows overlap";
      return std::nullopt;
    }
  }
  return out;
}

dm::outcome check_activate(const dm::data_model& dm, const dm::instance& image, const inputs_t& in) {
  const auto& s = services(dm).images().slot(image.number());
  if ((s.status != image_status::available && s.status != image_status::active) || !s.available) {
    return dm::outcome::error(usp::value(usp::err_code::command_failure),
                              image_path(image.number()) + " holds no available image (Status " + to_string(s.status) + ")");
  }
  std::string why;
  if (!parse_windows(in, why)) return bad_input(why);
  return {};
}

void run_activate(dm::data_model& dm, dm::command_call call, dm::command_done done) {
  std::string why;
  const auto windows = parse_windows(call.inputs, why).value_or(std::vector<time_window>{});
  // The phone has no user to wait for: every Mode activates at the start of
  // the first window.
  const auto delay = std::chrono::seconds(windows.empty() ? 0 : windows.front().start);
  const auto slot = call.target->number();
  services(dm).activate_firmware(slot, delay, std::move(call), std::move(done));
}

}  // namespace

void define_firmware(dm::schema& s) {
  auto& info = s.object("Device.DeviceInfo.");
  read_only(info, "ActiveFirmwareImage").get = [](const dm::data_model& dm, const dm::instance&) {
    return image_path(services(dm).images().active());
  };
  auto& boot = read_write(info, "BootFirmwareImage");
  boot.get = [](const dm::data_model& dm, const dm::instance&) { return image_path(services(dm).images().boot()); };
  // Refused before a Set changes anything (R-SET.1): a setter's error would
  // come too late to fail a required parameter.
  boot.guard = [](const dm::data_model& dm, const dm::instance&, const std::string& v) -> dm::outcome {
    const auto n = image_number(v);
    if (!n) return dm::outcome::error(usp::value(usp::err_code::invalid_value), "'" + v + "' is not a FirmwareImage row");
    if (auto why = services(dm).images().boot_refusal(*n); !why.empty()) {
      return dm::outcome::error(usp::value(usp::err_code::invalid_value), why);
    }
    return {};
  };
  boot.set = [](dm::data_model& dm, dm::instance&, const std::string& v) -> dm::outcome {
    const auto n = image_number(v);
    if (!n) return dm::outcome::error(usp::value(usp::err_code::invalid_value), "'" + v + "' is not a FirmwareImage row");
    if (auto why = services(dm).images().set_boot(*n); !why.empty()) {
      return dm::outcome::error(usp::value(usp::err_code::invalid_value), why);
    }
    return {};
  };

  auto& img = s.object("Device.DeviceInfo.FirmwareImage.{i}.");
  img.unique_keys = {{"Alias"}};
  read_write(img, "Alias").check = [](std::string_view v) {
    return v.size() > 64 ? std::string("must be at most 64 characters") : std::string();
  };
  auto from_slot = [&img](const char* name, value_type t, std::function<std::string(const image_slot&)> f) -> dm::param_def& {
    auto& p = read_only(img, name, t);
    p.get = [f = std::move(f)](const dm::data_model& dm, const dm::instance& inst) {
      return f(services(dm).images().slot(inst.number()));
    };
    return p;
  };
  from_slot("Name", value_type::string, [](const image_slot& slot) { return slot.name; });
  from_slot("Version", value_type::string, [](const image_slot& slot) { return slot.version; });
  from_slot("Status", value_type::string, [](const image_slot& slot) { return std::string(to_string(slot.status)); });
  from_slot("BootFailureLog", value_type::string, [](const image_slot& slot) { return slot.boot_failure_log; });
  auto& available = read_write(img, "Available", value_type::boolean, "false");
  available.get = [](const dm::data_model& dm, const dm::instance& inst) {
    return services(dm).images().slot(inst.number()).available ? std::string("true") : std::string("false");
  };
  available.guard = [](const dm::data_model& dm, const dm::instance& inst, const std::string& v) -> dm::outcome {
    if (auto why = services(dm).images().available_refusal(inst.number(), v == "true"); !why.empty()) {
      return dm::outcome::error(usp::value(usp::err_code::invalid_value), why);
    }
    return {};
  };
  available.set = [](dm::data_model& dm, dm::instance& inst, const std::string& v) -> dm::outcome {
    if (auto why = services(dm).images().set_available(inst.number(), v == "true"); !why.empty()) {
      return dm::outcome::error(usp::value(usp::err_code::invalid_value), why);
    }
    return {};
  };

  img.commands.push_back({"Download", true,
                          {"URL", "AutoActivate", "Username", "Password", "FileSize", "CheckSumAlgorithm", "CheckSum"},
                          {},
                          {"URL", "AutoActivate"},
                          run_download,
                          check_download});
  img.commands.push_back({"Activate", true,
                          {"TimeWindow.{i}.Start", "TimeWindow.{i}.End", "TimeWindow.{i}.Mode",
                           "TimeWindow.{i}.UserMessage", "TimeWindow.{i}.MaxRetries"},
                          {},
                          {},
                          run_activate,
                          check_activate});
}

// Fixed rows, one per bank slot.
void add_firmware_rows(dm::data_model& dm) {
  for (unsigned n = 1; n <= image_bank::slots; ++n) {
    auto& row = dm.ensure(image_path(n) + ".");
    const auto* alias = row.def().find_param("Alias");
    if (dm.get(row, *alias).empty()) dm.set(row, *alias, "cpe-firmware-" + std::to_string(n), dm::change_origin::agent);
  }
}

}  // namespace usp::agent

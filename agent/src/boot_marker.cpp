#include "boot_marker.hpp"

#include <charconv>
#include <filesystem>

#include "usp/files.hpp"
#include "usp/log.hpp"
#include "usp/strings.hpp"

namespace usp::agent {

namespace fs = std::filesystem;

namespace {

// One notice per line: space-separated, percent-encoded fields, then k=v pairs.
std::string encode_notice(const carried_notice& n) {
  auto f = [](std::string_view v) { return v.empty() ? std::string("%00") : percent_encode(v); };
  std::string line = f(n.obj_path) + " " + f(n.name) + " " + f(n.command_key) + " " + std::to_string(n.err_code) +
                     " " + f(n.err_msg);
  for (const auto& [k, v] : n.args) line += " " + f(k) + "=" + f(v);
  return line;
}

std::optional<carried_notice> decode_notice(std::string_view line) {
  auto field = [](std::string_view v) -> std::optional<std::string> {
    if (v == "%00") return std::string();
    return percent_decode(v);
  };
  const auto parts = split(line, ' ');
  if (parts.size() < 5) return std::nullopt;
  carried_notice n;
  auto path = field(parts[0]);
  auto name = field(parts[1]);
  auto key = field(parts[2]);
  auto msg = field(parts[4]);
  const auto [p, ec] = std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), n.err_code);
  if (!path || !name || !key || !msg || ec != std::errc() || p != parts[3].data() + parts[3].size()) return std::nullopt;
  n.obj_path = std::move(*path);
  n.name = std::move(*name);
  n.command_key = std::move(*key);
  n.err_msg = std::move(*msg);
  for (std::size_t i = 5; i < parts.size(); ++i) {
    const auto eq = parts[i].find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    auto k = field(parts[i].substr(0, eq));
    auto v = field(parts[i].substr(eq + 1));
    if (!k || !v) return std::nullopt;
    n.args[std::move(*k)] = std::move(*v);
  }
  return n;
}

}  // namespace

boot_info take_boot_marker(const std::string& state_dir) {
  boot_info b;
  const auto marker = state_dir + "/boot";
  if (auto text = read_file(marker)) {
    for (const auto line : split(*text, '\n')) {
      const auto eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      const auto key = line.substr(0, eq);
      const auto value = std::string(line.substr(eq + 1));
      if (key == "cause") b.cause = value;
      if (key == "reason") b.reason = value;
      if (key == "command_key") b.command_key = value;
      if (key == "firmware_updated") b.firmware_updated = value == "true";
      if (key == "notice") {
        if (auto n = decode_notice(value)) {
          b.carried.push_back(std::move(*n));
        } else {
          usp::log::get("agent")->warn("{}: skipping a malformed carried notification", marker);
        }
      }
    }
    std::error_code ec;
    fs::remove(marker, ec);
  } else if (std::error_code ec; !fs::exists(state_dir + "/booted", ec)) {
    b.cause = "LocalFactoryReset";
  }
  std::string why;
  if (!write_file_atomically(state_dir + "/booted", "1\n", why)) usp::log::get("agent")->error("{}", why);
  return b;
}

void write_boot_marker(const std::string& state_dir, const boot_info& b) {
  // Cause, reason and command key come from controllers: one line each.
  auto line = [](std::string_view v) { return std::string(v.substr(0, v.find_first_of("\r\n"))); };
  std::string text = "cause=" + line(b.cause) + "\nreason=" + line(b.reason) + "\ncommand_key=" + line(b.command_key) +
                     "\nfirmware_updated=" + (b.firmware_updated ? "true" : "false") + "\n";
  for (const auto& n : b.carried) text += "notice=" + encode_notice(n) + "\n";
  std::string why;
  if (!write_file_atomically(state_dir + "/boot", text, why)) usp::log::get("agent")->error("{}", why);
}

}  // namespace usp::agent

#include "firmware/image_bank.hpp"

#include <charconv>
#include <filesystem>

#include "usp/files.hpp"
#include "usp/log.hpp"
#include "usp/strings.hpp"

namespace usp::agent {

namespace {

constexpr std::array<const char*, 9> status_names = {
    "NoImage",         "Active",           "Downloading",        "Validating",       "Available",
    "DownloadFailed",  "ValidationFailed", "InstallationFailed", "ActivationFailed",
};

constexpr std::string_view header_tag = "SNOM-FIRMWARE";
// Slot 1's name while it holds the image the phone came with, which has no
// image file.
constexpr const char* factory_name = "factory";

std::optional<unsigned> slot_number(std::string_view s) {
  unsigned n = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size() || n < 1 || n > image_bank::slots) return std::nullopt;
  return n;
}

// Values are one line each; the bank file escapes what would break that.
std::string escape(std::string_view v) { return percent_encode(v, " !\"#$&'()*+,-./:;<=>?@[]^_`{|}~"); }

}  // namespace

const char* to_string(image_status s) noexcept { return status_names[static_cast<std::size_t>(s)]; }

std::optional<image_status> parse_image_status(std::string_view s) noexcept {
  for (std::size_t i = 0; i < status_names.size(); ++i) {
    if (s == status_names[i]) return static_cast<image_status>(i);
  }
  return std::nullopt;
}

std::optional<image_header> parse_image_header(std::string_view bytes) {
  const auto eol = bytes.find('\n');
  if (eol == std::string_view::npos) return std::nullopt;
  auto line = bytes.substr(0, eol);
  if (line.ends_with('\r')) line.remove_suffix(1);  // tolerate CRLF
  line = trim(line);
  const auto words = split(line, ' ');
  if (words.empty() || words.front() != header_tag) return std::nullopt;
  image_header h;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const auto w = words[i];
    if (w.starts_with("model=")) h.model = std::string(w.substr(6));
    if (w.starts_with("version=")) h.version = std::string(w.substr(8));
  }
  if (h.model.empty() || h.version.empty() || h.version.size() > 64) return std::nullopt;
  for (char c : h.version) {
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) return std::nullopt;
  }
  return h;
}

std::string make_image_header(const image_header& h) {
  return std::string(header_tag) + " model=" + h.model + " version=" + h.version + "\n";
}

image_bank::image_bank(std::string dir, std::string factory_version) : dir_(std::move(dir)) {
  slots_[0] = {factory_name, std::move(factory_version), image_status::active, true, {}};
  if (auto text = read_file(dir_ + "/bank.txt")) {
    for (const auto line : split(*text, '\n')) {
      const auto eq = line.find('=');
      if (line.empty() || line.front() == '#' || eq == std::string_view::npos) continue;
      const auto key = line.substr(0, eq);
      const auto value = percent_decode(line.substr(eq + 1)).value_or("");
      if (key == "active") active_ = slot_number(value).value_or(1);
      if (key == "boot") boot_ = slot_number(value).value_or(active_);
      const auto dot = key.find('.');
      const auto n = dot == std::string_view::npos ? std::nullopt : slot_number(key.substr(0, dot));
      if (!n) continue;
      auto& s = slots_[*n - 1];
      const auto field = key.substr(dot + 1);
      if (field == "name") s.name = value;
      if (field == "version") s.version = value;
      if (field == "status") s.status = parse_image_status(value).value_or(image_status::no_image);
      if (field == "available") s.available = value == "true";
      if (field == "boot_failure_log") s.boot_failure_log = value;
    }
  }
}

void image_bank::boot_up() {
  switched_ = false;
  failed_boot_ = 0;
  // A download cut short by a reboot did not finish.
  for (unsigned n = 1; n <= slots; ++n) {
    auto& s = slots_[n - 1];
    if (s.status == image_status::downloading || s.status == image_status::validating) {
      s = {};
      s.status = image_status::download_failed;
      s.boot_failure_log = "the download was interrupted by a reboot";
    }
  }
  // Booting: the boot image runs when it is usable; otherwise the phone
  // falls back to the one that ran before (and says why).
  if (boot_ != active_) {
    auto& next = slots_[boot_ - 1];
    std::error_code ec;
    const bool factory = boot_ == 1 && next.name == factory_name;
    if (next.available && !next.version.empty() && (factory || std::filesystem::exists(image_file(boot_), ec))) {
      slots_[active_ - 1].status = image_status::available;
      next.status = image_status::active;
      next.boot_failure_log.clear();
      active_ = boot_;
      switched_ = true;
    } else {
      next.status = image_status::activation_failed;
      failed_boot_ = boot_;
      next.boot_failure_log = "image " + std::to_string(boot_) + " could not be booted";
      boot_ = active_;
    }
  }
  slots_[active_ - 1].status = image_status::active;
  save();
}

std::string image_bank::image_file(unsigned number) const { return dir_ + "/image-" + std::to_string(number) + ".bin"; }
std::string image_bank::partial_file(unsigned number) const { return dir_ + "/image-" + std::to_string(number) + ".part"; }

std::string image_bank::boot_refusal(unsigned number) const {
  const auto& s = slot(number);
  if (number != active_ && (s.status != image_status::available || !s.available)) {
    return "FirmwareImage." + std::to_string(number) + " holds no available image";
  }
  return {};
}

std::string image_bank::available_refusal(unsigned number, bool available) const {
  if (!available && (number == active_ || number == boot_)) {
    return "the active or boot image cannot be made unavailable";
  }
  return {};
}

std::string image_bank::set_boot(unsigned number) {
  if (auto why = boot_refusal(number); !why.empty()) return why;
  boot_ = number;
  save();
  return {};
}

std::string image_bank::set_available(unsigned number, bool available) {
  if (auto why = available_refusal(number, available); !why.empty()) return why;
  slots_.at(number - 1).available = available;
  save();
  return {};
}

void image_bank::begin_download(unsigned number) {
  auto& s = slots_.at(number - 1);
  s = {};
  s.status = image_status::downloading;
  if (boot_ == number) boot_ = active_;
  save();
}

void image_bank::set_status(unsigned number, image_status st) {
  slots_.at(number - 1).status = st;
  save();
}

void image_bank::fail(unsigned number, image_status st, std::string log) {
  auto& s = slots_.at(number - 1);
  s = {};
  s.status = st;
  s.boot_failure_log = std::move(log);
  save();
}

void image_bank::install(unsigned number, std::string name, std::string version) {
  auto& s = slots_.at(number - 1);
  s.name = std::move(name);
  s.version = std::move(version);
  s.status = image_status::available;
  s.available = true;
  s.boot_failure_log.clear();
  save();
}

void image_bank::save() {
  std::string out = "# usp-agent firmware banks\nactive=" + std::to_string(active_) + "\nboot=" + std::to_string(boot_) + "\n";
  for (unsigned n = 1; n <= slots; ++n) {
    const auto& s = slots_[n - 1];
    const auto k = std::to_string(n) + ".";
    out += k + "name=" + escape(s.name) + "\n" + k + "version=" + escape(s.version) + "\n" + k + "status=" +
           to_string(s.status) + "\n" + k + "available=" + (s.available ? "true" : "false") + "\n" + k +
           "boot_failure_log=" + escape(s.boot_failure_log) + "\n";
  }
  std::string why;
  if (!write_file_atomically(dir_ + "/bank.txt", out, why)) {
    usp::log::get("agent")->error("cannot save the firmware banks: {}", why);
  }
}

}  // namespace usp::agent

// The phone's firmware banks (Device.DeviceInfo.FirmwareImage.{i}.): two
// slots, one running, kept in <state-dir>/firmware/ across reboots and
// factory resets. Image files are simulated: a header line names the model
// and version the image would install (see docs/agent-files.md).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace usp::agent {

// Device.DeviceInfo.FirmwareImage.{i}.Status
enum class image_status : std::uint8_t {
  no_image,
  active,
  downloading,
  validating,
  available,
  download_failed,
  validation_failed,
  installation_failed,
  activation_failed,
};
const char* to_string(image_status s) noexcept;
std::optional<image_status> parse_image_status(std::string_view s) noexcept;

struct image_slot {
  std::string name;     // the file name it came as
  std::string version;  // what SoftwareVersion becomes when it runs
  image_status status = image_status::no_image;
  bool available = false;  // Available: may be activated / booted
  std::string boot_failure_log;
};

// "SNOM-FIRMWARE model=D785 version=10.1.190.0" on the image's first line.
struct image_header {
  std::string model;
  std::string version;
};
std::optional<image_header> parse_image_header(std::string_view first_bytes);
std::string make_image_header(const image_header& h);

class image_bank {
 public:
  static constexpr unsigned slots = 2;

  // Loads <dir>/bank.txt; a phone without one runs `factory_version` from
  // slot 1.
  image_bank(std::string dir, std::string factory_version);
  // Each boot: the slot chosen for booting becomes the active one when it
  // holds a usable image (`switched()` then tells that this boot runs new
  // firmware); a download the restart cut short is marked failed.
  void boot_up();

  const image_slot& slot(unsigned number) const { return slots_.at(number - 1); }
  unsigned active() const noexcept { return active_; }
  unsigned boot() const noexcept { return boot_; }
  bool switched() const noexcept { return switched_; }
  // The slot this boot should have run and could not (0: none).
  unsigned failed_boot() const noexcept { return failed_boot_; }
  const std::string& running_version() const { return slot(active_).version; }
  std::string image_file(unsigned number) const;
  std::string partial_file(unsigned number) const;

  // Empty when fine, else why not (for 7xxx messages).
  std::string set_boot(unsigned number);
  std::string set_available(unsigned number, bool available);
  // The same answers without changing anything (Set validates first).
  std::string boot_refusal(unsigned number) const;
  std::string available_refusal(unsigned number, bool available) const;

  // A download into `number` starts / fails / succeeds.
  void begin_download(unsigned number);
  void set_status(unsigned number, image_status s);
  void fail(unsigned number, image_status s, std::string log);
  void install(unsigned number, std::string name, std::string version);

 private:
  void save();

  std::string dir_;
  std::array<image_slot, slots> slots_{};
  unsigned active_ = 1;
  unsigned boot_ = 1;
  bool switched_ = false;
  unsigned failed_boot_ = 0;
};

}  // namespace usp::agent

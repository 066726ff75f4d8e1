// Firmware management: the two image banks and their persistence, image
// headers, checksums, the boot marker, and Device.DeviceInfo.FirmwareImage.{i}.
// with Download() and Activate() through the real handlers.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "boot_marker.hpp"
#include "firmware/checksum.hpp"
#include "firmware/image_bank.hpp"
#include "firmware/image_download.hpp"
#include "phone_fixture.hpp"
#include "usp/err_code.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp::agent::test {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t code(usp::err_code c) { return usp::value(c); }

constexpr const char* factory_version = "10.1.182.0";
constexpr const char* new_version = "10.1.190.0";

using string_map = std::map<std::string, std::string>;

// ---- image_bank ------------------------------------------------------------------

class FirmwareBank : public ::testing::Test {
 protected:
  // A bank as the phone makes one at boot.
  image_bank boot_bank() const {
    image_bank b(dir_.path(), factory_version);
    b.boot_up();
    return b;
  }
  // Stores an image file for `slot` as a finished download would.
  void write_image(const image_bank& b, unsigned slot, const std::string& version) const {
    dir_.write(fs::path(b.image_file(slot)).filename().string(), make_image_header({"D785", version}) + "payload");
  }

  usp::test::temp_dir dir_;
};

TEST_F(FirmwareBank, AFreshPhoneRunsTheFactoryImageFromSlotOne) {
  const image_bank b(dir_.path(), factory_version);
  EXPECT_EQ(b.active(), 1U);
  EXPECT_EQ(b.boot(), 1U);
  EXPECT_FALSE(b.switched());
  EXPECT_EQ(b.running_version(), factory_version);
  EXPECT_EQ(b.slot(1).status, image_status::active);
  EXPECT_EQ(b.slot(1).version, factory_version);
  EXPECT_TRUE(b.slot(1).available);
  EXPECT_EQ(b.slot(2).status, image_status::no_image);
  EXPECT_FALSE(b.slot(2).available);
  EXPECT_TRUE(b.slot(2).version.empty());

  const auto booted = boot_bank();
  EXPECT_EQ(booted.active(), 1U);
  EXPECT_FALSE(booted.switched());
  EXPECT_EQ(booted.slot(1).status, image_status::active);
  EXPECT_EQ(booted.slot(2).status, image_status::no_image);
  EXPECT_TRUE(fs::exists(dir_.file("bank.txt"))) << "boot_up saves the banks";
}

TEST_F(FirmwareBank, TheBootImageBecomesActiveOnTheNextBootOnly) {
  {
    auto b = boot_bank();
    b.install(2, "fw-10.1.190.0.bin", new_version);
    write_image(b, 2, new_version);
    EXPECT_EQ(b.slot(2).status, image_status::available);
    EXPECT_TRUE(b.slot(2).available);
    ASSERT_EQ(b.set_boot(2), "");
    EXPECT_EQ(b.boot(), 2U);
    EXPECT_EQ(b.active(), 1U) << "nothing switches before the reboot";
    EXPECT_EQ(b.running_version(), factory_version);
  }
  {
    auto b = boot_bank();
    EXPECT_TRUE(b.switched());
    EXPECT_EQ(b.active(), 2U);
    EXPECT_EQ(b.boot(), 2U);
    EXPECT_EQ(b.running_version(), new_version);
    EXPECT_EQ(b.slot(2).status, image_status::active);
    EXPECT_EQ(b.slot(2).name, "fw-10.1.190.0.bin");
    EXPECT_EQ(b.slot(1).status, image_status::available);
    EXPECT_TRUE(b.slot(1).available);
    EXPECT_EQ(b.slot(1).version, factory_version);
  }
  {
    auto b = boot_bank();
    EXPECT_FALSE(b.switched()) << "only the boot that changed the image reports it";
    EXPECT_EQ(b.active(), 2U);
    EXPECT_EQ(b.running_version(), new_version);
    // And back to the factory image.
    ASSERT_EQ(b.set_boot(1), "");
  }
  const auto b = boot_bank();
  EXPECT_TRUE(b.switched());
  EXPECT_EQ(b.active(), 1U);
  EXPECT_EQ(b.running_version(), factory_version);
  EXPECT_EQ(b.slot(2).status, image_status::available);
}

TEST_F(FirmwareBank, ABootImageWithoutItsFileFailsAndThePhoneStaysOnTheOldOne) {
  {
    auto b = boot_bank();
    b.install(2, "fw.bin", new_version);  // no image-2.bin written
    ASSERT_EQ(b.set_boot(2), "");
  }
  {
    auto b = boot_bank();
    EXPECT_FALSE(b.switched());
    EXPECT_EQ(b.active(), 1U);
    EXPECT_EQ(b.boot(), 1U);
    EXPECT_EQ(b.running_version(), factory_version);
    EXPECT_EQ(b.slot(1).status, image_status::active);
    EXPECT_EQ(b.slot(2).status, image_status::activation_failed);
    EXPECT_FALSE(b.slot(2).boot_failure_log.empty());
  }
  // The failure is remembered, and the next boot does not try again.
  const auto b = boot_bank();
  EXPECT_FALSE(b.switched());
  EXPECT_EQ(b.active(), 1U);
  EXPECT_EQ(b.slot(2).status, image_status::activation_failed);
  EXPECT_FALSE(b.slot(2).boot_failure_log.empty());
}

TEST_F(FirmwareBank, TheActiveAndBootImagesCannotBeMadeUnavailable) {
  auto b = boot_bank();
  EXPECT_NE(b.set_available(1, false), "");
  EXPECT_TRUE(b.slot(1).available);

  b.install(2, "fw.bin", new_version);
  ASSERT_EQ(b.set_boot(2), "");
  EXPECT_NE(b.set_available(2, false), "") << "the boot image";
  EXPECT_TRUE(b.slot(2).available);

  ASSERT_EQ(b.set_boot(1), "");
  EXPECT_EQ(b.set_available(2, false), "");
  EXPECT_FALSE(b.slot(2).available);
  EXPECT_NE(b.set_boot(2), "") << "an unavailable image cannot be booted";
  EXPECT_EQ(b.boot(), 1U);
  EXPECT_EQ(b.set_available(2, true), "");
  EXPECT_TRUE(b.slot(2).available);
  EXPECT_TRUE(boot_bank().slot(2).available) << "Available is persisted";
}

TEST_F(FirmwareBank, AnEmptySlotCannotBeTheBootImage) {
  auto b = boot_bank();
  EXPECT_NE(b.set_boot(2), "");
  EXPECT_EQ(b.boot(), 1U);
  EXPECT_EQ(boot_bank().boot(), 1U);
  // Available alone does not make an image.
  ASSERT_EQ(b.set_available(2, true), "");
  EXPECT_NE(b.set_boot(2), "");
  EXPECT_EQ(b.boot(), 1U);
}

TEST_F(FirmwareBank, ADownloadCutShortByARebootHasFailed) {
  {
    auto b = boot_bank();
    b.install(2, "old.bin", new_version);
    ASSERT_EQ(b.set_boot(2), "");
    b.begin_download(2);
    EXPECT_EQ(b.slot(2).status, image_status::downloading);
    EXPECT_EQ(b.boot(), 1U) << "a slot being overwritten is no longer the boot image";
  }
  {
    auto b = boot_bank();
    EXPECT_FALSE(b.switched());
    EXPECT_EQ(b.active(), 1U);
    EXPECT_EQ(b.slot(2).status, image_status::download_failed);
    EXPECT_FALSE(b.slot(2).available);
    EXPECT_TRUE(b.slot(2).version.empty());
    EXPECT_FALSE(b.slot(2).boot_failure_log.empty());
    b.set_status(2, image_status::downloading);
    b.set_status(2, image_status::validating);
  }
  EXPECT_EQ(boot_bank().slot(2).status, image_status::download_failed) << "Validating is cut short too";
}

TEST_F(FirmwareBank, ValuesSurviveTheBankFileWhateverTheyHold) {
  const std::string name = "my image 100%\nfirmware=evil\r\n2.status=Active #x";
  const std::string version = "v 1%\n2\tboot=2";
  {
    auto b = boot_bank();
    b.install(2, name, version);
  }
  {
    const image_bank b(dir_.path(), factory_version);
    EXPECT_EQ(b.active(), 1U);
    EXPECT_EQ(b.boot(), 1U);
    EXPECT_EQ(b.slot(2).name, name);
    EXPECT_EQ(b.slot(2).version, version);
    EXPECT_EQ(b.slot(2).status, image_status::available);
    EXPECT_TRUE(b.slot(2).available);
    EXPECT_EQ(b.slot(1).name, "factory");
    EXPECT_EQ(b.slot(1).version, factory_version);
    EXPECT_EQ(b.slot(1).status, image_status::active);
  }
  const std::string log = "line one\nboot=2\nactive=2\n% %41 %zz =";
  {
    auto b = boot_bank();
    b.fail(2, image_status::validation_failed, log);
  }
  const image_bank b(dir_.path(), factory_version);
  EXPECT_EQ(b.active(), 1U);
  EXPECT_EQ(b.boot(), 1U);
  EXPECT_EQ(b.slot(2).status, image_status::validation_failed);
  EXPECT_EQ(b.slot(2).boot_failure_log, log);
  EXPECT_EQ(b.slot(2).name, "");
  EXPECT_FALSE(b.slot(2).available);
}

TEST(FirmwareStatus, NamesRoundTrip) {
  for (auto s : {image_status::no_image, image_status::active, image_status::downloading, image_status::validating,
                 image_status::available, image_status::download_failed, image_status::validation_failed,
                 image_status::installation_failed, image_status::activation_failed}) {
    EXPECT_EQ(parse_image_status(to_string(s)), s) << to_string(s);
  }
  EXPECT_STREQ(to_string(image_status::no_image), "NoImage");
  EXPECT_STREQ(to_string(image_status::activation_failed), "ActivationFailed");
  EXPECT_FALSE(parse_image_status("active"));
  EXPECT_FALSE(parse_image_status(""));
}

// ---- image headers ---------------------------------------------------------------------

TEST(FirmwareHeader, AGoodHeaderNamesModelAndVersion) {
  const auto h = parse_image_header("SNOM-FIRMWARE model=D785 version=10.1.190.0\n\x7f" "ELF binary...");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->model, "D785");
  EXPECT_EQ(h->version, "10.1.190.0");
  const auto reordered = parse_image_header("SNOM-FIRMWARE version=2 model=D735\n");
  ASSERT_TRUE(reordered);
  EXPECT_EQ(reordered->model, "D735");
  EXPECT_EQ(reordered->version, "2");
}

TEST(FirmwareHeader, BadHeadersAreRejected) {
  EXPECT_FALSE(parse_image_header("")) << "empty";
  EXPECT_FALSE(parse_image_header("model=D785 version=10.1.190.0\n")) << "no tag";
  EXPECT_FALSE(parse_image_header("FIRMWARE model=D785 version=10.1.190.0\n")) << "wrong tag";
  EXPECT_FALSE(parse_image_header("SNOM-FIRMWARE-X model=D785 version=10.1.190.0\n")) << "wrong tag";
  EXPECT_FALSE(parse_image_header("SNOM-FIRMWARE model=D785\n")) << "no version";
  EXPECT_FALSE(parse_image_header("SNOM-FIRMWARE model=D785 version=\n")) << "empty version";
  EXPECT_FALSE(parse_image_header("SNOM-FIRMWARE version=10.1.190.0\n")) << "no model";
  EXPECT_FALSE(parse_image_header("SNOM-FIRMWARE model=D785 version=10.1.190.0")) << "no newline";
  EXPECT_FALSE(parse_image_header("junk\nSNOM-FIRMWARE model=D785 version=10.1.190.0\n")) << "not the first line";
  EXPECT_FALSE(parse_image_header(std::string("SNOM-FIRMWARE model=D785 version=10.\x01") + "1\n")) << "control char";
  EXPECT_FALSE(parse_image_header("SNOM-FIRMWARE model=D785 version=10.\x1b[2J\n")) << "escape";
  EXPECT_FALSE(parse_image_header("SNOM-FIRMWARE model=D785 version=10.1\x7f\n")) << "DEL";
  EXPECT_FALSE(parse_image_header("SNOM-FIRMWARE model=D785 version=" + std::string(65, '1') + "\n")) << "too long";
  EXPECT_TRUE(parse_image_header("SNOM-FIRMWARE model=D785 version=" + std::string(64, '1') + "\n")) << "64 is fine";
}

TEST(FirmwareHeader, MakeAndParseRoundTrip) {
  const auto text = make_image_header({"D785", "10.1.190.0"});
  EXPECT_EQ(text, "SNOM-FIRMWARE model=D785 version=10.1.190.0\n");
  const auto h = parse_image_header(text + "rest of the image");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->model, "D785");
  EXPECT_EQ(h->version, "10.1.190.0");
}

// ---- checksums ---------------------------------------------------------------------------

TEST(FirmwareChecksum, KnownDigestsFedInPieces) {
  auto sha1 = checksum::make("SHA-1");
  ASSERT_TRUE(sha1);
  sha1->update("a");
  sha1->update("bc");
  EXPECT_EQ(sha1->finish(), "a9993e364706816aba3e25717850c26c9cd0d89d");

  auto sha256 = checksum::make("SHA-256");
  ASSERT_TRUE(sha256);
  sha256->update("ab");
  sha256->update("");
  sha256->update("c");
  EXPECT_EQ(sha256->finish(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  auto whole = checksum::make("SHA-256");
  ASSERT_TRUE(whole);
  whole->update("abc");
  EXPECT_EQ(whole->finish(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(FirmwareChecksum, EveryAlgorithmAndItsHexSize) {
  const std::map<std::string, std::size_t> sizes = {
      {"SHA-1", 40}, {"SHA-224", 56}, {"SHA-256", 64}, {"SHA-384", 96}, {"SHA-512", 128}};
  for (const auto& [name, size] : sizes) {
    EXPECT_EQ(checksum::hex_size(name), size) << name;
    auto c = checksum::make(name);
    ASSERT_TRUE(c) << name;
    c->update("abc");
    EXPECT_EQ(c->finish().size(), size) << name;
  }
  for (const char* unknown : {"MD5", "sha-256", "SHA256", "SHA-256 ", ""}) {
    EXPECT_FALSE(checksum::make(unknown)) << unknown;
    EXPECT_EQ(checksum::hex_size(unknown), 0U) << unknown;
  }
}

TEST(FirmwareChecksum, SameHexIgnoresCaseButNotLength) {
  EXPECT_TRUE(same_hex("a9993E36", "A9993e36"));
  EXPECT_TRUE(same_hex("", ""));
  EXPECT_FALSE(same_hex("a9993e36", "a9993e3"));
  EXPECT_FALSE(same_hex("a9993e3", "a9993e36"));
  EXPECT_FALSE(same_hex("a9993e36", "a9993e37"));
}

// ---- image names -----------------------------------------------------------------------

TEST(FirmwareImageName, TheLastSegmentOfThePathWithoutQueryOrFragment) {
  EXPECT_EQ(image_name_from_url("https://fw.example/d785/fw-10.1.190.0.bin"), "fw-10.1.190.0.bin");
  EXPECT_EQ(image_name_from_url("https://fw.example/d785/fw.bin?token=a/b&x=1"), "fw.bin");
  EXPECT_EQ(image_name_from_url("https://fw.example/d785/fw.bin#part/2"), "fw.bin");
  EXPECT_EQ(image_name_from_url("https://fw.example/d785/fw.bin?q=1#f"), "fw.bin");
  EXPECT_EQ(image_name_from_url("https://fw.example/d785/"), "image.bin");
  EXPECT_EQ(image_name_from_url("https://fw.example/d785/?name=x.bin"), "image.bin");
  EXPECT_EQ(image_name_from_url("https://fw.example/" + std::string(100, 'n')), std::string(64, 'n'));
}

// ---- boot marker ---------------------------------------------------------------------------

TEST(BootMarker, WhatARestartWritesTheNextBootReadsOnce) {
  usp::test::temp_dir dir;
  boot_info before;
  before.cause = "RemoteReboot";
  before.reason = "FirmwareUpdate";
  before.command_key = "activate 1";
  before.firmware_updated = true;

  carried_notice event;
  event.obj_path = "Device.LocalAgent.";
  event.name = "TransferComplete";
  event.args = {{"Command Key", "a b=c%20d\ne"}, {"FaultCode", "0"}, {"Empty", ""}, {"x=y", "%"}};
  before.carried.push_back(event);

  carried_notice command;
  command.obj_path = "Device.DeviceInfo.FirmwareImage.2.";
  command.name = "Activate()";
  command.command_key = "key with spaces";
  command.err_code = 7022;
  command.err_msg = "image 2 could not be booted: 100% broken\nreally";
  before.carried.push_back(command);

  write_boot_marker(dir.path(), before);
  ASSERT_TRUE(fs::exists(dir.file("boot")));

  const auto after = take_boot_marker(dir.path());
  EXPECT_EQ(after.cause, "RemoteReboot");
  EXPECT_EQ(after.reason, "FirmwareUpdate");
  EXPECT_EQ(after.command_key, "activate 1");
  EXPECT_TRUE(after.firmware_updated);
  ASSERT_EQ(after.carried.size(), 2U);
  const auto& e = after.carried[0];
  EXPECT_EQ(e.obj_path, event.obj_path);
  EXPECT_EQ(e.name, event.name);
  EXPECT_TRUE(e.is_event());
  EXPECT_EQ(e.command_key, "");
  EXPECT_EQ(e.err_code, 0U);
  EXPECT_EQ(e.err_msg, "");
  EXPECT_EQ(e.args, event.args);
  const auto& c = after.carried[1];
  EXPECT_EQ(c.obj_path, command.obj_path);
  EXPECT_EQ(c.name, "Activate()");
  EXPECT_FALSE(c.is_event());
  EXPECT_EQ(c.command_key, command.command_key);
  EXPECT_EQ(c.err_code, 7022U);
  EXPECT_EQ(c.err_msg, command.err_msg);
  EXPECT_TRUE(c.args.empty());

  EXPECT_FALSE(fs::exists(dir.file("boot"))) << "the marker is taken";
  const auto again = take_boot_marker(dir.path());
  EXPECT_EQ(again.cause, "LocalReboot");
  EXPECT_FALSE(again.firmware_updated);
  EXPECT_TRUE(again.carried.empty());
}

TEST(BootMarker, WithoutAMarkerTheFirstBootIsAFactoryResetAndLaterOnesPowerCycles) {
  usp::test::temp_dir dir;
  const auto first = take_boot_marker(dir.path());
  EXPECT_EQ(first.cause, "LocalFactoryReset");
  EXPECT_EQ(first.reason, "Unknown");
  EXPECT_EQ(first.command_key, "");
  EXPECT_FALSE(first.firmware_updated);
  EXPECT_TRUE(first.carried.empty());
  const auto second = take_boot_marker(dir.path());
  EXPECT_EQ(second.cause, "LocalReboot");
  EXPECT_EQ(second.reason, "Unknown");
  const auto third = take_boot_marker(dir.path());
  EXPECT_EQ(third.cause, "LocalReboot");
}

TEST(BootMarker, ControllerTextCannotAddLinesToTheMarker) {
  usp::test::temp_dir dir;
  boot_info before;
  before.cause = "RemoteReboot\ncause=LocalFactoryReset";
  before.reason = "r\rfirmware_updated=true";
  before.command_key = "k\nfirmware_updated=true";
  before.firmware_updated = false;
  write_boot_marker(dir.path(), before);
  const auto after = take_boot_marker(dir.path());
  EXPECT_EQ(after.cause, "RemoteReboot");
  EXPECT_EQ(after.reason, "r");
  EXPECT_EQ(after.command_key, "k");
  EXPECT_FALSE(after.firmware_updated);
  EXPECT_TRUE(after.carried.empty());
}

// ---- Device.DeviceInfo.FirmwareImage.{i}. ------------------------------------------------------

using resolved_map = std::map<std::string, string_map>;

resolved_map resolved(const usp::GetResp::RequestedPathResult& r) {
  resolved_map out;
  for (const auto& rp : r.resolved_path_results()) out[rp.resolved_path()] = {rp.result_params().begin(), rp.result_params().end()};
  return out;
}

usp::OperateResp operate_resp(const usp::Msg& m) {
  EXPECT_EQ(m.header().msg_type(), usp::Header::OPERATE_RESP) << m.DebugString();
  return m.body().response().operate_resp();
}

constexpr const char* image1 = "Device.DeviceInfo.FirmwareImage.1.";
constexpr const char* image2 = "Device.DeviceInfo.FirmwareImage.2.";
const std::string download2 = std::string(image2) + "Download()";
const std::string activate2 = std::string(image2) + "Activate()";
const std::string sha256_abc = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";

class FirmwareSchema : public ::testing::Test {
 protected:
  // The err_code of a refused command, 0 when it was not refused.
  std::uint32_t refused(const std::string& command, const string_map& inputs) {
    const auto r = operate_resp(m_.must_answer(operate_req(command, "k", inputs)));
    EXPECT_EQ(r.operation_results_size(), 1);
    if (r.operation_results_size() != 1) return 0;
    const auto& res = r.operation_results(0);
    EXPECT_EQ(res.executed_command(), command);
    if (!res.has_cmd_failure()) return 0;
    EXPECT_FALSE(res.cmd_failure().err_msg().empty());
    return res.cmd_failure().err_code();
  }
  string_map good_download() const {
    return {{"URL", "https://fw.example/d785/fw-10.1.190.0.bin?t=1"},
            {"AutoActivate", "1"},
            {"Username", "fw user"},
            {"Password", "fw pass"},
            {"FileSize", "123456"},
            {"CheckSumAlgorithm", "SHA-256"},
            {"CheckSum", sha256_abc}};
  }
  static string_map with(string_map m, const std::string& k, const std::string& v) {
    m[k] = v;
    return m;
  }
  static string_map without(string_map m, const std::string& k) {
    m.erase(k);
    return m;
  }
  void nothing_started() {
    EXPECT_TRUE(m_.phone().downloads.empty());
    EXPECT_TRUE(m_.phone().activations.empty());
    EXPECT_EQ(m_.value("Device.LocalAgent.RequestNumberOfEntries"), "0") << "a refused call makes no Request row";
  }

  phone_model m_;
};

TEST_F(FirmwareSchema, GetShowsBothBanks) {
  const auto resp = m_.must_answer(get_req({"Device.DeviceInfo.FirmwareImage.", "Device.DeviceInfo.FirmwareImageNumberOfEntries",
                                            "Device.DeviceInfo.ActiveFirmwareImage", "Device.DeviceInfo.BootFirmwareImage"}));
  ASSERT_EQ(resp.header().msg_type(), usp::Header::GET_RESP) << resp.DebugString();
  const auto& g = resp.body().response().get_resp();
  ASSERT_EQ(g.req_path_results_size(), 4);
  for (const auto& r : g.req_path_results()) EXPECT_EQ(r.err_code(), 0U) << r.requested_path() << ": " << r.err_msg();
  const auto rows = resolved(g.req_path_results(0));
  ASSERT_EQ(rows.size(), 2U) << g.DebugString();
  ASSERT_TRUE(rows.count(image1));
  ASSERT_TRUE(rows.count(image2));
  EXPECT_EQ(rows.at(image1),
            (string_map{{"Alias", "cpe-firmware-1"}, {"Name", "factory"}, {"Version", factory_version},
                        {"Status", "Active"}, {"Available", "true"}, {"BootFailureLog", ""}}));
  EXPECT_EQ(rows.at(image2), (string_map{{"Alias", "cpe-firmware-2"}, {"Name", ""}, {"Version", ""}, {"Status", "NoImage"},
                                         {"Available", "false"}, {"BootFailureLog", ""}}));
  EXPECT_EQ(resolved(g.req_path_results(1)),
            (resolved_map{{"Device.DeviceInfo.", {{"FirmwareImageNumberOfEntries", "2"}}}}));
  EXPECT_EQ(resolved(g.req_path_results(2)),
            (resolved_map{{"Device.DeviceInfo.", {{"ActiveFirmwareImage", "Device.DeviceInfo.FirmwareImage.1"}}}}));
  EXPECT_EQ(resolved(g.req_path_results(3)),
            (resolved_map{{"Device.DeviceInfo.", {{"BootFirmwareImage", "Device.DeviceInfo.FirmwareImage.1"}}}}));

  // The rows follow the bank.
  m_.phone().images().install(2, "fw.bin", new_version);
  EXPECT_EQ(m_.value("Device.DeviceInfo.FirmwareImage.2.Status"), "Available");
  EXPECT_EQ(m_.value("Device.DeviceInfo.FirmwareImage.2.Version"), new_version);
  EXPECT_EQ(m_.value("Device.DeviceInfo.FirmwareImage.2.Name"), "fw.bin");
  EXPECT_EQ(m_.value("Device.DeviceInfo.FirmwareImage.2.Available"), "true");
}

TEST_F(FirmwareSchema, DownloadRefusesBadArguments) {
  const auto invalid = code(usp::err_code::invalid_command_arguments);
  const auto base = good_download();
  EXPECT_EQ(refused(download2, without(base, "AutoActivate")), invalid);
  EXPECT_EQ(refused(download2, without(base, "URL")), invalid);
  EXPECT_EQ(refused(download2, with(base, "URL", "ftp://fw.example/fw.bin")), invalid);
  EXPECT_EQ(refused(download2, with(base, "URL", "https://user:pw@fw.example/fw.bin")), invalid);
  EXPECT_EQ(refused(download2, with(base, "URL", "https://user@fw.example/fw.bin")), invalid);
  EXPECT_EQ(refused(download2, with(base, "URL", "")), invalid);
  EXPECT_EQ(refused(download2, with(base, "AutoActivate", "maybe")), invalid);
  EXPECT_EQ(refused(download2, with(base, "FileSize", "-1")), invalid);
  EXPECT_EQ(refused(download2, with(base, "Password", std::string(257, 'p'))), invalid);
  EXPECT_EQ(refused(download2, without(base, "CheckSumAlgorithm")), invalid) << "CheckSum without an algorithm";
  EXPECT_EQ(refused(download2, with(base, "CheckSum", sha256_abc.substr(0, 40))), invalid) << "a SHA-1 length";
  EXPECT_EQ(refused(download2, with(base, "CheckSum", sha256_abc + "00")), invalid);
  EXPECT_EQ(refused(download2, with(base, "CheckSum", "Z" + sha256_abc.substr(1))), invalid) << "not hex";
  EXPECT_EQ(refused(download2, with(base, "CheckSumAlgorithm", "MD5")), invalid);
  EXPECT_EQ(refused(download2, with(without(base, "CheckSum"), "CheckSumAlgorithm", "SHA-999")), invalid);
  nothing_started();
}

TEST_F(FirmwareSchema, DownloadIsDeniedIntoTheRunningImageOrDuringADownload) {
  const auto denied = code(usp::err_code::request_denied);
  EXPECT_EQ(refused(std::string(image1) + "Download()", good_download()), denied);
  m_.phone().images().begin_download(2);
  EXPECT_EQ(refused(download2, good_download()), denied);
  m_.phone().images().set_status(2, image_status::validating);
  EXPECT_EQ(refused(download2, good_download()), denied);
  nothing_started();
  m_.phone().images().fail(2, image_status::validation_failed, "bad");
  EXPECT_EQ(refused(download2, good_download()), 0U) << "a failed download may be retried";
}

TEST_F(FirmwareSchema, AGoodDownloadStartsARequestAndHandsThePhoneTheParsedCall) {
  const auto r = operate_resp(m_.must_answer(operate_req(download2, "dl-1", with(good_download(), "Bogus", "ignored"))));
  ASSERT_EQ(r.operation_results_size(), 1);
  const auto& res = r.operation_results(0);
  EXPECT_EQ(res.executed_command(), download2);
  ASSERT_FALSE(res.has_cmd_failure()) << res.DebugString();
  EXPECT_EQ(res.req_obj_path(), "Device.LocalAgent.Request.1");
  EXPECT_EQ(m_.value("Device.LocalAgent.Request.1.Command"), download2);
  EXPECT_EQ(m_.value("Device.LocalAgent.Request.1.CommandKey"), "dl-1");
  EXPECT_EQ(m_.value("Device.LocalAgent.Request.1.Status"), "Active");

  ASSERT_EQ(m_.phone().downloads.size(), 1U);
  const auto& d = m_.phone().downloads[0];
  EXPECT_EQ(d.req.slot, 2U);
  EXPECT_EQ(d.req.url, "https://fw.example/d785/fw-10.1.190.0.bin?t=1");
  EXPECT_EQ(d.req.username, "fw user");
  EXPECT_EQ(d.req.password, "fw pass");
  EXPECT_EQ(d.req.file_size, 123456U);
  EXPECT_EQ(d.req.checksum_algorithm, "SHA-256");
  EXPECT_EQ(d.req.checksum, sha256_abc);
  EXPECT_TRUE(d.auto_activate);
  EXPECT_EQ(d.call.command_key, "dl-1");
  EXPECT_EQ(d.call.originator, requester);
  ASSERT_NE(d.call.target, nullptr);
  EXPECT_EQ(d.call.target->path(), image2);
  EXPECT_FALSE(d.call.inputs.count("Bogus")) << "unknown inputs are dropped (R-OPR.6)";
  EXPECT_TRUE(m_.phone().activations.empty());
}

TEST_F(FirmwareSchema, AMinimalDownloadHasNoSizeNoChecksumAndNoAutoActivate) {
  const auto r = operate_resp(
      m_.must_answer(operate_req(download2, "", {{"URL", "http://[::1]:8080/fw.bin"}, {"AutoActivate", "false"}})));
  ASSERT_EQ(r.operation_results_size(), 1);
  EXPECT_FALSE(r.operation_results(0).has_cmd_failure()) << r.DebugString();
  ASSERT_EQ(m_.phone().downloads.size(), 1U);
  const auto& d = m_.phone().downloads[0];
  EXPECT_EQ(d.req.slot, 2U);
  EXPECT_EQ(d.req.url, "http://[::1]:8080/fw.bin");
  EXPECT_EQ(d.req.file_size, 0U);
  EXPECT_EQ(d.req.checksum, "");
  EXPECT_EQ(d.req.checksum_algorithm, "");
  EXPECT_FALSE(d.auto_activate);
}

TEST_F(FirmwareSchema, ActivateNeedsAnAvailableImage) {
  EXPECT_EQ(refused(activate2, {}), code(usp::err_code::command_failure));
  m_.phone().images().install(2, "fw.bin", new_version);
  ASSERT_EQ(m_.phone().images().set_available(2, false), "");
  EXPECT_EQ(refused(activate2, {}), code(usp::err_code::command_failure)) << "Available false";
  nothing_started();

  ASSERT_EQ(m_.phone().images().set_available(2, true), "");
  const auto r = operate_resp(m_.must_answer(operate_req(activate2, "act-now")));
  ASSERT_EQ(r.operation_results_size(), 1);
  EXPECT_FALSE(r.operation_results(0).has_cmd_failure()) << r.DebugString();
  EXPECT_EQ(r.operation_results(0).req_obj_path(), "Device.LocalAgent.Request.1");
  ASSERT_EQ(m_.phone().activations.size(), 1U);
  EXPECT_EQ(m_.phone().activations[0].slot, 2U);
  EXPECT_EQ(m_.phone().activations[0].delay, std::chrono::seconds(0)) << "no window: now";
  EXPECT_EQ(m_.phone().activations[0].call.command_key, "act-now");
}

TEST_F(FirmwareSchema, ActivateWaitsForTheStartOfTheFirstWindow) {
  m_.phone().images().install(2, "fw.bin", new_version);
  const auto r = operate_resp(m_.must_answer(operate_req(
      activate2, "act-1",
      {{"TimeWindow.1.Start", "30"}, {"TimeWindow.1.End", "60"}, {"TimeWindow.1.Mode", "AnyTime"},
       {"TimeWindow.1.UserMessage", "updating"}, {"TimeWindow.1.MaxRetries", "-1"},
       {"TimeWindow.2.Start", "60"}, {"TimeWindow.2.End", "600"}, {"TimeWindow.2.Mode", "WhenIdle"}})));
  ASSERT_EQ(r.operation_results_size(), 1);
  ASSERT_FALSE(r.operation_results(0).has_cmd_failure()) << r.DebugString();
  EXPECT_EQ(r.operation_results(0).req_obj_path(), "Device.LocalAgent.Request.1");
  ASSERT_EQ(m_.phone().activations.size(), 1U);
  const auto& a = m_.phone().activations[0];
  EXPECT_EQ(a.slot, 2U);
  EXPECT_EQ(a.delay, std::chrono::seconds(30));
  EXPECT_EQ(a.call.command_key, "act-1");
  ASSERT_NE(a.call.target, nullptr);
  EXPECT_EQ(a.call.target->path(), image2);
  EXPECT_TRUE(m_.phone().downloads.empty());
}

TEST_F(FirmwareSchema, ActivateRefusesBadTimeWindows) {
  m_.phone().images().install(2, "fw.bin", new_version);
  const auto invalid = code(usp::err_code::invalid_command_arguments);
  const string_map one = {{"TimeWindow.1.Start", "30"}, {"TimeWindow.1.End", "60"}, {"TimeWindow.1.Mode", "AnyTime"}};
  const auto second = [&](const std::string& start, const std::string& end) {
    return with(with(with(one, "TimeWindow.2.Start", start), "TimeWindow.2.End", end), "TimeWindow.2.Mode", "Immediately");
  };
  EXPECT_EQ(refused(activate2, second("50", "90")), invalid) << "overlap";
  EXPECT_EQ(refused(activate2, second("0", "31")), invalid) << "overlap, given out of order";
  EXPECT_EQ(refused(activate2, second("40", "50")), invalid) << "inside the first";
  EXPECT_EQ(refused(activate2, with(one, "TimeWindow.1.Mode", "Later")), invalid);
  EXPECT_EQ(refused(activate2, with(one, "TimeWindow.1.Mode", "")), invalid);
  EXPECT_EQ(refused(activate2, with(one, "TimeWindow.1.End", "29")), invalid) << "End before Start";
  EXPECT_EQ(refused(activate2, with(one, "TimeWindow.1.Start", "soon")), invalid);
  EXPECT_EQ(refused(activate2, with(one, "TimeWindow.1.Start", "-5")), invalid);
  EXPECT_EQ(refused(activate2, without(one, "TimeWindow.1.Mode")), invalid) << "a window needs all three";
  EXPECT_EQ(refused(activate2, without(one, "TimeWindow.1.End")), invalid);
  EXPECT_EQ(refused(activate2, with(one, "TimeWindow.1.MaxRetries", "11")), invalid);
  EXPECT_EQ(refused(activate2, with(one, "TimeWindow.1.MaxRetries", "-2")), invalid);
  string_map six;
  for (int i = 1; i <= 6; ++i) {
    const auto p = "TimeWindow." + std::to_string(i) + ".";
    six[p + "Start"] = std::to_string(i * 100);
    six[p + "End"] = std::to_string(i * 100 + 50);
    six[p + "Mode"] = "AnyTime";
  }
  EXPECT_EQ(refused(activate2, six), invalid) << "at most 5 windows";
  nothing_started();
}

TEST_F(FirmwareSchema, BootFirmwareImageAcceptsOnlyAvailableImages) {
  auto set_boot = [&](const std::string& v) {
    return m_.must_answer(set_req(false, {{"Device.DeviceInfo.", {{"BootFirmwareImage", v, true}}}}));
  };
  const auto refused_set = set_boot("Device.DeviceInfo.FirmwareImage.2");
  ASSERT_TRUE(refused_set.body().has_error()) << refused_set.DebugString();
  ASSERT_EQ(refused_set.body().error().param_errs_size(), 1);
  EXPECT_EQ(refused_set.body().error().param_errs(0).param_path(), "Device.DeviceInfo.BootFirmwareImage");
  EXPECT_EQ(refused_set.body().error().param_errs(0).err_code(), code(usp::err_code::invalid_value));
  EXPECT_EQ(m_.phone().images().boot(), 1U);
  EXPECT_EQ(m_.value("Device.DeviceInfo.BootFirmwareImage"), "Device.DeviceInfo.FirmwareImage.1");

  // R-SET.1: the refusal comes before anything changes.
  const auto both = m_.must_answer(set_req(false, {{"Device.X_000413_UI.", {{"Language", "German", true}}},
                                                   {"Device.DeviceInfo.", {{"BootFirmwareImage", image2, true}}}}));
  ASSERT_TRUE(both.body().has_error()) << both.DebugString();
  EXPECT_EQ(m_.setting("language"), "English");
  EXPECT_EQ(m_.phone().images().boot(), 1U);

  for (const char* bad : {"Device.DeviceInfo.FirmwareImage.3", "Device.DeviceInfo.FirmwareImage.0", "2", ""}) {
    EXPECT_TRUE(set_boot(bad).body().has_error()) << bad;
  }

  m_.phone().images().install(2, "fw.bin", new_version);
  const auto ok = set_boot("Device.DeviceInfo.FirmwareImage.2.");
  ASSERT_EQ(ok.header().msg_type(), usp::Header::SET_RESP) << ok.DebugString();
  EXPECT_EQ(m_.phone().images().boot(), 2U);
  EXPECT_EQ(m_.phone().images().active(), 1U);
  EXPECT_EQ(m_.value("Device.DeviceInfo.BootFirmwareImage"), "Device.DeviceInfo.FirmwareImage.2");
  EXPECT_EQ(m_.value("Device.DeviceInfo.ActiveFirmwareImage"), "Device.DeviceInfo.FirmwareImage.1");
}

TEST_F(FirmwareSchema, TheRunningImageCannotBeMadeUnavailable) {
  const auto resp = m_.must_answer(set_req(false, {{image1, {{"Available", "false", true}}}}));
  ASSERT_TRUE(resp.body().has_error()) << resp.DebugString();
  ASSERT_EQ(resp.body().error().param_errs_size(), 1);
  EXPECT_EQ(resp.body().error().param_errs(0).param_path(), "Device.DeviceInfo.FirmwareImage.1.Available");
  EXPECT_EQ(resp.body().error().param_errs(0).err_code(), code(usp::err_code::invalid_value));
  EXPECT_TRUE(m_.phone().images().slot(1).available);
  EXPECT_EQ(m_.value("Device.DeviceInfo.FirmwareImage.1.Available"), "true");

  m_.phone().images().install(2, "fw.bin", new_version);
  const auto ok = m_.must_answer(set_req(false, {{image2, {{"Available", "false", true}}}}));
  ASSERT_EQ(ok.header().msg_type(), usp::Header::SET_RESP) << ok.DebugString();
  EXPECT_FALSE(m_.phone().images().slot(2).available);
  EXPECT_EQ(m_.value("Device.DeviceInfo.FirmwareImage.2.Available"), "false");
}

}  // namespace
}  // namespace usp::agent::test

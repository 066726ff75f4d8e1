// Firmware management: the two image banks and their persistence, image
// headers, checksums and the boot marker (firmware_schema_test.cpp: the
// data model's Device.DeviceInfo.FirmwareImage.{i}.).
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
#include "firmware_testing.hpp"
#include "phone_fixture.hpp"
#include "usp/err_code.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp::agent::test {
namespace {

using namespace firmware_testing;

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

}  // namespace
}  // namespace usp::agent::test

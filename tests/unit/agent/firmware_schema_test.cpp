// Device.DeviceInfo.FirmwareImage.{i}. with Download() and Activate()
// through the real handlers (firmware_test.cpp: banks, headers, checksums).
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

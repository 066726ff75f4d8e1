// Firmware update end to end: usp-agent downloads images from an HTTP server
// made in the test, checks them, and reboots into them on Activate().
#include <boost/asio/ip/tcp.hpp>

#include "agent_fixture.hpp"
#include "firmware/checksum.hpp"
#include "firmware/image_bank.hpp"
#include "usp/err_code.hpp"
#include "usp_test/http_server.hpp"

namespace usp::test {
namespace {

constexpr const char* image2 = "Device.DeviceInfo.FirmwareImage.2.";

std::string image(const std::string& model, const std::string& version) {
  return agent::make_image_header({model, version}) + std::string(4096, '\x5a');
}

std::string sha256(const std::string& bytes) {
  auto c = agent::checksum::make("SHA-256");
  c->update(bytes);
  return c->finish();
}

class AgentFirmware : public ::testing::Test {
 protected:
  AgentFirmware() : f_(mqtt_version::v5), web_(f_.io) {
    f_.boot("tr369_controller_subscriptionid2!: boot-2\n");
    // Persistent: what a reboot carries over reaches them after Boot!.
    f_.subscribe("tc", "Event", "Device.LocalAgent.TransferComplete!", true);
    f_.subscribe("oc", "OperationComplete", "Device.DeviceInfo.FirmwareImage.", true);
  }

  usp::OperateResp::OperationResult operate(const std::string& command, const std::string& key,
                                            std::vector<std::pair<std::string, std::string>> inputs) {
    auto resp = f_.request(operate_msg(command, key, std::move(inputs)));
    EXPECT_TRUE(resp && resp->body().has_response()) << (resp ? resp->DebugString() : "no answer");
    if (!resp || resp->body().response().operate_resp().operation_results_size() != 1) return {};
    return resp->body().response().operate_resp().operation_results(0);
  }

  std::optional<usp::Notify> next_notify(const std::function<bool(const usp::Notify&)>& pred) {
    auto r = f_.wait_for([&](const ctl::received_record& rec) {
      return rec.msg && rec.msg->body().request().has_notify() && pred(rec.msg->body().request().notify());
    });
    if (!r) return std::nullopt;
    return r->msg->body().request().notify();
  }
  std::optional<usp::Notify> transfer_complete() {
    return next_notify([](const usp::Notify& n) { return n.event().event_name() == "TransferComplete!"; });
  }
  std::optional<usp::Notify> operation_complete(const std::string& command) {
    return next_notify([&](const usp::Notify& n) { return n.oper_complete().command_name() == command; });
  }

  std::string get(const std::string& obj, const std::string& param) {
    auto resp = f_.request(get_msg({obj + param}));
    return resp ? value_in(*resp, obj, param) : std::string("<no answer>");
  }

  // Starts a download into image 2 and waits for it to end.
  std::pair<usp::Notify, usp::Notify> download(const std::string& key,
                                               std::vector<std::pair<std::string, std::string>> inputs) {
    const auto result = operate(std::string(image2) + "Download()", key, std::move(inputs));
    EXPECT_EQ(result.req_obj_path().rfind("Device.LocalAgent.Request.", 0), 0U) << result.DebugString();
    auto tc = transfer_complete();
    auto oc = operation_complete("Download()");
    EXPECT_TRUE(tc && oc);
    return {tc.value_or(usp::Notify()), oc.value_or(usp::Notify())};
  }

  agent_fixture f_;
  http_server web_;
};

TEST_F(AgentFirmware, DownloadsChecksAndActivatesAnImage) {
  const auto body = image("D785", "10.1.190.5");
  web_.serve("/fw/snomD785-10.1.190.5.bin", body);
  const auto url = web_.url("/fw/snomD785-10.1.190.5.bin");
  auto [tc, oc] = download("dl-1", {{"URL", url},
                                    {"AutoActivate", "false"},
                                    {"FileSize", std::to_string(body.size())},
                                    {"CheckSumAlgorithm", "SHA-256"},
                                    {"CheckSum", sha256(body)}});
  const auto& args = tc.event().params();
  EXPECT_EQ(tc.event().obj_path(), "Device.LocalAgent.");
  EXPECT_EQ(args.at("FaultCode"), "0") << args.at("FaultString");
  EXPECT_EQ(args.at("TransferType"), "Download");
  EXPECT_EQ(args.at("Command"), std::string(image2) + "Download()");
  EXPECT_EQ(args.at("CommandKey"), "dl-1");
  EXPECT_EQ(args.at("Requestor"), controller_eid);
  EXPECT_EQ(args.at("Affected"), image2);
  EXPECT_EQ(args.at("TransferURL"), url);
  EXPECT_FALSE(args.at("StartTime").empty());
  EXPECT_TRUE(oc.oper_complete().has_req_output_args()) << oc.DebugString();
  EXPECT_EQ(oc.oper_complete().command_key(), "dl-1");

  EXPECT_EQ(get(image2, "Status"), "Available");
  EXPECT_EQ(get(image2, "Version"), "10.1.190.5");
  EXPECT_EQ(get(image2, "Name"), "snomD785-10.1.190.5.bin");
  // Downloaded is not running.
  EXPECT_EQ(get("Device.DeviceInfo.", "SoftwareVersion"), "10.1.182.0");

  const auto act = operate(std::string(image2) + "Activate()", "act-1", {});
  EXPECT_FALSE(act.req_obj_path().empty()) << act.DebugString();
  // The phone reboots into the new image.
  auto boot = f_.wait_boot();
  ASSERT_TRUE(boot);
  const auto& p = boot->msg->body().request().notify().event().params();
  EXPECT_EQ(p.at("FirmwareUpdated"), "true");
  EXPECT_EQ(p.at("CommandKey"), "act-1");
  EXPECT_EQ(p.at("Cause"), "RemoteReboot");
  // Activate() succeeded when the image runs: its OperationComplete follows Boot!.
  auto act_oc = operation_complete("Activate()");
  ASSERT_TRUE(act_oc);
  EXPECT_EQ(act_oc->oper_complete().command_key(), "act-1");
  EXPECT_TRUE(act_oc->oper_complete().has_req_output_args());
  EXPECT_EQ(get("Device.DeviceInfo.", "SoftwareVersion"), "10.1.190.5");
  EXPECT_EQ(get("Device.DeviceInfo.", "ActiveFirmwareImage"), "Device.DeviceInfo.FirmwareImage.2");
  EXPECT_EQ(get("Device.DeviceInfo.FirmwareImage.1.", "Status"), "Available");

  // A plain restart keeps the new firmware and reports no update.
  ASSERT_EQ(f_.stop_agent(), 0);
  f_.start_agent();
  boot = f_.wait_boot();
  ASSERT_TRUE(boot);
  EXPECT_EQ(boot->msg->body().request().notify().event().params().at("FirmwareUpdated"), "false");
  EXPECT_EQ(get("Device.DeviceInfo.", "SoftwareVersion"), "10.1.190.5");
}

TEST_F(AgentFirmware, AutoActivateRebootsAndReportsTheTransferAfterBoot) {
  const auto body = image("D785", "10.1.191.0");
  web_.serve("/auto.bin", body);
  const auto result = operate(std::string(image2) + "Download()", "auto-1",
                              {{"URL", web_.url("/auto.bin")}, {"AutoActivate", "true"}});
  EXPECT_FALSE(result.req_obj_path().empty()) << result.DebugString();
  auto boot = f_.wait_boot();
  ASSERT_TRUE(boot);
  const auto& p = boot->msg->body().request().notify().event().params();
  EXPECT_EQ(p.at("FirmwareUpdated"), "true");
  EXPECT_EQ(p.at("CommandKey"), "auto-1");
  auto tc = transfer_complete();
  ASSERT_TRUE(tc);
  EXPECT_EQ(tc->event().params().at("FaultCode"), "0");
  auto oc = operation_complete("Download()");
  ASSERT_TRUE(oc);
  EXPECT_EQ(oc->oper_complete().command_key(), "auto-1");
  EXPECT_EQ(get("Device.DeviceInfo.", "SoftwareVersion"), "10.1.191.0");
}

TEST_F(AgentFirmware, BadDownloadsFailAndLeaveTheRunningImageAlone) {
  const auto body = image("D785", "10.1.199.9");
  web_.serve("/good.bin", body);
  web_.serve("/other-model.bin", image("D865", "10.1.199.9"));
  web_.serve("/not-firmware.bin", std::string(1000, 'x'));
  // A port nobody listens on: bound, then closed.
  std::uint16_t dead_port = 0;
  {
    boost::asio::ip::tcp::acceptor a(f_.io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    dead_port = a.local_endpoint().port();
  }
  const auto failure = usp::value(usp::err_code::command_failure);
  struct bad_case {
    std::vector<std::pair<std::string, std::string>> inputs;
    std::string fault;   // part of FaultString
    std::string status;  // the image's Status afterwards
  };
  const std::vector<bad_case> cases = {
      {{{"URL", web_.url("/good.bin")}, {"AutoActivate", "true"}, {"CheckSumAlgorithm", "SHA-256"},
        {"CheckSum", sha256("something else")}},
       "file corrupted",
       "ValidationFailed"},
      {{{"URL", web_.url("/good.bin")}, {"AutoActivate", "true"}, {"FileSize", "10"}}, "FileSize", "DownloadFailed"},
      {{{"URL", web_.url("/missing.bin")}, {"AutoActivate", "true"}}, "HTTP 404", "DownloadFailed"},
      {{{"URL", "http://127.0.0.1:" + std::to_string(dead_port) + "/x.bin"}, {"AutoActivate", "true"}},
       "unable to contact file server",
       "DownloadFailed"},
      {{{"URL", web_.url("/other-model.bin")}, {"AutoActivate", "true"}}, "model D865", "ValidationFailed"},
      {{{"URL", web_.url("/not-firmware.bin")}, {"AutoActivate", "true"}}, "not a firmware image", "ValidationFailed"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fault);
    auto [tc, oc] = download("bad", c.inputs);
    EXPECT_EQ(tc.event().params().at("FaultCode"), std::to_string(failure));
    EXPECT_NE(tc.event().params().at("FaultString").find(c.fault), std::string::npos)
        << tc.event().params().at("FaultString");
    EXPECT_EQ(oc.oper_complete().cmd_failure().err_code(), failure) << oc.DebugString();
    EXPECT_EQ(get(image2, "Status"), c.status);
    EXPECT_EQ(get(image2, "Available"), "false");
  }
  EXPECT_EQ(get("Device.DeviceInfo.", "SoftwareVersion"), "10.1.182.0");
  EXPECT_EQ(get("Device.DeviceInfo.", "ActiveFirmwareImage"), "Device.DeviceInfo.FirmwareImage.1");
  // Nothing to activate; a malformed URL is refused before anything starts.
  auto act = operate(std::string(image2) + "Activate()", "act", {});
  EXPECT_EQ(act.cmd_failure().err_code(), failure) << act.DebugString();
  auto bad_url = operate(std::string(image2) + "Download()", "u", {{"URL", "ftp://x/y"}, {"AutoActivate", "true"}});
  EXPECT_EQ(bad_url.cmd_failure().err_code(), usp::value(usp::err_code::invalid_command_arguments));
  // The phone never restarted.
  EXPECT_EQ(f_.agent_log().find("activating firmware"), std::string::npos);
}

}  // namespace
}  // namespace usp::test

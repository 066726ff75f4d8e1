// E2E session contexts between usp-agent and our controller side over a real
// mosquitto: who starts them under each SessionMode, segmentation to
// MaxUSPRecordSize, Reset(), and Records the agent must put back in order.
#include "agent_fixture.hpp"
#include "usp/err_code.hpp"
#include "usp/record.hpp"
#include "usp_test/wait.hpp"

namespace usp::test {
namespace {

// The controller side of the tests: a session engine config by mode.
e2e::config controller_sessions(e2e::session_mode mode) {
  e2e::config c;
  c.mode = mode;
  c.max_retransmit_tries = 3;
  c.seed = 7;
  return c;
}

class AgentE2E : public ::testing::Test {
 protected:
  // Settings for controller 2's E2ESession, then the controller side.
  void start(const std::string& agent_mode, std::optional<e2e::session_mode> ctl_mode, const std::string& size = "0") {
    f_.ctl->stop();
    auto o = f_.ctl->options();
    o.e2e = ctl_mode ? std::optional(controller_sessions(*ctl_mode)) : std::nullopt;
    o.mqtt.client_id = "e2e-controller";
    f_.ctl = std::make_unique<ctl::mqtt_controller>(f_.io.get_executor(), o);
    f_.ctl->on_record = [this](const ctl::received_record& r) { f_.inbox.push_back(r); };
    f_.ctl->start();
    ASSERT_TRUE(run_until(f_.io, [this] { return f_.ctl->ready(); }));
    f_.write_settings("tr369_controller_subscriptionid2!: boot-2\ntr369_controller_e2emode2!: " + agent_mode +
                      "\ntr369_controller_e2esize2!: " + size + "\n");
    f_.start_agent();
  }

  std::optional<ctl::received_record> next_record(const std::function<bool(const usp_record::Record&)>& pred) {
    return f_.wait_for([&](const ctl::received_record& r) { return !r.msg && pred(r.record); });
  }

  std::string get(const std::string& obj, const std::string& param) {
    auto resp = f_.request(get_msg({obj + param}));
    return resp ? value_in(*resp, obj, param) : std::string("<no answer>");
  }

  agent_fixture f_{mqtt_version::v5};
  const std::string e2e_obj = "Device.LocalAgent.Controller.2.E2ESession.";
};

TEST_F(AgentE2E, RequireStartsASessionAndEverythingTravelsInIt) {
  start("Require", e2e::session_mode::allow);
  // R-E2E.4: under Require the agent starts the session; Boot! waits for it.
  auto first = next_record([](const usp_record::Record& r) { return r.has_session_context(); });
  ASSERT_TRUE(first);
  EXPECT_GE(first->record.session_context().session_id(), e2e::first_session_id);
  EXPECT_EQ(first->record.session_context().sequence_id(), 1U);
  auto boot = f_.wait_boot();
  ASSERT_TRUE(boot);
  EXPECT_TRUE(boot->record.has_session_context()) << "Boot! must travel in the session";
  EXPECT_EQ(get(e2e_obj, "Status"), "Up");
  EXPECT_EQ(get(e2e_obj, "SessionMode"), "Require");
  const auto* s = f_.ctl->session(agent_eid);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->state(), e2e::status::up);
  // A no-session Record is not processed under Require: the agent ends the
  // session (7105), says Connect again (R-MTP.8) and starts a new one.
  const auto old_session = s->session_id();
  const auto outside = get_msg({"Device."});
  ASSERT_TRUE(f_.ctl->send_raw(agent_eid, make_no_session_record(controller_eid, agent_eid, outside)));
  auto bye = next_record([](const usp_record::Record& r) { return r.has_disconnect(); });
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->record.disconnect().reason_code(), usp::value(usp::err_code::session_context_terminated));
  EXPECT_TRUE(next_record([](const usp_record::Record& r) { return r.has_mqtt_connect(); }));
  EXPECT_TRUE(next_record([&](const usp_record::Record& r) {
    return r.has_session_context() && r.session_context().session_id() != old_session &&
           r.session_context().sequence_id() == 1;
  }));
  EXPECT_EQ(get("Device.DeviceInfo.", "SerialNumber"), agent_mac);
  for (const auto& r : f_.inbox) {
    EXPECT_FALSE(r.msg && r.msg->header().msg_id() == outside.header().msg_id()) << "answered outside the session";
  }
}

TEST_F(AgentE2E, LargeAnswersAreSegmentedToMaxUSPRecordSize) {
  start("Require", e2e::session_mode::allow, "512");
  ASSERT_TRUE(f_.wait_boot());
  const auto before = f_.inbox.size();
  usp::Msg gsdm;
  gsdm.mutable_header()->set_msg_id("gsdm-1");
  gsdm.mutable_header()->set_msg_type(usp::Header::GET_SUPPORTED_DM);
  auto* req = gsdm.mutable_body()->mutable_request()->mutable_get_supported_dm();
  req->add_obj_paths("Device.");
  req->set_return_commands(true);
  req->set_return_events(true);
  req->set_return_params(true);
  auto resp = f_.request(gsdm);
  ASSERT_TRUE(resp);
  ASSERT_TRUE(resp->body().response().has_get_supported_dm_resp()) << resp->DebugString();
  EXPECT_GT(resp->ByteSizeLong(), 2048U);
  // Every Record on the wire fits, and it took many of them (R-E2E.34-37).
  std::size_t segments = 0;
  for (std::size_t i = before; i < f_.inbox.size(); ++i) {
    const auto& r = f_.inbox[i];
    if (r.msg || !r.record.has_session_context()) continue;
    EXPECT_LE(r.record.ByteSizeLong(), 512U);
    ++segments;
  }
  EXPECT_GT(segments, resp->ByteSizeLong() / 512);
}

TEST_F(AgentE2E, ForbidRefusesSessionsWith7106) {
  start("Forbid", e2e::session_mode::require);
  ASSERT_TRUE(next_record([](const usp_record::Record& r) { return r.has_mqtt_connect(); }));
  // Our controller side starts a session with its first request; the agent
  // answers R-E2E.6a's DisconnectRecord.
  ASSERT_TRUE(f_.ctl->send(agent_eid, get_msg({"Device.DeviceInfo."})));
  auto refused = next_record([](const usp_record::Record& r) { return r.has_disconnect(); });
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->record.disconnect().reason_code(), usp::value(usp::err_code::session_context_not_allowed));
  // R-MTP.8: the Connect Record again before anything else on that MTP.
  EXPECT_TRUE(next_record([](const usp_record::Record& r) { return r.has_mqtt_connect(); }));
}

TEST_F(AgentE2E, AllowAdoptsTheControllersSessionAndResetEndsIt) {
  start("Allow", e2e::session_mode::allow);
  ASSERT_TRUE(f_.wait_boot());  // outside any session: nobody started one yet
  EXPECT_EQ(get(e2e_obj, "Status"), "Down");
  f_.ctl->start_session(agent_eid);  // R-E2E.4: the agent adopts it
  ASSERT_TRUE(run_until(f_.io, [&] { return f_.ctl->session(agent_eid)->state() == e2e::status::up; }));
  EXPECT_EQ(get(e2e_obj, "Status"), "Up");
  const auto id = f_.ctl->session(agent_eid)->session_id();
  ASSERT_NE(id, 0U);
  // Reset() ends it (7105); under Allow the agent does not start another.
  auto resp = f_.request(operate_msg(e2e_obj + "Reset()", "r"));
  ASSERT_TRUE(resp && resp->body().has_response()) << (resp ? resp->DebugString() : "");
  auto bye = next_record([](const usp_record::Record& r) { return r.has_disconnect(); });
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->record.disconnect().reason_code(), usp::value(usp::err_code::session_context_terminated));
  EXPECT_EQ(get(e2e_obj, "Status"), "Down");
  // A new session when the controller starts one.
  f_.ctl->start_session(agent_eid);
  ASSERT_TRUE(run_until(f_.io, [&] { return f_.ctl->session(agent_eid)->state() == e2e::status::up; }));
  EXPECT_EQ(get(e2e_obj, "Status"), "Up");
  EXPECT_NE(f_.ctl->session(agent_eid)->session_id(), id);
}

TEST_F(AgentE2E, OutOfOrderRecordsAreAnsweredInOrder) {
  start("Allow", std::nullopt);  // hand-made Records, no engine on our side
  ASSERT_TRUE(f_.wait_boot());
  const std::uint64_t session = 77;
  auto record = [&](std::uint64_t seq, const usp::Msg& m) {
    usp_record::Record r;
    r.set_version("1.3");
    r.set_from_id(controller_eid);
    r.set_to_id(agent_eid);
    auto* sc = r.mutable_session_context();
    sc->set_session_id(session);
    sc->set_sequence_id(seq);
    sc->set_expected_id(1);
    sc->add_payload(m.SerializeAsString());
    return r.SerializeAsString();
  };
  auto first = get_msg({"Device.DeviceInfo.SerialNumber"});
  first.mutable_header()->set_msg_id("in-order-1");
  auto second = get_msg({"Device.DeviceInfo.ModelName"});
  second.mutable_header()->set_msg_id("in-order-2");
  // The start (sequence 1) goes out first, then sequence 3 ahead of 2.
  ASSERT_TRUE(f_.ctl->send_raw(agent_eid, record(1, first)));
  ASSERT_TRUE(f_.ctl->send_raw(agent_eid, record(3, second)));
  ASSERT_TRUE(f_.ctl->send_raw(agent_eid, record(2, get_msg({"Device.DeviceInfo.Manufacturer"}))));
  std::vector<std::string> answered;
  for (int i = 0; i < 3; ++i) {
    auto r = next_record([&](const usp_record::Record& rec) {
      return rec.has_session_context() && rec.session_context().session_id() == session &&
             rec.session_context().payload_size() > 0 && !rec.session_context().payload(0).empty();
    });
    ASSERT_TRUE(r);
    usp::Msg m;
    ASSERT_TRUE(m.ParseFromString(r->record.session_context().payload(0)));
    answered.push_back(m.header().msg_id());
  }
  ASSERT_EQ(answered.size(), 3U);
  EXPECT_EQ(answered.front(), "in-order-1");
  EXPECT_EQ(answered.back(), "in-order-2");
}

}  // namespace
}  // namespace usp::test

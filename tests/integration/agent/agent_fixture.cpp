#include "agent_fixture.hpp"

#include <signal.h>

#include <fstream>

#include "usp_test/wait.hpp"

namespace usp::test {

agent_fixture::agent_fixture(mqtt_version v) : version(v) {
  ctl::mqtt_controller_options o;
  o.mqtt.port = broker.port();
  o.mqtt.version = v;
  o.mqtt.client_id = "test-controller";
  o.mqtt.endpoint_id = controller_eid;
  o.mqtt.retry = retry_policy{std::chrono::seconds(1), 1000, std::chrono::seconds(1)};
  o.endpoint_id = controller_eid;
  o.topic = controller_topic;
  ctl = std::make_unique<ctl::mqtt_controller>(io.get_executor(), o);
  ctl->on_record = [this](const ctl::received_record& r) { inbox.push_back(r); };
  ctl->start();
  EXPECT_TRUE(run_until(io, [this] { return ctl->ready(); })) << broker.log();
}

agent_fixture::~agent_fixture() {
  if (agent.running()) stop_agent();
  ctl->stop();
  run_until(io, [] { return false; }, std::chrono::milliseconds(50));
}

void agent_fixture::write_settings(const std::string& extra) {
  std::ofstream f(dir.file("settings.txt"));
  f << "tr369_enable2!: on\n"
    << "tr369_mtp_protocol2!: mqtt\n"
    << "tr369_mqtt_hostport2!: 127.0.0.1:" << broker.port() << "\n"
    << "tr369_mqtt_version2!: " << (version == mqtt_version::v5 ? "5.0" : "3.1.1") << "\n"
    << "tr369_mqtt_topic2!: " << controller_topic << "\n"
    << "tr369_controller_endpointid2!: " << controller_eid << "\n"
    << extra;
}

void agent_fixture::start_agent(const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {"--mac", agent_mac};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  launch(args);
}

void agent_fixture::launch(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {USP_AGENT_BIN,
                                   "--settings", dir.file("settings.txt"),
                                   "--state-dir", dir.file("state"),
                                   "--factory", std::string(USP_SOURCE_DIR) + "/config/agent/factory.txt",
                                   "--param-map", std::string(USP_SOURCE_DIR) + "/config/agent/param_map",
                                   "--reboot-delay-ms", "200",
                                   "--retry-s", std::to_string(agent_retry_s),
                                   "--log-level", "debug"};
  argv.insert(argv.end(), args.begin(), args.end());
  agent = child_process(argv, dir.file("agent.log"));
}

int agent_fixture::stop_agent() {
  // The loop keeps running meanwhile so test peers can answer the agent's goodbyes.
  if (agent.running() && agent.signal(SIGTERM) == 0) run_until_exited(io, agent.pid());
  return agent.stop(std::chrono::seconds(10));
}

void agent_fixture::boot(const std::string& extra_settings, const std::vector<std::string>& extra_args) {
  write_settings(extra_settings);
  start_agent(extra_args);
  ASSERT_TRUE(wait_for([](const ctl::received_record& r) { return r.record.has_mqtt_connect(); }));
  ASSERT_TRUE(wait_boot());
}

void agent_fixture::subscribe(const std::string& id, const std::string& type, const std::string& refs,
                              bool persistent) {
  auto resp = request(add_msg("Device.LocalAgent.Subscription.", {{"ID", id},
                                                                  {"NotifType", type},
                                                                  {"ReferenceList", refs},
                                                                  {"Enable", "true"},
                                                                  {"Persistent", persistent ? "true" : "false"}}));
  ASSERT_TRUE(resp);
  ASSERT_TRUE(resp->body().response().add_resp().created_obj_results(0).oper_status().has_oper_success())
      << resp->DebugString();
}

std::string agent_fixture::agent_log() const { return agent.output(); }

std::optional<ctl::received_record> agent_fixture::wait_for(const std::function<bool(const ctl::received_record&)>& pred,
                                                            std::chrono::milliseconds timeout) {
  std::optional<ctl::received_record> found;
  auto scan = [&] {
    for (std::size_t i = consumed; i < inbox.size(); ++i) {
      if (pred(inbox[i])) {
        found = inbox[i];
        consumed = i + 1;
        return true;
      }
    }
    return false;
  };
  if (!run_until(io, scan, timeout)) {
    std::string seen;
    for (std::size_t i = consumed; i < inbox.size(); ++i) seen += inbox[i].record.ShortDebugString() + "\n";
    ADD_FAILURE() << "no matching Record; unread Records:\n" << seen << "agent log:\n" << agent_log();
  }
  return found;
}

std::optional<usp::Msg> agent_fixture::request(usp::Msg req, std::chrono::milliseconds timeout) {
  return request_to(agent_eid, std::move(req), timeout);
}

std::optional<usp::Msg> agent_fixture::request_to(const std::string& to, usp::Msg req,
                                                  std::chrono::milliseconds timeout) {
  const auto id = req.header().msg_id();
  if (!ctl->send(to, req)) {
    ADD_FAILURE() << "controller could not send";
    return std::nullopt;
  }
  auto r = wait_for([&](const ctl::received_record& rec) { return rec.msg && rec.msg->header().msg_id() == id; },
                    timeout);
  if (!r) return std::nullopt;
  return r->msg;
}

bool agent_fixture::is_boot(const ctl::received_record& r) {
  return r.msg && r.msg->body().request().has_notify() && r.msg->body().request().notify().has_event() &&
         r.msg->body().request().notify().event().event_name() == "Boot!";
}

std::optional<ctl::received_record> agent_fixture::wait_boot(std::chrono::milliseconds timeout) {
  return wait_for(is_boot, timeout);
}

}  // namespace usp::test

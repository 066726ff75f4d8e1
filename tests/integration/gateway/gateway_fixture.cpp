#include "gateway_fixture.hpp"

#include <signal.h>

#include <fstream>
#include <regex>

#include <boost/asio/steady_timer.hpp>

#include "plugin_fixture.hpp"
#include "usp/http_fetch.hpp"
#include "usp_test/wait.hpp"

namespace usp::test {

std::string eid_of(const std::string& mac) { return "os::000413-" + mac; }

gateway_fixture::gateway_fixture(const std::vector<std::string>& plugin_extra) : broker(plugin_broker(plugin_extra)) {}

gateway_fixture::~gateway_fixture() {
  // A test's close callback may capture its locals, which are gone by now.
  if (controller) controller->on_session_close = nullptr;
  for (auto& [mac, a] : agents) {
    if (a.running()) a.stop(std::chrono::seconds(5));
  }
  for (auto& [name, g] : gateways) {
    if (g.proc.running()) {
      g.proc.signal(SIGTERM);
      run_until_exited(io, g.proc.pid(), std::chrono::seconds(10));
      g.proc.stop(std::chrono::seconds(5));
    }
  }
  if (controller) controller->stop();
  run_until(io, [] { return false; }, std::chrono::milliseconds(20));
}

void gateway_fixture::controller_listens() {
  ctl::ws_controller_options o;
  o.endpoint_id = gw_controller_eid;
  controller = std::make_unique<ctl::ws_controller>(io.get_executor(), o);
  controller->on_record = [this](const ctl::received_record& r) { inbox.push_back(r); };
  controller->listen("127.0.0.1", 0);
}

void gateway_fixture::write_config(const std::string& name, const std::string& websocket_yaml) {
  const auto& g = gateways.at(name);
  std::ofstream(dir.file(name + ".yaml")) << "mqtt:\n"
                                          << "  host: 127.0.0.1\n"
                                          << "  port: " << broker.port() << "\n"
                                          << "  client_id: usp-" << name << "\n"
                                          << "  username: usp-gateway\n"
                                          << g.mqtt_extra << "presence_topic: usp/presence/+\n"
                                          << "controllers:\n"
                                          << "  - endpoint_id: " << gw_controller_eid << "\n"
                                          << "    mqtt_topic: " << gw_controller_topic << "\n"
                                          << "    websocket:\n"
                                          << websocket_yaml << "agents:\n"
                                          << agents_yaml
                                          << "http: {address: 127.0.0.1, port: 0}\n"
                                          << g.extra;
}

bool gateway_fixture::start_gateway(const std::string& websocket_yaml, const std::string& extra,
                                    const std::string& name, const std::string& mqtt_extra) {
  auto& g = gateways[name];
  g.extra = extra;
  g.mqtt_extra = mqtt_extra;
  write_config(name, websocket_yaml);
  return launch_gateway(name, dir.file(name + ".log"));
}

bool gateway_fixture::restart_gateway(const std::string& name) {
  return launch_gateway(name, dir.file(name + "-" + std::to_string(++gateway_starts) + ".log"));
}

void gateway_fixture::kill_gateway(const std::string& name) { gateways.at(name).proc.kill9(); }

std::size_t gateway_fixture::gateway_rss_kb(const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(gateways.at(name).proc.pid()) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("VmRSS:")) return std::stoul(line.substr(6));
  }
  return 0;
}

bool gateway_fixture::launch_gateway(const std::string& name, const std::string& log) {
  auto& g = gateways.at(name);
  const auto file = dir.file(name + ".yaml");
  g.proc = child_process({USP_GATEWAY_BIN, "--config", file, "--log-level", "debug"}, log);
  if (!wait_for_text(log, "usp-gateway running", std::chrono::seconds(15), g.proc.pid())) {
    ADD_FAILURE() << "usp-gateway did not start:\n" << g.proc.output();
    return false;
  }
  const auto text = g.proc.output();
  std::smatch m;
  if (std::regex_search(text, m, std::regex("operations endpoint on http://127.0.0.1:([0-9]+)/"))) {
    g.http_port = static_cast<std::uint16_t>(std::stoi(m[1]));
  }
  if (std::regex_search(text, m, std::regex("listening for controllers on [0-9.]+:([0-9]+)/"))) {
    g.listen_port = static_cast<std::uint16_t>(std::stoi(m[1]));
  }
  // Ready = subscribed: an agent's Record published earlier would find no
  // subscriber (a new MQTT session) and be lost.
  if (g.http_port != 0 && !poll_until([&] { return http_get("/readyz", name) == "ready\n"; })) {
    ADD_FAILURE() << "usp-gateway is not ready:\n" << g.proc.output();
    return false;
  }
  return true;
}

int gateway_fixture::stop_gateway(const std::string& name) {
  auto& g = gateways.at(name);
  if (g.proc.running() && g.proc.signal(SIGTERM) == 0) run_until_exited(io, g.proc.pid());
  return g.proc.stop(std::chrono::seconds(10));
}

bool gateway_fixture::reload_gateway(const std::string& websocket_yaml, const std::string& name) {
  auto& g = gateways.at(name);
  auto reloads = [&] {
    const auto text = g.proc.output();
    std::size_t n = 0;
    for (auto pos = text.find("reloaded:"); pos != std::string::npos; pos = text.find("reloaded:", pos + 1)) ++n;
    return n;
  };
  const auto before = reloads();
  write_config(name, websocket_yaml);
  if (g.proc.signal(SIGHUP) != 0) return false;
  return run_until(io, [&] { return reloads() > before; }, std::chrono::seconds(10));
}

void gateway_fixture::start_agent(const std::string& mac, mqtt_version v, const std::vector<std::string>& extra) {
  const auto settings = dir.file("agent-" + mac + ".txt");
  std::ofstream(settings) << "tr369_enable2!: on\n"
                          << "tr369_mtp_protocol2!: mqtt\n"
                          << "tr369_mqtt_hostport2!: 127.0.0.1:" << broker.port() << "\n"
                          << "tr369_mqtt_version2!: " << (v == mqtt_version::v5 ? "5.0" : "3.1.1") << "\n"
                          << "tr369_mqtt_clientid2!: {eid}\n"  // the plugin's identity: client id
                          << "tr369_mqtt_topic2!: " << gw_controller_topic << "\n"
                          << "tr369_controller_endpointid2!: " << gw_controller_eid << "\n"
                          << "tr369_controller_subscriptionid2!: boot-2\n";
  std::vector<std::string> argv = {USP_AGENT_BIN, "--mac", mac, "--settings", settings, "--state-dir",
                                   dir.file("state-" + mac), "--factory",
                                   std::string(USP_SOURCE_DIR) + "/config/agent/factory.txt", "--param-map",
                                   std::string(USP_SOURCE_DIR) + "/config/agent/param_map", "--retry-s", "1",
                                   "--reboot-delay-ms", "200", "--log-level", "debug"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  agents[mac] = child_process(argv, dir.file("agent-" + mac + ".log"));
}

int gateway_fixture::stop_agent(const std::string& mac) {
  auto& a = agents.at(mac);
  if (a.running() && a.signal(SIGTERM) == 0) run_until_exited(io, a.pid());
  return a.stop(std::chrono::seconds(10));
}

void gateway_fixture::kill_agent(const std::string& mac) { agents.at(mac).kill9(); }

bool gateway_fixture::poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  boost::asio::steady_timer tick(io);
  std::function<void()> arm = [&] {
    tick.expires_after(std::chrono::milliseconds(20));
    tick.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) arm();
    });
  };
  arm();
  const bool ok = run_until(io, done, timeout);
  tick.cancel();
  io.restart();
  io.poll();  // the cancelled wait's handler runs while `tick` still lives
  return ok;
}

std::string gateway_fixture::logs() const {
  std::string out;
  for (const auto& [name, g] : gateways) out += "---- " + name + " ----\n" + g.proc.output();
  for (const auto& [mac, a] : agents) out += "---- agent " + mac + " ----\n" + a.output();
  return out;
}

std::optional<ctl::received_record> gateway_fixture::wait_for(
    const std::string& agent, const std::function<bool(const ctl::received_record&)>& pred,
    std::chrono::milliseconds timeout) {
  std::optional<ctl::received_record> found;
  auto scan = [&] {
    for (std::size_t i = consumed; i < inbox.size(); ++i) {
      if ((agent.empty() || inbox[i].record.from_id() == agent) && pred(inbox[i])) {
        found = inbox[i];
        // Keep earlier unmatched Records for later waits of other agents.
        inbox.erase(inbox.begin() + static_cast<std::ptrdiff_t>(i));
        return true;
      }
    }
    return false;
  };
  if (!run_until(io, scan, timeout)) {
    std::string seen;
    for (std::size_t i = consumed; i < inbox.size(); ++i) seen += inbox[i].record.ShortDebugString() + "\n";
    ADD_FAILURE() << "no matching Record; unread Records:\n" << seen << logs();
  }
  return found;
}

std::optional<ctl::received_record> gateway_fixture::wait_boot(const std::string& agent) {
  return wait_for(agent, [](const ctl::received_record& r) {
    return r.msg && r.msg->body().request().notify().event().event_name() == "Boot!";
  });
}

std::optional<usp::Msg> gateway_fixture::request(const std::string& agent, usp::Msg req,
                                                 std::chrono::milliseconds timeout) {
  const auto id = req.header().msg_id();
  if (!controller->send(agent, req)) {
    ADD_FAILURE() << "the controller has no session for " << agent << "\n" << logs();
    return std::nullopt;
  }
  auto r = wait_for(agent, [&](const ctl::received_record& rec) { return rec.msg && rec.msg->header().msg_id() == id; },
                    timeout);
  if (!r) return std::nullopt;
  return r->msg;
}

std::string gateway_fixture::http_get(const std::string& path, const std::string& name) {
  usp::http::fetch_options o;
  o.url = "http://127.0.0.1:" + std::to_string(gateways.at(name).http_port) + path;
  o.timeout = std::chrono::seconds(5);
  std::optional<usp::http::fetch_result> result;
  usp::http::fetch(io.get_executor(), o, [&](usp::http::fetch_result r) { result = std::move(r); });
  run_until(io, [&] { return result.has_value(); });
  return result ? result->body : std::string();
}

double gateway_fixture::metric(const std::string& sample, const std::string& name) {
  const auto text = http_get("/metrics", name);
  for (std::size_t pos = 0; (pos = text.find(sample, pos)) != std::string::npos; pos += sample.size()) {
    const bool line_start = pos == 0 || text[pos - 1] == '\n';
    if (line_start && pos + sample.size() < text.size() && text[pos + sample.size()] == ' ') {
      return std::stod(text.substr(pos + sample.size() + 1));
    }
  }
  return -1;
}

}  // namespace usp::test

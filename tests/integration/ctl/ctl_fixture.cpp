#include "ctl_fixture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "usp_test/wait.hpp"

extern char** environ;

namespace usp::test {

ctl_process::ctl_process(const std::vector<std::string>& args, const std::string& dir, const std::string& name)
    : out_path_(dir + "/" + name + ".out"), err_path_(dir + "/" + name + ".err") {
  std::vector<std::string> argv = {USP_CTL_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ofstream(err_path_).flush();  // exists before anyone watches it
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<char*> cargs;
  for (auto& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  if (posix_spawn(&pid_, cargs[0], &fa, nullptr, cargs.data(), environ) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&fa);
}

ctl_process::~ctl_process() {
  if (pid_ > 0) finish(std::chrono::milliseconds(0));
}

ctl_result ctl_process::finish(std::chrono::milliseconds timeout) {
  ctl_result r;
  if (pid_ <= 0) return r;
  const int pfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  if (pfd >= 0) {
    pollfd p{pfd, POLLIN, 0};
    poll(&p, 1, static_cast<int>(timeout.count()));
    close(pfd);
  }
  int st = 0;
  if (waitpid(pid_, &st, WNOHANG) == pid_) {
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
  } else {
    kill(pid_, SIGKILL);
    waitpid(pid_, &st, 0);
  }
  pid_ = -1;
  r.out = read_file(out_path_);
  r.err = read_file(err_path_);
  return r;
}

bool ctl_process::stderr_shows(const std::string& text, std::chrono::milliseconds timeout) {
  return wait_for_text(err_path_, text, timeout, pid_);
}

std::string ctl_process::err() const { return read_file(err_path_); }

ctl_fixture::ctl_fixture(mqtt_version v) : version(v) {}

ctl_fixture::~ctl_fixture() {
  if (agent.running()) agent.stop(std::chrono::seconds(10));
}

void ctl_fixture::write_settings(const std::string& extra) {
  std::ofstream(dir.file("settings.txt")) << "tr369_enable2!: on\n"
                                          << "tr369_mtp_protocol2!: mqtt\n"
                                          << "tr369_mqtt_hostport2!: 127.0.0.1:" << broker.port() << "\n"
                                          << "tr369_mqtt_version2!: "
                                          << (version == mqtt_version::v5 ? "5.0" : "3.1.1") << "\n"
                                          << "tr369_mqtt_topic2!: " << ctl_topic << "\n"
                                          << "tr369_controller_endpointid2!: " << ctl_eid << "\n"
                                          << "tr369_controller_subscriptionid2!: boot-2\n"
                                          << extra;
}

void ctl_fixture::start_agent(const std::vector<std::string>& extra_args, bool wait_mqtt) {
  std::vector<std::string> argv = {USP_AGENT_BIN,
                                   "--mac", ctl_agent_mac,
                                   "--settings", dir.file("settings.txt"),
                                   "--state-dir", dir.file("state"),
                                   "--factory", std::string(USP_SOURCE_DIR) + "/config/agent/factory.txt",
                                   "--param-map", std::string(USP_SOURCE_DIR) + "/config/agent/param_map",
                                   "--reboot-delay-ms", "200",
                                   "--retry-s", "1",
                                   "--log-level", "debug"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  agent = child_process(argv, dir.file("agent.log"));
  if (wait_mqtt) {
    ASSERT_TRUE(wait_for_text(agent.log_path(), std::string("MQTT MTP to ") + ctl_eid + " ready",
                              std::chrono::seconds(15), agent.pid()))
        << agent.output();
  }
}

std::vector<std::string> ctl_fixture::mqtt_args(const std::vector<std::string>& args) const {
  std::vector<std::string> a = {"--mqtt", "127.0.0.1:" + std::to_string(broker.port()), "--topic", ctl_topic,
                                "--eid", ctl_eid, "--to", ctl_agent_eid, "--timeout", "10"};
  if (version == mqtt_version::v3_1_1) a.insert(a.end(), {"--mqtt-version", "3.1.1"});
  a.insert(a.end(), args.begin(), args.end());
  return a;
}

ctl_result ctl_fixture::run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  ctl_process p(args, dir.path(), "ctl-" + std::to_string(++runs));
  return p.finish(timeout);
}

std::uint16_t ctl_fixture::port_after(const std::string& text, const std::string& marker) {
  const auto at = text.find(marker);
  if (at == std::string::npos) return 0;
  std::smatch m;
  const std::string rest = text.substr(at + marker.size());
  static const std::regex re(R"(^[^:/\s]+:(\d+))");
  return std::regex_search(rest, m, re) ? static_cast<std::uint16_t>(std::stoi(m[1])) : 0;
}

}  // namespace usp::test

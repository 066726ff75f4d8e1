// Loading and unloading: a bad option stops the broker with one clear line;
// under valgrind the plugin loads, works, survives a reload and unloads with
// nothing leaked.
#include <csignal>
#include <cstring>
#include <fstream>

#include <gtest/gtest.h>

#include "plugin_fixture.hpp"
#include "raw_mqtt.hpp"
#include "usp/record.hpp"
#include "usp_test/process.hpp"
#include "usp_test/temp_dir.hpp"
#include "usp_test/wait.hpp"

namespace usp::test {
namespace {

// Runs mosquitto with the plugin and `bad` as the last option; returns its
// output once it has exited.
std::string start_with(const std::string& bad, int& status) {
  temp_dir dir;
  {
    std::ofstream f(dir.file("mosquitto.conf"));
    f << "listener " << pick_free_port() << " 127.0.0.1\nlog_dest stderr\nallow_anonymous true\n";
    for (const auto& l : plugin_config({bad})) f << l << "\n";
  }
  auto argv = plugin_broker().command_prefix;  // sanitizer runtimes, if any
  argv.insert(argv.end(), {"mosquitto", "-c", dir.file("mosquitto.conf")});
  child_process p(argv, dir.file("out.log"));
  status = p.wait(std::chrono::seconds(20));
  return p.output();
}

TEST(PluginLifecycle, AnUnknownOrMalformedOptionStopsTheBroker) {
  int status = 0;
  auto out = start_with("plugin_opt_colour blue", status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("mosquitto_usp: plugin_opt_colour: unknown option (known: identity,"), std::string::npos) << out;
  out = start_with("plugin_opt_partitions many", status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("mosquitto_usp: plugin_opt_partitions: must be an integer from 1 to 1024, got \"many\""),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find(" running"), std::string::npos);
}

bool have_valgrind() { return std::system("valgrind --version >/dev/null 2>&1") == 0; }

// Under valgrind, or in a sanitized build under ASan and LeakSanitizer (the
// two do not mix): either way a leak or a memory error fails the exit status.
TEST(PluginLifecycle, LoadsWorksAndUnloadsWithoutLeaks) {
  const bool sanitized = !std::string(USP_PLUGIN_PRELOAD).empty();
  if (!sanitized && !have_valgrind()) GTEST_SKIP() << "valgrind is not installed (scripts/setup.sh installs it)";
  auto o = plugin_broker({"plugin_opt_partitions 2", "plugin_opt_stats_interval_s 1"});
  if (!sanitized) {
    o.command_prefix = {"valgrind", "--leak-check=full", "--error-exitcode=9",
                        "--errors-for-leak-kinds=definite,indirect,possible"};
  }
  mosquitto_broker broker(std::move(o));
  {
    raw_mqtt gw(broker.port(), 5, "gw-1", "usp-gateway");
    EXPECT_LT(gw.subscribe("usp/#"), 0x80);
    raw_mqtt a(broker.port(), 4, agent_a);
    EXPECT_LT(a.subscribe(agent_topic(agent_a) + "/#"), 0x80);
    EXPECT_LT(a.publish(controller_topic, usp::make_no_session_record(agent_a, controller_eid, std::string_view("m"))),
              0x80);
    EXPECT_EQ(a.publish(controller_topic, "garbage"), 0);  // 3.1.1: refused silently
    raw_mqtt b(broker.port(), 5, agent_b);
    EXPECT_EQ(b.publish(controller_topic, usp::make_no_session_record(agent_a, controller_eid, std::string_view("m"))),
              0x87);
    b.drop();
    a.disconnect();
    // A reload keeps the plugin; its state must survive and not leak.
    ::kill(broker.pid(), SIGHUP);
    ASSERT_TRUE(wait_for_text(broker.dir() + "/mosquitto-1.log", "Reloading config", std::chrono::seconds(30)));
    raw_mqtt again(broker.port(), 5, agent_a);
    EXPECT_LT(again.subscribe(agent_topic(agent_a)), 0x80);
  }
  const int status = broker.stop();
  const auto log = broker.log();
  EXPECT_EQ(status, 0) << log;
  EXPECT_NE(log.find("mosquitto_usp: identity client_id"), std::string::npos) << log;
  if (sanitized) return;
  EXPECT_NE(log.find("ERROR SUMMARY: 0 errors"), std::string::npos) << log;
  // What stays reachable is the loader's and libstdc++'s own bookkeeping for
  // libraries that remain mapped; nothing may be lost.
  for (const char* kind : {"definitely lost: ", "indirectly lost: ", "possibly lost: "}) {
    const auto at = log.find(kind);
    if (at != std::string::npos) {
      EXPECT_EQ(log.compare(at + std::strlen(kind), 8, "0 bytes "), 0) << log;
    }
  }
  EXPECT_TRUE(log.find("LEAK SUMMARY") != std::string::npos || log.find("All heap blocks were freed") != std::string::npos)
      << log;
}

}  // namespace
}  // namespace usp::test

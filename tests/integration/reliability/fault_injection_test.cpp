// Fault injection (issue 9): the gateway killed mid-stream, the broker
// restarted, a controller that vanishes or stops reading, a flapping fleet.
// Every test counts the Records sent and received and checks that the
// difference is exactly what the gateway's counters report.
#include <csignal>
#include <fstream>

#include "plugin_fixture.hpp"
#include "raw_mqtt.hpp"
#include "raw_ws.hpp"
#include "reliability.hpp"
#include "usp/fd_limit.hpp"
#include "usp_test/wait.hpp"

namespace usp::test {
namespace {

// Under AddressSanitizer RSS says nothing about our memory (freed blocks
// wait in its quarantine, shadow memory grows with use); LeakSanitizer
// checks the gateway at exit instead.
#if defined(__SANITIZE_ADDRESS__)  // gcc
#define USP_TEST_ASAN 1
#elif defined(__has_feature)       // clang
#if __has_feature(address_sanitizer)
#define USP_TEST_ASAN 1
#endif
#endif
#ifdef USP_TEST_ASAN
constexpr bool rss_means_memory = false;
#else
constexpr bool rss_means_memory = true;
#endif

using ctl::get_msg;
using ctl::value_in;

bool answers_get(gateway_fixture& f, const std::string& mac) {
  auto get = f.request(eid_of(mac), get_msg({"Device.DeviceInfo.SerialNumber"}));
  return get && value_in(*get, "Device.DeviceInfo.", "SerialNumber") == mac;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// kill -9 between bursts: the gateway's MQTT 5 session is persistent (clean
// start off, session expiry 3600 s), so the broker keeps the QoS 1 Records
// published meanwhile and hands them to the restarted gateway.
TEST(FaultInjection, GatewayKilledMidStreamLosesNoQos1Record) {
  tally t;  // outlives the fixture, whose last run of the loop may still deliver
  gateway_fixture f;
  ASSERT_TRUE(start_counted_dial(f, t)) << f.logs();
  const std::string mac = "000413D00001";
  f.start_agent(mac, mqtt_version::v5);
  ASSERT_TRUE(f.wait_boot(eid_of(mac)));

  const auto src = eid_of("000413D0AAAA");  // a phone that streams Notifies
  raw_mqtt phone(f.broker.port(), 5, src);
  int sent = 0;
  auto burst = [&](int n) {
    for (int i = 0; i < n; ++i, ++sent) {
      ASSERT_EQ(phone.publish(gw_controller_topic, notify_record(src, "n" + std::to_string(sent))), 0);
    }
  };
  burst(5);
  ASSERT_TRUE(run_until(f.io, [&] { return t.distinct(src) == 5; }, std::chrono::seconds(15))) << f.logs();

  f.kill_gateway();
  burst(10);  // the broker accepted each (PUBACK 0) and holds it for the gateway's session
  const auto before_restart = t.total;
  ASSERT_TRUE(f.restart_gateway());
  EXPECT_TRUE(wait_for_text(f.gateways["gw"].proc.log_path(), "(session resumed)", std::chrono::seconds(10)))
      << f.logs();
  burst(5);
  ASSERT_TRUE(run_until(f.io, [&] { return t.distinct(src) == 20; }, std::chrono::seconds(20))) << f.logs();
  // The restarted gateway dials the healthy phone again (retained presence).
  ASSERT_TRUE(run_until(f.io, [&] { return f.controller->connected(eid_of(mac)); }, std::chrono::seconds(15)));
  EXPECT_TRUE(answers_get(f, mac));

  EXPECT_EQ(t.distinct(src), static_cast<std::size_t>(sent));
  EXPECT_EQ(static_cast<double>(sent) - static_cast<double>(t.distinct(src)), dropped_total(f)) << "lost = dropped";
  // QoS 1 is at least once; the kill fell between bursts, so not even a duplicate.
  EXPECT_EQ(t.count(src), t.distinct(src));
  // What the new process forwarded is what arrived after it started.
  EXPECT_EQ(f.metric("usp_gateway_records_total{direction=\"to_controller\"}"),
            static_cast<double>(t.total - before_restart));
}

// A gateway that stalls (SIGSTOP) while a phone sends more Records than
// mosquitto's default window holds for one client (20 in flight + 1,000
// queued, the test broker's defaults): the gateway's MQTT 5 Receive Maximum
// lets the broker keep them all in flight, so none is dropped there (before,
// Records past 1,020 were lost where no counter of ours could see them).
TEST(FaultInjection, AStalledGatewayLosesNothingPastTheBrokersDefaultQueue) {
  tally t;
  gateway_fixture f;
  ASSERT_TRUE(start_counted_dial(f, t)) << f.logs();
  const auto src = eid_of("000413D0BBBB");
  raw_mqtt phone(f.broker.port(), 5, src);
  ASSERT_EQ(phone.publish(gw_controller_topic, notify_record(src, "first")), 0);
  ASSERT_TRUE(run_until(f.io, [&] { return t.distinct(src) == 1; }, std::chrono::seconds(15))) << f.logs();

  auto& gw = f.gateways["gw"].proc;
  ASSERT_EQ(gw.signal(SIGSTOP), 0);
  constexpr int stalled = 1500;
  for (int i = 0; i < stalled; ++i) {
    ASSERT_EQ(phone.publish(gw_controller_topic, notify_record(src, "s" + std::to_string(i))), 0) << i;
  }
  ASSERT_EQ(gw.signal(SIGCONT), 0);
  const auto sent = static_cast<std::size_t>(stalled + 1);
  EXPECT_TRUE(run_until(f.io, [&] { return t.distinct(src) == sent; }, std::chrono::seconds(30)))
      << t.distinct(src) << " of " << sent << "\n" << f.logs();
  EXPECT_EQ(dropped_total(f), 0) << f.logs();
  EXPECT_EQ(t.distinct(src), sent);
}

// The broker restarts on the same port: the gateway and the phones reconnect
// with their backoff, and Gets flow again.
TEST(FaultInjection, BrokerRestartPhonesAndGatewayComeBack) {
  tally t;  // outlives the fixture, whose last run of the loop may still deliver
  gateway_fixture f;
  ASSERT_TRUE(start_counted_dial(f, t)) << f.logs();
  const std::vector<std::pair<std::string, mqtt_version>> phones = {{"000413D00011", mqtt_version::v5},
                                                                   {"000413D00012", mqtt_version::v3_1_1}};
  for (const auto& [mac, v] : phones) f.start_agent(mac, v);
  for (const auto& [mac, v] : phones) ASSERT_TRUE(f.wait_boot(eid_of(mac)));
  ASSERT_TRUE(f.poll_until([&] { return f.metric("usp_gateway_sessions_open") == 2; }));
  const auto to_agent_before = f.metric("usp_gateway_records_total{direction=\"to_agent\"}");
  int gets = 0, answers = 0;
  for (const auto& [mac, v] : phones) {
    ++gets;
    answers += answers_get(f, mac) ? 1 : 0;
  }

  const auto gw_log = f.gateways["gw"].proc.log_path();
  ASSERT_EQ(f.broker.stop(), 0);
  ASSERT_TRUE(wait_for_text(gw_log, "broker connection lost", std::chrono::seconds(10)));
  f.broker.start();
  // Each side reconnects on its own backoff (gateway: 1 s doubling; phones:
  // --retry-s 1) and subscribes again.
  ASSERT_TRUE(f.poll_until([&] { return occurrences(read_text(gw_log), "connected to 127.0.0.1") == 2; },
                           std::chrono::seconds(20)))
      << f.logs();
  for (const auto& [mac, v] : phones) {
    const auto log = f.dir.file("agent-" + mac + ".log");
    ASSERT_TRUE(f.poll_until([&] { return occurrences(read_text(log), "MQTT MTP to self::acme-controller ready") == 2; },
                             std::chrono::seconds(20)))
        << f.logs();
  }
  // The controller sessions never closed: the gateway does not mistake a
  // broker outage for phones leaving.
  EXPECT_EQ(f.metric("usp_gateway_sessions_open"), 2);
  for (int round = 0; round < 2; ++round) {
    for (const auto& [mac, v] : phones) {
      ++gets;
      answers += answers_get(f, mac) ? 1 : 0;
    }
  }
  EXPECT_EQ(answers, gets);
  EXPECT_EQ(f.metric("usp_gateway_records_total{direction=\"to_agent\"}") - to_agent_before, gets);
  EXPECT_EQ(gets - answers, dropped_total(f));
}

// A controller whose TCP connection just ends (no Close frame): what its
// phones send meanwhile waits in the gateway's queue and arrives after the
// controller reconnects, as long as it is younger than queue.ttl_s; what is
// older or beyond queue.max_records is dropped and counted.
TEST(FaultInjection, ControllerVanishesQueuedRecordsArriveWithinTtl) {
  gateway_fixture f;
  f.agents_yaml = "  offline_grace_s: 30\n  queue: {max_records: 8, ttl_s: 2}\n";
  ASSERT_TRUE(f.start_gateway(listen_ws_yaml, listen_section));
  const auto port = f.gateways["gw"].listen_port;
  const auto src = eid_of("000413D00021");
  const auto target = "/usp/" + src + "?eid=" + gw_controller_eid;
  raw_mqtt phone(f.broker.port(), 5, src);
  int sent = 0, received = 0;
  auto burst = [&](int n) {
    for (int i = 0; i < n; ++i, ++sent) {
      ASSERT_EQ(phone.publish(gw_controller_topic, notify_record(src, "n" + std::to_string(sent))), 0);
    }
  };
  // Reads `n` Records after the session's WebSocketConnect Record.
  auto receive = [&](raw_ws& c, int n, bool connect_first) {
    if (connect_first) {
      auto first = c.read();
      ASSERT_TRUE(first);
      boost::system::error_code ec;
      auto rec = decode_record(*first, ec);
      ASSERT_TRUE(rec && rec->has_websocket_connect()) << "R-MTP.6";
    }
    for (int i = 0; i < n; ++i) {
      auto r = c.read();
      ASSERT_TRUE(r) << "Record " << i << " of " << n << "\n" << f.logs();
      ++received;
    }
  };
  burst(1);  // the gateway learns the phone; its Record waits
  ASSERT_TRUE(f.poll_until([&] { return f.metric("usp_gateway_queued_records") == 1; })) << f.logs();
  {
    raw_ws c(port, target);
    ASSERT_TRUE(c.open()) << c.http_status() << " " << c.refusal();
    receive(c, 1, true);
    burst(2);
    receive(c, 2, false);
    c.abort();
  }
  ASSERT_TRUE(f.poll_until([&] { return f.metric("usp_gateway_sessions_open") == 0; })) << f.logs();
  burst(3);  // these will be too old
  const auto old_published = std::chrono::steady_clock::now();
  ASSERT_TRUE(f.poll_until([&] { return f.metric("usp_gateway_queued_records") == 3; }));
  // queue.ttl_s is the behaviour under test: let it pass.
  ASSERT_TRUE(f.poll_until(
      [&] { return std::chrono::steady_clock::now() > old_published + std::chrono::milliseconds(2300); },
      std::chrono::seconds(5)));
  burst(10);  // expires the 3 old ones; 10 fresh into 8 places drops the 2 oldest
  ASSERT_TRUE(f.poll_until([&] { return f.metric("usp_gateway_queued_records") == 8; })) << f.logs();
  raw_ws again(port, target);
  ASSERT_TRUE(again.open());
  receive(again, 8, true);
  const auto expired = f.metric("usp_gateway_dropped_total{reason=\"queue_expired\"}");
  const auto overflow = f.metric("usp_gateway_dropped_total{reason=\"queue_overflow\"}");
  EXPECT_EQ(expired, 3);
  EXPECT_EQ(overflow, 2);
  EXPECT_EQ(sent - received, static_cast<int>(dropped_total(f)));
  EXPECT_EQ(f.metric("usp_gateway_queued_records"), 0);
}

// A controller that stops reading: the session's write queue is bounded
// (4 MiB here), later Records are dropped and counted (send_failed), the
// gateway's memory stays bounded, and once the controller reads again it gets
// exactly what was not dropped, in order.
TEST(FaultInjection, ControllerThatStopsReadingCostsBoundedMemory) {
  gateway_fixture f;
  ASSERT_TRUE(f.start_gateway(listen_ws_yaml, listen_section));
  const auto src = eid_of("000413D00031");
  raw_mqtt phone(f.broker.port(), 5, src);
  ASSERT_EQ(phone.publish(gw_controller_topic, notify_record(src, "hello")), 0);
  ASSERT_TRUE(f.poll_until([&] { return f.metric("usp_gateway_queued_records") == 1; }));
  raw_ws c(f.gateways["gw"].listen_port, "/usp/" + src + "?eid=" + gw_controller_eid,
           raw_ws_options{true, 4096});
  ASSERT_TRUE(c.open());
  ASSERT_TRUE(c.read());  // the Connect Record
  ASSERT_TRUE(c.read());  // "hello"
  const auto rss_before = f.gateway_rss_kb();
  // 1200 Records of 40 kB (48 MB) against a controller that reads nothing.
  constexpr int n = 1200;
  constexpr std::size_t pad = 40000;
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(phone.publish(gw_controller_topic, notify_record(src, "s" + std::to_string(i), pad)), 0);
  }
  // connect + hello + n forwarded (a forwarded Record counts before the
  // session takes or refuses it).
  ASSERT_TRUE(f.poll_until(
      [&] { return f.metric("usp_gateway_records_total{direction=\"to_controller\"}") == n + 2; },
      std::chrono::seconds(30)))
      << f.logs();
  const auto rss_peak = f.gateway_rss_kb();
  const auto dropped = f.metric("usp_gateway_dropped_total{reason=\"send_failed\"}");
  EXPECT_GT(dropped, 0);
  // The write queue holds at most 4 MiB; the 48 MB sent must not all be held.
  if (rss_means_memory) {
    EXPECT_LT(rss_peak, rss_before + 32 * 1024) << "RSS " << rss_before << " kB -> " << rss_peak << " kB";
  }
  // The controller reads again: everything not dropped arrives, in order.
  int received = 0;
  int last = -1;
  while (received < n - static_cast<int>(dropped)) {
    auto r = c.read();
    ASSERT_TRUE(r) << "after " << received << " Records";
    boost::system::error_code ec;
    auto rec = decode_record(*r, ec);
    ASSERT_TRUE(rec);
    auto msg = decode_msg(rec->no_session_context().payload(), ec);
    ASSERT_TRUE(msg);
    // In order, none twice. (Gaps are allowed: while the queue is full new
    // Records are refused, and as the kernel takes some of the queue, later
    // ones fit again; each refusal is counted.)
    const auto& id = msg->header().msg_id();
    ASSERT_EQ(id.front(), 's') << id;
    const int seq = std::stoi(id.substr(1));
    EXPECT_GT(seq, last) << "out of order after s" << last;
    last = seq;
    ++received;
  }
  EXPECT_LT(last, n);
  EXPECT_EQ(n - received, static_cast<int>(dropped_total(f)));
  EXPECT_TRUE(f.gateways["gw"].proc.running());
}

// Many phones coming and going (kill -9 of a whole fleet, again and again):
// the gateway's gauges return to their baseline and its memory does not grow
// from round to round.
TEST(FaultInjection, FlappingFleetLeaksNothing) {
  usp::raise_fd_limit();  // before the fixture: the broker inherits it
  constexpr int phones = 1000;
  constexpr int rounds = 3;
  std::set<std::string> booted;
  std::size_t notify_resps = 0;
  tally t;  // outlives the fixture, whose last run of the loop may still deliver
  gateway_fixture f;
  ASSERT_TRUE(start_counted_dial(f, t)) << f.logs();
  const auto settings = f.dir.write("fleet.txt",
                                    "tr369_enable2!: on\n"
                                    "tr369_mtp_protocol2!: mqtt\n"
                                    "tr369_mqtt_hostport2!: 127.0.0.1:" + std::to_string(f.broker.port()) + "\n"
                                    "tr369_mqtt_version2!: 5.0\n"
                                    "tr369_mqtt_clientid2!: {eid}\n"
                                    "tr369_mqtt_topic2!: " + gw_controller_topic + "\n"
                                    "tr369_controller_endpointid2!: " + gw_controller_eid + "\n"
                                    "tr369_controller_subscriptionid2!: boot-2\n");
  f.controller->on_record = [&](const ctl::received_record& r) {
    t.add(r);
    const auto& n = r.msg ? r.msg->body().request().notify() : usp::Notify::default_instance();
    if (n.event().event_name() == "Boot!") booted.insert(r.record.from_id());
    if (r.msg && r.msg->body().request().has_notify() && n.send_resp()) ++notify_resps;
  };
  std::vector<std::size_t> rss;
  for (int round = 0; round < rounds; ++round) {
    booted.clear();
    child_process fleet({USP_AGENT_BIN, "--fleet", std::to_string(phones), "--mac-base", "000413E00000", "--settings",
                         settings, "--state-dir", f.dir.file("fleet"), "--threads", "1", "--connect-rate", "2000",
                         "--factory", std::string(USP_SOURCE_DIR) + "/config/agent/factory.txt", "--param-map",
                         std::string(USP_SOURCE_DIR) + "/config/agent/param_map", "--retry-s", "1", "--log-level",
                         "warn"},
                        f.dir.file("fleet-" + std::to_string(round) + ".log"));
    ASSERT_TRUE(run_until(f.io, [&] { return booted.size() == phones; }, std::chrono::seconds(60)))
        << "round " << round << ": " << booted.size() << " Boot!s\n" << fleet.output();
    ASSERT_TRUE(f.poll_until([&] { return f.metric("usp_gateway_sessions_open") == phones; }));
    EXPECT_EQ(f.metric("usp_gateway_agents_online"), phones);
    fleet.kill9();
    ASSERT_TRUE(f.poll_until(
        [&] {
          return f.metric("usp_gateway_agents_online") == 0 && f.metric("usp_gateway_sessions_open") == 0 &&
                 f.metric("usp_gateway_queued_records") == 0;
        },
        std::chrono::seconds(30)))
        << "round " << round;
    rss.push_back(f.gateway_rss_kb());
  }
  // Bookkeeping is per phone, not per connection: no growth across rounds.
  EXPECT_EQ(f.metric("usp_gateway_agents_known"), phones);
  EXPECT_EQ(occurrences(f.http_get("/sessions"), "\"agent\":"), static_cast<std::size_t>(phones));
  EXPECT_EQ(f.controller->sessions(), 0U);
  // Memory: the later rounds reuse what the first one allocated.
  if (rss_means_memory) {
    EXPECT_LT(rss.back(), rss.front() + rss.front() / 5 + 4096)
        << "RSS per round (kB): " << rss[0] << " " << rss[1] << " " << rss.back();
  }
  // Accounting: every Record the gateway forwarded arrived; every NotifyResp
  // the controller sent went on to MQTT.
  EXPECT_EQ(f.metric("usp_gateway_records_total{direction=\"to_controller\"}"), static_cast<double>(t.total));
  EXPECT_TRUE(f.poll_until([&] {
    return f.metric("usp_gateway_records_total{direction=\"to_agent\"}") == static_cast<double>(notify_resps);
  }));
  EXPECT_EQ(dropped_total(f), 0);
}

}  // namespace
}  // namespace usp::test

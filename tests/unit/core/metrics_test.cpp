#include "usp/metrics.hpp"

#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace usp::metrics {
namespace {

TEST(Metrics, ExactTextOfASmallRegistry) {
  registry reg;
  auto records = reg.add_counter("usp_gateway_records_total", "Records forwarded, by direction.", {"direction"},
                                 {{"to_controller"}, {"to_agent"}});
  const auto dropped = reg.add_counter("usp_gateway_dropped_total", "Records dropped, by reason.", {"reason"},
                                       {{"queue_overflow"}, {"ttl_expired"}});
  const auto sessions = reg.add_gauge("usp_gateway_ws_sessions", "Open controller sessions.");
  reg.add_callback_gauge("usp_gateway_queued_records", "Records waiting in agent queues.", [] { return 7.0; });

  records.at({"to_controller"}).inc();
  records.at({"to_agent"}).inc(41);
  records.at({"to_agent"}).inc();
  dropped.at({"ttl_expired"}).inc(3);
  sessions.set(5);
  sessions.sub(2);

  EXPECT_EQ(reg.render(),
            "# HELP usp_gateway_records_total Records forwarded, by direction.\n"
            "# TYPE usp_gateway_records_total counter\n"
            "usp_gateway_records_total{direction=\"to_controller\"} 1\n"
            "usp_gateway_records_total{direction=\"to_agent\"} 42\n"
            "# HELP usp_gateway_dropped_total Records dropped, by reason.\n"
            "# TYPE usp_gateway_dropped_total counter\n"
            "usp_gateway_dropped_total{reason=\"queue_overflow\"} 0\n"
            "usp_gateway_dropped_total{reason=\"ttl_expired\"} 3\n"
            "# HELP usp_gateway_ws_sessions Open controller sessions.\n"
            "# TYPE usp_gateway_ws_sessions gauge\n"
            "usp_gateway_ws_sessions 3\n"
            "# HELP usp_gateway_queued_records Records waiting in agent queues.\n"
            "# TYPE usp_gateway_queued_records gauge\n"
            "usp_gateway_queued_records 7\n");
}

TEST(Metrics, EmptyRegistryRendersNothing) {
  const registry reg;
  EXPECT_EQ(reg.render(), "");
}

TEST(Metrics, SeveralLabelsKeepTheirOrderAndEmptyHelpHasNoHelpLine) {
  registry reg;
  const auto f = reg.add_gauge("g", "", {"shard", "side"}, {{"0", "mqtt"}, {"1", "ws"}});
  f.at({"1", "ws"}).add(-4);
  EXPECT_EQ(reg.render(),
            "# TYPE g gauge\n"
            "g{shard=\"0\",side=\"mqtt\"} 0\n"
            "g{shard=\"1\",side=\"ws\"} -4\n");
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  registry reg;
  reg.add_counter("esc_total", "a \\ b\nc \"d\"", {"v"}, {{"back\\slash"}, {"quote\"d"}, {"new\nline"}});
  // HELP escapes backslash and newline; label values also the double quote.
  EXPECT_EQ(reg.render(),
            "# HELP esc_total a \\\\ b\\nc \"d\"\n"
            "# TYPE esc_total counter\n"
            "esc_total{v=\"back\\\\slash\"} 0\n"
            "esc_total{v=\"quote\\\"d\"} 0\n"
            "esc_total{v=\"new\\nline\"} 0\n");
}

TEST(Metrics, InvalidNamesAreRefusedAtRegistration) {
  registry reg;
  EXPECT_THROW(reg.add_gauge("", "h"), std::invalid_argument);
  EXPECT_THROW(reg.add_gauge("9lives", "h"), std::invalid_argument);
  EXPECT_THROW(reg.add_gauge("has-dash", "h"), std::invalid_argument);
  EXPECT_THROW(reg.add_gauge("has space", "h"), std::invalid_argument);
  EXPECT_THROW(reg.add_gauge("caf\xc3\xa9", "h"), std::invalid_argument);
  EXPECT_THROW(reg.add_counter("records", "h"), std::invalid_argument);  // not *_total
  EXPECT_THROW(reg.add_gauge("g1", "h", {"1st"}, {{"x"}}), std::invalid_argument);
  EXPECT_THROW(reg.add_gauge("g2", "h", {"a:b"}, {{"x"}}), std::invalid_argument);  // colon: metric names only
  EXPECT_THROW(reg.add_gauge("g3", "h", {"__reserved"}, {{"x"}}), std::invalid_argument);
  EXPECT_THROW(reg.add_gauge("g4", "h", {"a", "a"}, {{"x", "y"}}), std::invalid_argument);
  EXPECT_THROW(reg.add_gauge("g5", "h", {"a"}, {}), std::invalid_argument);             // no sets
  EXPECT_THROW(reg.add_gauge("g6", "h", {"a"}, {{"x", "y"}}), std::invalid_argument);   // wrong arity
  EXPECT_THROW(reg.add_gauge("g7", "h", {"a"}, {{"x"}, {"x"}}), std::invalid_argument); // duplicate set
  EXPECT_THROW(reg.add_callback_gauge("g8", "h", gauge_callback{}), std::invalid_argument);
  // Nothing refused was registered; good names are.
  EXPECT_EQ(reg.render(), "");
  reg.add_gauge(":ns:Name_9", "h", {"_lbl9"}, {{"x"}});
  EXPECT_THROW(reg.add_gauge(":ns:Name_9", "again"), std::invalid_argument);
  EXPECT_THROW(reg.add_callback_gauge(":ns:Name_9", "again", [] { return 0.0; }), std::invalid_argument);
}

TEST(Metrics, UnknownLabelSetIsRefused) {
  registry reg;
  const auto f = reg.add_counter("c_total", "h", {"direction"}, {{"to_agent"}});
  EXPECT_EQ(f.size(), 1U);
  EXPECT_THROW(f.at({"to_nowhere"}), std::invalid_argument);
  EXPECT_THROW(f.at({"to_agent", "extra"}), std::invalid_argument);
}

TEST(Metrics, HandlesFromAtShareOneValue) {
  registry reg;
  const auto f = reg.add_counter("c_total", "h", {"k"}, {{"a"}});
  f.at({"a"}).inc();
  const counter copy = f.at({"a"});
  copy.inc(2);
  EXPECT_EQ(f.at({"a"}).value(), 3U);
}

TEST(Metrics, DefaultHandlesCountIntoNothingRendered) {
  registry reg;
  reg.add_counter("c_total", "h");
  const counter unbound;
  const gauge unbound_gauge;
  unbound.inc(5);
  unbound_gauge.set(9);
  EXPECT_EQ(reg.render(), "# HELP c_total h\n# TYPE c_total counter\nc_total 0\n");
}

TEST(Metrics, ConcurrentIncrementsSumExactly) {
  registry reg;
  const auto records = reg.add_counter("records_total", "h", {"direction"}, {{"in"}, {"out"}});
  const auto in = records.at({"in"});
  const auto out = records.at({"out"});
  const auto level = reg.add_gauge("level", "h");
  constexpr int threads = 4;
  constexpr std::uint64_t per_thread = 250'000;
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (std::uint64_t i = 0; i < per_thread; ++i) {
        in.inc();
        out.inc(2);
        level.add(3);
        level.sub(1);
      }
    });
  }
  go = true;
  // A scrape in the middle sees some consistent-looking text and must not
  // disturb the counts.
  EXPECT_NE(reg.render().find("records_total{direction=\"in\"}"), std::string::npos);
  for (auto& t : pool) t.join();
  EXPECT_EQ(in.value(), threads * per_thread);
  EXPECT_EQ(out.value(), 2 * threads * per_thread);
  EXPECT_EQ(level.value(), static_cast<std::int64_t>(2 * threads * per_thread));
}

TEST(Metrics, CallbackGaugesRunAtEveryScrape) {
  registry reg;
  std::atomic<std::int64_t> shard0{0};
  std::atomic<std::int64_t> shard1{0};
  int calls = 0;
  reg.add_callback_gauge("queue_depth", "Summed over shards.", [&] {
    ++calls;
    return static_cast<double>(shard0.load() + shard1.load());
  });
  std::vector<std::pair<label_values, gauge_callback>> per_shard;
  per_shard.emplace_back(label_values{"0"}, [&] { return static_cast<double>(shard0.load()); });
  per_shard.emplace_back(label_values{"1"}, [&] { return static_cast<double>(shard1.load()); });
  reg.add_callback_gauge("shard_depth", "Per shard.", {"shard"}, std::move(per_shard));

  shard0 = 2;
  shard1 = 5;
  const std::string first = reg.render();
  EXPECT_NE(first.find("\nqueue_depth 7\n"), std::string::npos) << first;
  EXPECT_NE(first.find("\nshard_depth{shard=\"0\"} 2\n"), std::string::npos) << first;
  EXPECT_NE(first.find("\nshard_depth{shard=\"1\"} 5\n"), std::string::npos) << first;
  shard1 = 0;
  const std::string second = reg.render();
  EXPECT_NE(second.find("\nqueue_depth 2\n"), std::string::npos) << second;
  EXPECT_EQ(calls, 2);
}

TEST(Metrics, CallbackValuesUseThePrometheusFloatSpellings) {
  registry reg;
  reg.add_callback_gauge("a", "", [] { return 0.25; });
  reg.add_callback_gauge("b", "", [] { return std::numeric_limits<double>::quiet_NaN(); });
  reg.add_callback_gauge("c", "", [] { return std::numeric_limits<double>::infinity(); });
  reg.add_callback_gauge("d", "", [] { return -std::numeric_limits<double>::infinity(); });
  reg.add_callback_gauge("e", "", [] { return 1e21; });
  EXPECT_EQ(reg.render(),
            "# TYPE a gauge\na 0.25\n"
            "# TYPE b gauge\nb NaN\n"
            "# TYPE c gauge\nc +Inf\n"
            "# TYPE d gauge\nd -Inf\n"
            "# TYPE e gauge\ne 1e+21\n");
}

TEST(Metrics, CounterExtremesRenderInFull) {
  registry reg;
  const auto c = reg.add_counter("big_total", "");
  c.inc(std::numeric_limits<std::uint64_t>::max());
  const auto g = reg.add_gauge("low", "");
  g.set(std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(reg.render(),
            "# TYPE big_total counter\nbig_total 18446744073709551615\n"
            "# TYPE low gauge\nlow -9223372036854775808\n");
}

}  // namespace
}  // namespace usp::metrics

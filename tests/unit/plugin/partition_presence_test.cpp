// The partition hash the gateway must reproduce, and the presence JSON it parses.
#include <gtest/gtest.h>

#include "usp/partition.hpp"
#include "policy/presence.hpp"

namespace usp::plugin {
namespace {

TEST(PartitionHash, IsFnv1a32) {
  // Published FNV-1a 32-bit test vectors.
  EXPECT_EQ(fnv1a32(""), 0x811c9dc5u);
  EXPECT_EQ(fnv1a32("a"), 0xe40c292cu);
  EXPECT_EQ(fnv1a32("foobar"), 0xbf9cf968u);
  static_assert(fnv1a32("a") == 0xe40c292cu, "usable at compile time");
}

TEST(PartitionHash, IsPinnedForEndpointIds) {
  // If these change, deployed gateways pick the wrong agents.
  EXPECT_EQ(fnv1a32("os::000413-A1B2C3"), 0x66f837feu);
  EXPECT_EQ(partition_of("os::000413-A1B2C3", 4), 0x66f837feu % 4);
  EXPECT_EQ(partition_of("os::000413-A1B2C3", 1), 0u);
  // Bytes, not characters: a non-ASCII byte hashes as unsigned.
  EXPECT_EQ(fnv1a32("\xff"), (0x811c9dc5u ^ 0xffu) * 16777619u);
}

TEST(PartitionHash, SpreadsEndpointIds) {
  unsigned counts[4] = {};
  for (int i = 0; i < 4000; ++i) ++counts[partition_of("os::000413-" + std::to_string(100000 + i), 4)];
  for (unsigned c : counts) EXPECT_GT(c, 800u);
}

TEST(PartitionHash, Topic) {
  EXPECT_EQ(partition_topic("usp/part", 3, "usp/controller/acme"), "usp/part/3/usp/controller/acme");
  EXPECT_EQ(partition_topic("p", 0, "c/reply-to=usp%2Fagent%2Fx"), "p/0/c/reply-to=usp%2Fagent%2Fx");
}

const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1714566896) + std::chrono::milliseconds(789));

TEST(PresenceEvent, OnlineExactly) {
  presence_event e{"os::000413-A1B2C3", true, 5, "os::000413-A1B2C3", t0, offline_reason::clean};
  EXPECT_EQ(presence_json(e),
            R"({"eid":"os::000413-A1B2C3","state":"online","mqtt":"5.0","client_id":"os::000413-A1B2C3",)"
            R"("time":"2024-05-01T12:34:56.789Z"})");
}

TEST(PresenceEvent, OfflineExactly) {
  presence_event e{"os::000413-A1B2C3", false, 4, "c1", t0, offline_reason::abrupt};
  EXPECT_EQ(presence_json(e),
            R"({"eid":"os::000413-A1B2C3","state":"offline","mqtt":"3.1.1","client_id":"c1",)"
            R"("time":"2024-05-01T12:34:56.789Z","reason":"abrupt"})");
  e.reason = offline_reason::clean;
  EXPECT_NE(presence_json(e).find(R"("reason":"clean"})"), std::string::npos);
}

TEST(PresenceEvent, EscapesTheClientId) {
  presence_event e{"os::000413-A1B2C3", true, 5, "a\"b\\c\x01", t0, offline_reason::clean};
  EXPECT_NE(presence_json(e).find(R"("client_id":"a\"b\\c\u0001")"), std::string::npos);
}

TEST(PresenceEvent, TimeIsUtcWithMilliseconds) {
  EXPECT_EQ(iso8601_utc(std::chrono::system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(t0), "2024-05-01T12:34:56.789Z");
  EXPECT_EQ(iso8601_utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(-1))),
            "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace usp::plugin

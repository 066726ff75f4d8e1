#include "usp/mtp/ws_upgrade.hpp"

#include <gtest/gtest.h>

namespace usp::mtp {
namespace {

TEST(WsUrl, ParsesSchemesHostsPortsAndTargets) {
  auto u = parse_ws_url("ws://127.0.0.1:8080/usp");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->secure);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/usp");
  u = parse_ws_url("wss://ctrl.acme.example/usp?x=1");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->secure);
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/usp?x=1");
  u = parse_ws_url("ws://[::1]:9000");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(host_header(*u), "[::1]:9000");
  u = parse_ws_url("ws://h?eid=a");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->target, "/?eid=a");
  EXPECT_EQ(host_header(*u), "h");
}

TEST(WsUrl, RejectsMalformedUrls) {
  for (const char* bad : {"http://h/", "ws://", "ws://:80/", "ws://h:0/", "ws://h:70000/", "ws://h:x/",
                          "ws://user@h/", "ws://[::1/"}) {
    std::string why;
    EXPECT_FALSE(parse_ws_url(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(WsEid, QueryEncodesPercentAs25AndJoinsWithAmpersand) {
  // R-WS.10b/10c
  EXPECT_EQ(add_eid_query("/usp", "os::000413-A1B2C3"), "/usp?eid=os::000413-A1B2C3");
  EXPECT_EQ(add_eid_query("/usp", "self::a%2Fb"), "/usp?eid=self::a%252Fb");
  EXPECT_EQ(add_eid_query("/usp?token=x", "self::c"), "/usp?token=x&eid=self::c");
  EXPECT_EQ(add_eid_query("", "self::c"), "/?eid=self::c");
}

TEST(WsEid, QueryIsReadTolerantly) {
  // The reference agent writes ':' as %3A.
  EXPECT_EQ(eid_from_target("/usp?eid=os%3A%3A012345-OBUSPA0001").value_or(""), "os::012345-OBUSPA0001");
  EXPECT_EQ(eid_from_target("/usp?a=1&eid=self::a%252Fb&b=2").value_or(""), "self::a%2Fb");
  EXPECT_FALSE(eid_from_target("/usp"));
  EXPECT_FALSE(eid_from_target("/usp?eid="));
  EXPECT_FALSE(eid_from_target("/usp?eid=%zz"));
  EXPECT_FALSE(eid_from_target("/usp?xeid=a"));
  EXPECT_EQ(target_path("/usp/os::a?eid=x"), "/usp/os::a");
}

TEST(WsSubprotocol, FindsV1UspInAList) {
  EXPECT_TRUE(offers_usp_subprotocol("v1.usp"));
  EXPECT_TRUE(offers_usp_subprotocol("chat, v1.usp"));
  EXPECT_TRUE(offers_usp_subprotocol(" v1.usp ,x"));
  EXPECT_FALSE(offers_usp_subprotocol(""));
  EXPECT_FALSE(offers_usp_subprotocol("v1.usp2"));
  EXPECT_FALSE(offers_usp_subprotocol("V2.usp"));
}

TEST(WsExtension, ReadsTheLegacyEidParameter) {
  // The reference agent's 101 response.
  EXPECT_EQ(eid_from_extension("bbf-usp-protocol; eid=\"os::012345-OBUSPA0001\"").value_or(""),
            "os::012345-OBUSPA0001");
  EXPECT_EQ(eid_from_extension("permessage-deflate, BBF-USP-Protocol;eid=self::x").value_or(""), "self::x");
  EXPECT_EQ(eid_from_extension("bbf-usp-protocol; eid=\"a\\\"b\"").value_or(""), "a\"b");
  EXPECT_FALSE(eid_from_extension("permessage-deflate"));
  EXPECT_FALSE(eid_from_extension("bbf-usp-protocol"));
  EXPECT_FALSE(eid_from_extension("bbf-usp-protocol; eid=\"\""));
}

TEST(WsExtension, WritesAQuotedString) {
  EXPECT_EQ(make_usp_extension("os::000413-A1B2C3"), "bbf-usp-protocol; eid=\"os::000413-A1B2C3\"");
  EXPECT_EQ(eid_from_extension(make_usp_extension("we\"ird\\")).value_or(""), "we\"ird\\");
}

}  // namespace
}  // namespace usp::mtp

#include "usp/strings.hpp"

#include <gtest/gtest.h>

namespace usp {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("Device.DeviceInfo."));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));                 // é
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));                // €
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x93\x9E"));            // 📞
}

TEST(Utf8, RejectsMalformedText) {
  EXPECT_FALSE(is_valid_utf8("\xC3"));                       // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));                   // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));               // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));           // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("ok\x80"));                     // stray continuation
}

TEST(Percent, EncodesPercentAndKeepsUnreserved) {
  EXPECT_EQ(percent_encode("os::000413-A1B2%20x", ":"), "os::000413-A1B2%2520x");
  EXPECT_EQ(percent_encode("a b/c"), "a%20b%2Fc");
  EXPECT_EQ(percent_encode("a/c", "/"), "a/c");
}

TEST(Percent, DecodesAndRejectsBrokenEscapes) {
  EXPECT_EQ(percent_decode("os%3A%3A012345-OBUSPA0001"), "os::012345-OBUSPA0001");
  EXPECT_EQ(percent_decode("%25%2f"), "%/");
  EXPECT_FALSE(percent_decode("%2"));
  EXPECT_FALSE(percent_decode("%zz"));
  EXPECT_FALSE(percent_decode("abc%"));
}

TEST(Split, KeepsEmptyFields) {
  const auto parts = split("a,,b,", ',');
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0], "a");
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(parts[2], "b");
  EXPECT_EQ(parts[3], "");
}

TEST(Text, TrimAndCaseInsensitiveCompare) {
  EXPECT_EQ(trim(" \tv1.usp \t"), "v1.usp");
  EXPECT_TRUE(iequals("Bbf-USP-Protocol", "bbf-usp-protocol"));
  EXPECT_FALSE(iequals("bbf", "bbf-usp"));
}

}  // namespace
}  // namespace usp

#include "usp/err_code.hpp"

#include <gtest/gtest.h>

namespace usp {
namespace {

TEST(ErrCode, NamesFromTheSpec) {
  EXPECT_EQ(describe(err_code::invalid_path), "Invalid path");
  EXPECT_EQ(describe(7026u), "Invalid path");
  EXPECT_EQ(describe(err_code::record_not_parsed), "Record could not be parsed");
  EXPECT_EQ(describe(7106u), "Session Context not allowed");
  EXPECT_EQ(describe(7250u), "Data model defined error");
  EXPECT_EQ(describe(7850u), "Vendor defined error");
  EXPECT_EQ(describe(7099u), "Unknown error");
  EXPECT_EQ(describe(0u), "Unknown error");
}

TEST(ErrCode, EveryDefinedCodeHasAName) {
  for (std::uint32_t c = 7000; c <= 7031; ++c) EXPECT_NE(describe(c), "Unknown error") << c;
  for (std::uint32_t c = 7100; c <= 7106; ++c) EXPECT_NE(describe(c), "Unknown error") << c;
}

TEST(ErrCode, CommandFailureAllowedSet) {
  EXPECT_TRUE(allowed_in_command_failure(7022));
  EXPECT_TRUE(allowed_in_command_failure(7023));
  EXPECT_TRUE(allowed_in_command_failure(7016));
  EXPECT_TRUE(allowed_in_command_failure(7899));
  EXPECT_FALSE(allowed_in_command_failure(7000));
  EXPECT_FALSE(allowed_in_command_failure(7026));
  EXPECT_FALSE(allowed_in_command_failure(7100));
}

}  // namespace
}  // namespace usp

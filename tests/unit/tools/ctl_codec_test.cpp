#include "codec_verbs.hpp"

#include <sstream>

#include <gtest/gtest.h>

#include "usp/record.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp::ctl {
namespace {

TEST(CtlDecode, PrintsTheBootEventOfTheReferenceVector) {
  const auto dir = test::vectors_dir();
  if (dir.empty()) GTEST_SKIP() << "reference vectors not found (set USP_VECTORS_DIR)";
  std::ostringstream out, err;
  EXPECT_EQ(decode_verb(dir + "/boot-notify.bin", false, out, err), exit_ok) << err.str();
  const auto json = out.str();
  EXPECT_NE(json.find("\"event_name\": \"Boot!\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"Cause\": \"LocalFactoryReset\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"from_id\": \"os::012345-OBUSPA0001\""), std::string::npos) << json;
}

TEST(CtlDecode, CompactOutputIsOneLine) {
  test::temp_dir tmp;
  const auto f = tmp.write("r.bin", make_websocket_connect_record("os::000413-A", "self::c"));
  std::ostringstream out, err;
  EXPECT_EQ(decode_verb(f, true, out, err), exit_ok);
  EXPECT_EQ(out.str().find('\n'), out.str().size() - 1);
  EXPECT_NE(out.str().find("\"websocket_connect\":{}"), std::string::npos) << out.str();
}

TEST(CtlDecode, BadInputIsAUsageError) {
  test::temp_dir tmp;
  std::ostringstream out, err;
  EXPECT_EQ(decode_verb(tmp.write("junk", "\xff\xfe"), false, out, err), exit_usage);
  EXPECT_NE(err.str().find("not a USP Record"), std::string::npos);
  EXPECT_EQ(decode_verb(tmp.file("missing"), false, out, err), exit_usage);
}

TEST(CtlEncode, DecodeThenEncodeGivesTheRecordBack) {
  test::temp_dir tmp;
  const auto wire = make_mqtt_connect_record("os::000413-A", "self::c", mqtt_version::v5, "usp/agent/a");
  std::ostringstream json, err;
  ASSERT_EQ(decode_verb(tmp.write("c.bin", wire), false, json, err), exit_ok);
  std::istringstream in(json.str());
  std::ostringstream bytes;
  EXPECT_EQ(encode_verb(in, bytes, err), exit_ok) << err.str();
  EXPECT_EQ(bytes.str(), wire);
}

TEST(CtlEncode, RejectsBadJson) {
  std::istringstream in("{\"version\": 5, ");
  std::ostringstream out, err;
  EXPECT_EQ(encode_verb(in, out, err), exit_usage);
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace usp::ctl

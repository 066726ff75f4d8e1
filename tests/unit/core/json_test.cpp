#include "usp/json.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "usp/record.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp {
namespace {

std::string to_json(std::string_view wire) {
  boost::system::error_code ec;
  auto j = record_to_json(wire, true, ec);
  EXPECT_TRUE(j) << ec.message();
  return j.value_or("");
}

std::string from_json(std::string_view json) {
  boost::system::error_code ec;
  std::string detail;
  auto w = record_from_json(json, ec, &detail);
  EXPECT_TRUE(w) << detail;
  return w.value_or("");
}

TEST(Json, ShowsTheMsgInsideThePayload) {
  usp::Msg m;
  m.mutable_header()->set_msg_id("get-1");
  m.mutable_header()->set_msg_type(usp::Header::GET);
  m.mutable_body()->mutable_request()->mutable_get()->add_param_paths("Device.DeviceInfo.");
  const auto json = to_json(make_no_session_record("self::ctl", "os::000413-A", m));
  EXPECT_NE(json.find("\"msg_id\": \"get-1\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"param_paths\": ["), std::string::npos) << json;
  EXPECT_NE(json.find("\"Device.DeviceInfo.\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"to_id\": \"os::000413-A\""), std::string::npos);
}

TEST(Json, RoundTripsEveryVector) {
  const auto dir = test::vectors_dir();
  if (dir.empty()) GTEST_SKIP() << "reference vectors not found (set USP_VECTORS_DIR)";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".bin") continue;
    const auto wire = test::read_file(e.path());
    const auto back = from_json(to_json(wire));
    boost::system::error_code ec;
    const auto a = decode_record(wire, ec);
    const auto b = decode_record(back, ec);
    ASSERT_TRUE(a && b) << e.path();
    // Same Record; payloads compared as decoded Msgs (map order may differ).
    EXPECT_EQ(a->to_id(), b->to_id());
    EXPECT_EQ(a->record_type_case(), b->record_type_case());
    if (a->has_no_session_context()) {
      usp::Msg ma, mb;
      ASSERT_TRUE(ma.ParseFromString(a->no_session_context().payload()));
      ASSERT_TRUE(mb.ParseFromString(b->no_session_context().payload()));
      EXPECT_EQ(encode(ma), encode(mb)) << e.path();
    } else {
      EXPECT_EQ(encode(*a), back) << e.path();
    }
  }
}

TEST(Json, SegmentedPayloadsStayBytes) {
  auto r = make_record("self::a", "self::b");
  auto* s = r.mutable_session_context();
  s->set_session_id(1);
  s->set_sequence_id(1);
  s->set_payload_sar_state(usp_record::SessionContextRecord::BEGIN);
  s->set_payloadrec_sar_state(usp_record::SessionContextRecord::BEGIN);
  s->add_payload(std::string("\x0a\x05\x0a\x03", 4));  // the first bytes of a Msg only
  const auto wire = encode(r);
  const auto json = to_json(wire);
  EXPECT_NE(json.find("\"payload\": [\n   \"CgUKAw==\""), std::string::npos) << json;
  EXPECT_EQ(from_json(json), wire);
}

TEST(Json, BuildsConnectRecords) {
  const auto wire = from_json(
      R"({"version":"1.4","to_id":"self::c","from_id":"os::000413-A",)"
      R"("mqtt_connect":{"version":"V5","subscribed_topic":"usp/agent/x"}})");
  EXPECT_EQ(wire, make_mqtt_connect_record("os::000413-A", "self::c", mqtt_version::v5, "usp/agent/x"));
}

TEST(Json, RejectsWhatIsNotARecord) {
  boost::system::error_code ec;
  std::string detail;
  EXPECT_FALSE(record_from_json("{\"nope\": 1}", ec, &detail));
  EXPECT_FALSE(detail.empty());
  EXPECT_FALSE(record_from_json("not json", ec));
  EXPECT_FALSE(record_to_json("\xff\xff", true, ec));
}

}  // namespace
}  // namespace usp

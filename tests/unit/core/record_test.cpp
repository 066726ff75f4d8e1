// Golden decoding of Records captured from the Broadband Forum reference
// agent (../shared/vectors), and the Record/Msg builders.
#include "usp/record.hpp"

#include <filesystem>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <gtest/gtest.h>

#include "usp/codec_error.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp {
namespace {

class Vectors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::vectors_dir();
    if (dir_.empty()) GTEST_SKIP() << "reference vectors not found (set USP_VECTORS_DIR)";
  }
  usp_record::Record record(const std::string& name) {
    boost::system::error_code ec;
    auto r = decode_record(test::read_file(dir_ + "/" + name), ec);
    EXPECT_TRUE(r) << name << ": " << ec.message();
    return r.value_or(usp_record::Record());
  }
  usp::Msg msg(const usp_record::Record& r) {
    boost::system::error_code ec;
    auto m = decode_msg(r.no_session_context().payload(), ec);
    EXPECT_TRUE(m) << ec.message();
    return m.value_or(usp::Msg());
  }
  std::string dir_;
};

TEST_F(Vectors, MqttConnectRecords) {
  auto r = record("mqtt-connect-record.bin");
  EXPECT_EQ(r.version(), "1.3");
  EXPECT_EQ(r.from_id(), "os::012345-OBUSPA0001");
  EXPECT_EQ(r.to_id(), "self::test-controller");
  ASSERT_TRUE(r.has_mqtt_connect());
  EXPECT_EQ(r.mqtt_connect().version(), usp_record::MQTTConnectRecord::V5);
  EXPECT_EQ(r.mqtt_connect().subscribed_topic(), "usp/agent/os::012345-OBUSPA0001");

  r = record("mqtt311-connect-record.bin");
  ASSERT_TRUE(r.has_mqtt_connect());
  EXPECT_EQ(r.mqtt_connect().version(), usp_record::MQTTConnectRecord::V3_1_1);
}

TEST_F(Vectors, BootNotify) {
  for (const char* name : {"boot-notify.bin", "boot-notify-mqtt311.bin"}) {
    const auto m = msg(record(name));
    EXPECT_EQ(m.header().msg_type(), usp::Header::NOTIFY) << name;
    EXPECT_EQ(body_type(m), usp::Header::NOTIFY);
    const auto& n = m.body().request().notify();
    EXPECT_EQ(n.subscription_id(), "boot-1");
    EXPECT_TRUE(n.send_resp());
    ASSERT_TRUE(n.has_event());
    EXPECT_EQ(n.event().obj_path(), "Device.");
    EXPECT_EQ(n.event().event_name(), "Boot!");
    const auto& p = n.event().params();
    EXPECT_EQ(p.at("Cause"), "LocalFactoryReset");
    EXPECT_EQ(p.at("FirmwareUpdated"), "false");
    EXPECT_EQ(p.at("ParameterMap"), "{}");
    EXPECT_EQ(p.at("Reason"), "Unknown");
    EXPECT_EQ(p.at("CommandKey"), "");
  }
}

TEST_F(Vectors, GetRequestAndResponse) {
  const auto req = msg(record("get-deviceinfo-request.bin"));
  EXPECT_EQ(req.header().msg_id(), "get-deviceinfo-1");
  ASSERT_EQ(req.body().request().get().param_paths_size(), 1);
  EXPECT_EQ(req.body().request().get().param_paths(0), "Device.DeviceInfo.");

  const auto resp = msg(record("get-deviceinfo-response.bin"));
  EXPECT_EQ(resp.header().msg_id(), "get-deviceinfo-1");
  EXPECT_EQ(body_type(resp), usp::Header::GET_RESP);
  const auto& rpr = resp.body().response().get_resp().req_path_results();
  ASSERT_EQ(rpr.size(), 1);
  EXPECT_EQ(rpr[0].requested_path(), "Device.DeviceInfo.");
  EXPECT_EQ(rpr[0].err_code(), 0u);
  ASSERT_EQ(rpr[0].resolved_path_results_size(), 1);
  const auto& params = rpr[0].resolved_path_results(0).result_params();
  for (const char* k : {"SoftwareVersion", "ProductClass", "Manufacturer", "ModelName", "HardwareVersion", "UpTime",
                        "ManufacturerOUI", "SerialNumber"}) {
    EXPECT_TRUE(params.contains(k)) << k;
  }
  EXPECT_EQ(params.at("ModelName"), "USP Agent");
}

TEST_F(Vectors, NotifyRespAndWebSocketRecords) {
  const auto nr = msg(record("notify-resp-request.bin"));
  EXPECT_EQ(body_type(nr), usp::Header::NOTIFY_RESP);
  EXPECT_EQ(nr.body().response().notify_resp().subscription_id(), "boot-1");

  EXPECT_TRUE(record("ws-client-01-websocket_connect.bin").has_websocket_connect());
  const auto gr = msg(record("ws-client-02-get_resp.bin"));
  EXPECT_EQ(body_type(gr), usp::Header::GET_RESP);
}

// True when any message in the tree has a map entry: C++ protobuf writes map
// entries in its own order, so such inputs need not re-encode byte for byte.
bool has_map_entries(const google::protobuf::Message& m) {
  const auto* refl = m.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  refl->ListFields(m, &fields);
  for (const auto* f : fields) {
    if (f->is_map() && refl->FieldSize(m, f) > 0) return true;
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < refl->FieldSize(m, f); ++i) {
        if (has_map_entries(refl->GetRepeatedMessage(m, f, i))) return true;
      }
    } else if (has_map_entries(refl->GetMessage(m, f))) {
      return true;
    }
  }
  return false;
}

TEST_F(Vectors, ReEncodeIsByteIdenticalWhereCanonical) {
  int records = 0;
  int canonical_msgs = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    if (e.path().extension() != ".bin") continue;
    const auto wire = test::read_file(e.path());
    const auto r = record(e.path().filename());
    // The Record level (payload kept as bytes) re-encodes exactly.
    EXPECT_EQ(encode(r), wire) << e.path();
    ++records;
    if (!r.has_no_session_context()) continue;
    const auto& payload = r.no_session_context().payload();
    const auto m = msg(r);
    if (has_map_entries(m)) {
      // C++ protobuf may order map entries differently: compare content.
      usp::Msg again;
      ASSERT_TRUE(again.ParseFromString(payload));
      EXPECT_EQ(encode(again), encode(m)) << e.path();
    } else {
      EXPECT_EQ(encode(m), payload) << e.path() << ": Msg did not re-encode byte for byte";
      ++canonical_msgs;
    }
  }
  EXPECT_EQ(records, 9);
  EXPECT_GE(canonical_msgs, 2);
}

TEST(Records, BuildersProduceDecodableRecords) {
  usp::Msg m;
  m.mutable_header()->set_msg_id("x1");
  m.mutable_header()->set_msg_type(usp::Header::GET);
  m.mutable_body()->mutable_request()->mutable_get()->add_param_paths("Device.DeviceInfo.");
  boost::system::error_code ec;
  auto r = decode_record(make_no_session_record("self::ctl", "os::000413-A1B2C3", m), ec);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->version(), std::string(protocol_version));
  EXPECT_EQ(r->from_id(), "self::ctl");
  auto back = decode_msg(r->no_session_context().payload(), ec);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->header().msg_id(), "x1");

  r = decode_record(make_mqtt_connect_record("os::000413-A", "self::c", mqtt_version::v3_1_1, "usp/agent/a"), ec);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->mqtt_connect().version(), usp_record::MQTTConnectRecord::V3_1_1);
  r = decode_record(make_websocket_connect_record("os::000413-A", "self::c"), ec);
  ASSERT_TRUE(r && r->has_websocket_connect());
  r = decode_record(make_disconnect_record("os::000413-A", "self::c", "session ended", 7105), ec);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->disconnect().reason_code(), 7105u);
}


// make_no_session_record(Msg) writes the Record in one pass; its bytes are
// those of the Record object with the encoded Msg as payload.
TEST(Records, OnePassNoSessionRecordMatchesTheRecordObject) {
  auto via_object = [](std::string_view from, std::string_view to, const usp::Msg& msg) {
    auto r = make_record(from, to);
    r.mutable_no_session_context()->set_payload(encode(msg));
    std::string out;
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    r.SerializeToCodedStream(&coded);
    coded.Trim();
    return out;
  };
  for (const std::size_t rows : {0u, 1u, 3u, 40u, 600u}) {  // payloads from 0 to past 16 KiB (3-byte lengths)
    usp::Msg m;
    if (rows > 0) {
      m.mutable_header()->set_msg_id("b" + std::to_string(rows));
      m.mutable_header()->set_msg_type(usp::Header::GET_RESP);
      auto* req = m.mutable_body()->mutable_response()->mutable_get_resp()->add_req_path_results();
      req->set_requested_path("Device.DeviceInfo.");
      for (std::size_t i = 0; i < rows; ++i) {
        auto* res = req->add_resolved_path_results();
        res->set_resolved_path("Device.DeviceInfo.FirmwareImage." + std::to_string(i) + ".");
        auto& params = *res->mutable_result_params();
        params["Version"] = "10.1.161." + std::to_string(i);  // out of order: sorted on the wire
        params["Available"] = "true";
        params["Alias"] = "";
        params["Name"] = std::string(i % 7, 'n');
      }
    }
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"os::000413-000413BE0001", "self::bench"},
                                   {"", "self::c"}, {"os::a", ""}}) {
      EXPECT_EQ(make_no_session_record(from, to, m), via_object(from, to, m)) << rows << " rows, from '" << from << "'";
    }
  }
}
TEST(Records, DecodeRejectsGarbageAndIncompleteMessages) {
  boost::system::error_code ec;
  EXPECT_FALSE(decode_record("\xff\xff\xff", ec));
  EXPECT_EQ(ec, codec_errc::parse_failed);
  EXPECT_FALSE(decode_record("", ec));  // parses, but has no record type
  EXPECT_EQ(ec, codec_errc::no_record_type);

  usp::Msg m;
  EXPECT_FALSE(decode_msg(encode(m), ec));  // no header
  EXPECT_EQ(ec, codec_errc::missing_field);
  m.mutable_header()->set_msg_id("a");
  EXPECT_FALSE(decode_msg(encode(m), ec));  // no body
  m.mutable_body()->mutable_request();
  EXPECT_FALSE(decode_msg(encode(m), ec));  // request without a type
  m.mutable_body()->mutable_request()->mutable_get();
  EXPECT_TRUE(decode_msg(encode(m), ec));
  m.mutable_header()->clear_msg_id();
  EXPECT_FALSE(decode_msg(encode(m), ec));  // R-MSG.8
}

TEST(Records, BodyWinsOverHeaderType) {
  usp::Msg m;
  m.mutable_header()->set_msg_id("a");
  m.mutable_header()->set_msg_type(usp::Header::SET);
  m.mutable_body()->mutable_response()->mutable_get_resp();
  EXPECT_EQ(body_type(m), usp::Header::GET_RESP);  // R-MSG.10
  m.mutable_body()->mutable_error()->set_err_code(7000);
  EXPECT_EQ(body_type(m), usp::Header::ERROR);
}

}  // namespace
}  // namespace usp

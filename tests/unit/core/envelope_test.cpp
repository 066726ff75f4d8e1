#include "usp/envelope.hpp"

#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "usp/codec_error.hpp"
#include "usp/record.hpp"
#include "usp_test/temp_dir.hpp"

namespace usp {
namespace {

std::optional<envelope> scan(std::string_view wire, codec_errc* why = nullptr) {
  boost::system::error_code ec;
  auto env = scan_envelope(wire, ec);
  if (why) *why = env ? codec_errc::ok : static_cast<codec_errc>(ec.value());
  return env;
}

usp::Msg get_msg() {
  usp::Msg m;
  m.mutable_header()->set_msg_id("m1");
  m.mutable_header()->set_msg_type(usp::Header::GET);
  m.mutable_body()->mutable_request()->mutable_get()->add_param_paths("Device.");
  return m;
}

TEST(Envelope, ReadsOuterFieldsWithoutCopying) {
  const auto wire = make_no_session_record("self::ctl", "os::000413-A1B2C3", get_msg());
  const auto env = scan(wire);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->version, "1.4");
  EXPECT_EQ(env->from_id, "self::ctl");
  EXPECT_EQ(env->to_id, "os::000413-A1B2C3");
  EXPECT_EQ(env->type, record_type::no_session_context);
  EXPECT_EQ(env->payload, encode(get_msg()));
  // Views point into the input.
  EXPECT_GE(env->to_id.data(), wire.data());
  EXPECT_LE(env->to_id.data() + env->to_id.size(), wire.data() + wire.size());
}

TEST(Envelope, ConnectAndDisconnectRecords) {
  // The envelope views into the wire bytes: keep them alive.
  const auto mqtt = make_mqtt_connect_record("os::000413-A", "self::c", mqtt_version::v5, "usp/agent/x");
  auto env = scan(mqtt);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->type, record_type::mqtt_connect);
  EXPECT_EQ(env->mqtt_version, 1u);
  EXPECT_EQ(env->subscribed_topic, "usp/agent/x");
  const auto ws = make_websocket_connect_record("os::000413-A", "self::c");
  env = scan(ws);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->type, record_type::websocket_connect);
  const auto bye = make_disconnect_record("a::b:c", "self::c", "bye", 7105);
  env = scan(bye);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->type, record_type::disconnect);
  EXPECT_EQ(env->disconnect_reason, "bye");
  EXPECT_EQ(env->disconnect_code, 7105u);
}

TEST(Envelope, SessionContextRecord) {
  auto r = make_record("self::a", "self::b");
  auto* s = r.mutable_session_context();
  s->set_session_id(9);
  s->set_sequence_id(3);
  s->set_expected_id(2);
  s->add_payload("part");
  const auto wire = encode(r);
  const auto env = scan(wire);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->type, record_type::session_context);
  EXPECT_EQ(env->session_id, 9u);
  EXPECT_EQ(env->sequence_id, 3u);
}

struct bad_record {
  std::string name;
  std::string bytes;
  codec_errc expected;
};

std::string field(std::uint32_t number, std::uint32_t wt, std::string_view body) {
  std::string out;
  std::uint64_t key = (static_cast<std::uint64_t>(number) << 3) | wt;
  while (key >= 0x80) {
    out.push_back(static_cast<char>((key & 0x7F) | 0x80));
    key >>= 7;
  }
  out.push_back(static_cast<char>(key));
  if (wt == 2) {
    std::uint64_t len = body.size();
    while (len >= 0x80) {
      out.push_back(static_cast<char>((len & 0x7F) | 0x80));
      len >>= 7;
    }
    out.push_back(static_cast<char>(len));
  }
  out.append(body);
  return out;
}

std::string ids() { return field(1, 2, "1.4") + field(2, 2, "os::000413-A") + field(3, 2, "self::c"); }

TEST(Envelope, RejectsMalformedRecords) {
  const std::string payload = field(2, 2, encode(get_msg()));
  const std::vector<bad_record> cases = {
      {"empty", "", codec_errc::no_record_type},
      {"only ids", ids(), codec_errc::no_record_type},
      {"truncated length", ids() + std::string("\x3a\x10\x12", 3), codec_errc::truncated},
      {"truncated varint", std::string("\x20\xff\xff", 3), codec_errc::truncated},
      {"to_id as varint", field(1, 2, "1.4") + field(2, 0, "\x01") + field(7, 2, payload), codec_errc::bad_wire_type},
      {"group wire type", ids() + field(20, 3, ""), codec_errc::bad_wire_type},
      {"field number zero", ids() + std::string("\x02\x00", 2), codec_errc::bad_wire_type},
      {"two record types", ids() + field(7, 2, payload) + field(9, 2, ""), codec_errc::several_record_types},
      {"unknown payload_security", ids() + field(4, 0, "\x07") + field(7, 2, payload), codec_errc::unknown_enum},
      {"unknown mqtt version", ids() + field(10, 2, field(1, 0, "\x05") + field(2, 2, "t")), codec_errc::unknown_enum},
      {"invalid UTF-8 to_id", field(1, 2, "1.4") + field(2, 2, "os::\xff") + field(3, 2, "self::c") + field(7, 2, payload),
       codec_errc::invalid_utf8},
      {"missing from_id", field(1, 2, "1.4") + field(2, 2, "os::000413-A") + field(7, 2, payload), codec_errc::missing_field},
      {"empty payload", ids() + field(7, 2, ""), codec_errc::empty_payload},
      {"disconnect code as varint", ids() + field(12, 2, field(2, 0, "\x01")), codec_errc::bad_wire_type},
      {"garbage", std::string("\xde\xad\xbe\xef\x00\x01\x02", 7), codec_errc::bad_wire_type},
  };
  for (const auto& c : cases) {
    codec_errc why{};
    EXPECT_FALSE(scan(c.bytes, &why)) << c.name;
    EXPECT_EQ(why, c.expected) << c.name << ": " << make_error_code(why).message();
  }
}

TEST(Envelope, SkipsUnknownFieldsLikeProtobuf) {
  const std::string payload = field(2, 2, encode(get_msg()));
  const auto wire = ids() + field(40, 0, "\x01") + field(41, 5, "abcd") + field(42, 1, "abcdefgh") +
                    field(43, 2, "xyz") + field(7, 2, payload);
  const auto env = scan(wire);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->type, record_type::no_session_context);
  boost::system::error_code ec;
  EXPECT_TRUE(decode_record(wire, ec)) << ec.message();
}

TEST(Envelope, ReadsEveryReferenceVector) {
  const auto dir = test::vectors_dir();
  if (dir.empty()) GTEST_SKIP() << "reference vectors not found (set USP_VECTORS_DIR)";
  int seen = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".bin") continue;
    const auto wire = test::read_file(e.path());
    codec_errc why{};
    const auto env = scan(wire, &why);
    ASSERT_TRUE(env) << e.path() << ": " << make_error_code(why).message();
    EXPECT_EQ(env->version, "1.3") << e.path();
    ++seen;
  }
  EXPECT_EQ(seen, 9);
}

// Whatever the scanner accepts, protobuf's own parser accepts too: mutate
// real Records byte by byte and compare.
TEST(Envelope, NeverAcceptsWhatProtobufRejects) {
  std::vector<std::string> seeds = {
      make_no_session_record("self::ctl", "os::000413-A1B2C3", get_msg()),
      make_mqtt_connect_record("os::000413-A", "self::c", mqtt_version::v3_1_1, "usp/agent/x"),
      make_disconnect_record("a::b:c", "self::c", "bye", 7105)};
  std::mt19937 rng(1234);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string w = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits && !w.empty(); ++k) {
      const auto pos = rng() % w.size();
      switch (rng() % 3) {
        case 0: w[pos] = static_cast<char>(rng()); break;
        case 1: w.erase(pos, 1); break;
        default: w.insert(pos, 1, static_cast<char>(rng())); break;
      }
    }
    boost::system::error_code ec;
    if (scan_envelope(w, ec)) {
      ++accepted;
      usp_record::Record r;
      ASSERT_TRUE(r.ParseFromString(w)) << "scanner accepted bytes protobuf rejects (case " << i << ")";
    }
  }
  EXPECT_GT(accepted, 100);  // the property was exercised
}

}  // namespace
}  // namespace usp

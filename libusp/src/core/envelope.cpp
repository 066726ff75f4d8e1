#include "usp/envelope.hpp"

#include "usp/codec_error.hpp"
#include "usp/strings.hpp"

namespace usp {
namespace {

enum wire_type : std::uint32_t { varint = 0, fixed64 = 1, length_delimited = 2, fixed32 = 5 };

// A cursor over protobuf wire bytes. Every read is bounds-checked.
class wire_reader {
 public:
  explicit wire_reader(std::string_view s) noexcept
      : p_(reinterpret_cast<const unsigned char*>(s.data())), end_(p_ + s.size()) {}

  bool done() const noexcept { return p_ == end_; }

  bool read_varint(std::uint64_t& v) noexcept {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      const unsigned char b = *p_++;
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;  // more than 10 bytes
  }

  bool read_fixed32(std::uint32_t& v) noexcept {
    if (end_ - p_ < 4) return false;
    v = static_cast<std::uint32_t>(p_[0]) | (static_cast<std::uint32_t>(p_[1]) << 8) |
        (static_cast<std::uint32_t>(p_[2]) << 16) | (static_cast<std::uint32_t>(p_[3]) << 24);
    p_ += 4;
    return true;
  }

  bool read_bytes(std::string_view& out) noexcept {
    std::uint64_t len = 0;
    if (!read_varint(len)) return false;
    if (len > static_cast<std::uint64_t>(end_ - p_)) return false;
    out = std::string_view(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(len));
    p_ += len;
    return true;
  }

  // Skips a field of an unknown number. Groups are refused (proto3 has none).
  codec_errc skip(std::uint32_t wt) noexcept {
    std::uint64_t v = 0;
    std::uint32_t f = 0;
    std::string_view b;
    switch (wt) {
      case varint: return read_varint(v) ? codec_errc::ok : codec_errc::truncated;
      case fixed64:
        if (end_ - p_ < 8) return codec_errc::truncated;
        p_ += 8;
        return codec_errc::ok;
      case length_delimited: return read_bytes(b) ? codec_errc::ok : codec_errc::truncated;
      case fixed32: return read_fixed32(f) ? codec_errc::ok : codec_errc::truncated;
      default: return codec_errc::bad_wire_type;
    }
  }

 private:
  const unsigned char* p_;
  const unsigned char* end_;
};

struct tag {
  std::uint32_t field;
  std::uint32_t wt;
};

codec_errc read_tag(wire_reader& r, tag& t) noexcept {
  std::uint64_t key = 0;
  if (!r.read_varint(key)) return codec_errc::truncated;
  t.field = static_cast<std::uint32_t>(key >> 3);
  t.wt = static_cast<std::uint32_t>(key & 7);
  if (t.field == 0 || (key >> 3) > 0x1FFFFFFF) return codec_errc::bad_wire_type;
  return codec_errc::ok;
}

codec_errc read_string(wire_reader& r, const tag& t, std::string_view& out) noexcept {
  if (t.wt != length_delimited) return codec_errc::bad_wire_type;
  if (!r.read_bytes(out)) return codec_errc::truncated;
  return is_valid_utf8(out) ? codec_errc::ok : codec_errc::invalid_utf8;
}

codec_errc read_bytes(wire_reader& r, const tag& t, std::string_view& out) noexcept {
  if (t.wt != length_delimited) return codec_errc::bad_wire_type;
  return r.read_bytes(out) ? codec_errc::ok : codec_errc::truncated;
}

codec_errc read_uint(wire_reader& r, const tag& t, std::uint64_t& out) noexcept {
  if (t.wt != varint) return codec_errc::bad_wire_type;
  return r.read_varint(out) ? codec_errc::ok : codec_errc::truncated;
}

codec_errc read_enum(wire_reader& r, const tag& t, std::uint64_t max, std::uint32_t& out) noexcept {
  std::uint64_t v = 0;
  if (auto e = read_uint(r, t, v); e != codec_errc::ok) return e;
  if (v > max) return codec_errc::unknown_enum;  // R-ENC.2
  out = static_cast<std::uint32_t>(v);
  return codec_errc::ok;
}

// Checks the body of the selected record_type message and fills `env`.
codec_errc scan_body(std::string_view body, envelope& env) noexcept {
  wire_reader r(body);
  bool has_payload = false;
  while (!r.done()) {
    tag t{};
    if (auto e = read_tag(r, t); e != codec_errc::ok) return e;
    codec_errc e = codec_errc::ok;
    std::uint64_t u = 0;
    std::uint32_t ignored = 0;
    std::string_view ignored_bytes;
    switch (env.type) {
      case record_type::no_session_context:
        if (t.field == 2) {
          e = read_bytes(r, t, env.payload);
          has_payload = true;
        } else {
          e = r.skip(t.wt);
        }
        break;
      case record_type::session_context:
        if (t.field >= 1 && t.field <= 4) {
          e = read_uint(r, t, u);
          if (t.field == 1) env.session_id = u;
          if (t.field == 2) env.sequence_id = u;
        } else if (t.field == 5 || t.field == 6) {
          e = read_enum(r, t, 3, ignored);
        } else if (t.field == 7) {
          e = read_bytes(r, t, ignored_bytes);
        } else {
          e = r.skip(t.wt);
        }
        break;
      case record_type::mqtt_connect:
        if (t.field == 1) {
          e = read_enum(r, t, 1, env.mqtt_version);
        } else if (t.field == 2) {
          e = read_string(r, t, env.subscribed_topic);
        } else {
          e = r.skip(t.wt);
        }
        break;
      case record_type::stomp_connect:
        if (t.field == 1) {
          e = read_enum(r, t, 0, ignored);
        } else if (t.field == 2) {
          e = read_string(r, t, ignored_bytes);
        } else {
          e = r.skip(t.wt);
        }
        break;
      case record_type::disconnect:
        if (t.field == 1) {
          e = read_string(r, t, env.disconnect_reason);
        } else if (t.field == 2) {
          if (t.wt != fixed32) return codec_errc::bad_wire_type;
          e = r.read_fixed32(env.disconnect_code) ? codec_errc::ok : codec_errc::truncated;
        } else {
          e = r.skip(t.wt);
        }
        break;
      default:  // websocket_connect, uds_connect: empty messages
        e = r.skip(t.wt);
        break;
    }
    if (e != codec_errc::ok) return e;
  }
  if (env.type == record_type::no_session_context && (!has_payload || env.payload.empty())) {
    return codec_errc::empty_payload;  // R-E2E.26
  }
  return codec_errc::ok;
}

codec_errc scan(std::string_view wire, envelope& env) noexcept {
  wire_reader r(wire);
  std::string_view body;
  while (!r.done()) {
    tag t{};
    if (auto e = read_tag(r, t); e != codec_errc::ok) return e;
    codec_errc e = codec_errc::ok;
    std::string_view ignored;
    switch (t.field) {
      case 1: e = read_string(r, t, env.version); break;
      case 2: e = read_string(r, t, env.to_id); break;
      case 3: e = read_string(r, t, env.from_id); break;
      case 4: e = read_enum(r, t, 1, env.payload_security); break;
      case 5:
        e = read_bytes(r, t, ignored);
        env.has_mac_signature = !ignored.empty();
        break;
      case 6: e = read_bytes(r, t, ignored); break;
      case 7: case 8: case 9: case 10: case 11: case 12: case 13:
        if (env.type != record_type::none) return codec_errc::several_record_types;  // R-ENC.4
        env.type = static_cast<record_type>(t.field);
        e = read_bytes(r, t, body);
        break;
      default: e = r.skip(t.wt); break;
    }
    if (e != codec_errc::ok) return e;
  }
  if (env.type == record_type::none) return codec_errc::no_record_type;  // R-ENC.3
  if (env.to_id.empty() || env.from_id.empty()) return codec_errc::missing_field;
  return scan_body(body, env);
}

}  // namespace

std::string_view to_string(record_type t) noexcept {
  switch (t) {
    case record_type::none: return "none";
    case record_type::no_session_context: return "no_session_context";
    case record_type::session_context: return "session_context";
    case record_type::websocket_connect: return "websocket_connect";
    case record_type::mqtt_connect: return "mqtt_connect";
    case record_type::stomp_connect: return "stomp_connect";
    case record_type::disconnect: return "disconnect";
    case record_type::uds_connect: return "uds_connect";
  }
  return "unknown";
}

std::optional<envelope> scan_envelope(std::string_view wire, boost::system::error_code& ec) noexcept {
  envelope env;
  if (const auto e = scan(wire, env); e != codec_errc::ok) {
    ec = make_error_code(e);
    return std::nullopt;
  }
  ec = {};
  return env;
}

}  // namespace usp

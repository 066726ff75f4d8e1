#include "policy/presence.hpp"

#include <cstdio>
#include <ctime>

namespace usp::plugin {

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out.append(buf);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string iso8601_utc(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long frac = static_cast<long>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];  // room for any int the compiler can imagine
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

std::string presence_json(const presence_event& e) {
  std::string out;
  out.reserve(160);
  out.append("{\"eid\":\"").append(json_escape(e.eid));
  out.append("\",\"state\":\"").append(e.online ? "online" : "offline");
  out.append("\",\"mqtt\":\"").append(e.protocol_version == 5 ? "5.0" : "3.1.1");
  out.append("\",\"client_id\":\"").append(json_escape(e.client_id));
  out.append("\",\"time\":\"").append(iso8601_utc(e.time)).append("\"");
  if (!e.online) out.append(",\"reason\":\"").append(e.reason == offline_reason::clean ? "clean" : "abrupt").append("\"");
  out.append("}");
  return out;
}

}  // namespace usp::plugin

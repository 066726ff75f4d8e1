// Helpers shared by the fault-injection and bad-input tests.
#pragma once

#include <map>
#include <set>
#include <string>

#include "gateway_fixture.hpp"
#include "usp/record.hpp"

namespace usp::test {

inline std::string dial_yaml(std::uint16_t port) {
  return "      mode: dial\n"
         "      url: ws://127.0.0.1:" + std::to_string(port) + "/usp\n"
         "      keepalive_s: 30\n"
         "      retry_min_wait_s: 1\n"
         "      retry_multiplier: 1000\n"
         "      retry_max_wait_s: 1\n";
}

inline const std::string listen_ws_yaml = "      mode: listen\n";
inline const std::string listen_section = "listen: {address: 127.0.0.1, port: 0, path_prefix: /usp/}\n";

// A ValueChange Notify (no response wanted) whose msg_id and value are `id`;
// `pad` bytes of filler make it as large as a test needs.
inline usp::Msg notify_msg(const std::string& id, std::size_t pad = 0) {
  usp::Msg m;
  m.mutable_header()->set_msg_id(id);
  m.mutable_header()->set_msg_type(usp::Header::NOTIFY);
  auto* n = m.mutable_body()->mutable_request()->mutable_notify();
  n->set_subscription_id("reliability");
  n->set_send_resp(false);
  n->mutable_value_change()->set_param_path("Device.X_TEST.Value");
  n->mutable_value_change()->set_param_value(id + std::string(pad, 'x'));
  return m;
}

inline std::string notify_record(const std::string& from, const std::string& id, std::size_t pad = 0) {
  return make_no_session_record(from, gw_controller_eid, notify_msg(id, pad));
}

inline bool is_test_notify(const ctl::received_record& r) {
  return r.msg && r.msg->body().request().notify().subscription_id() == "reliability";
}

// What the controller received, per sender: every Record, and the distinct
// msg_ids of the test's own Notifies.
struct tally {
  std::map<std::string, std::size_t> records;
  std::map<std::string, std::multiset<std::string>> notifies;
  std::size_t total = 0;
  void add(const ctl::received_record& r) {
    ++total;
    ++records[r.record.from_id()];
    if (is_test_notify(r)) notifies[r.record.from_id()].insert(r.msg->header().msg_id());
  }
  std::size_t distinct(const std::string& from) const {
    const auto it = notifies.find(from);
    return it == notifies.end() ? 0 : std::set<std::string>(it->second.begin(), it->second.end()).size();
  }
  std::size_t count(const std::string& from) const {
    const auto it = notifies.find(from);
    return it == notifies.end() ? 0 : it->second.size();
  }
};

// The fixture's controller listens and also counts into `t`; the gateway
// dials it. False when the gateway did not come up.
inline bool start_counted_dial(gateway_fixture& f, tally& t) {
  f.controller_listens();
  f.controller->on_record = [&f, &t](const ctl::received_record& r) {
    t.add(r);
    f.inbox.push_back(r);
  };
  return f.start_gateway(dial_yaml(f.controller->port()));
}

inline double dropped_total(gateway_fixture& f, const std::string& name = "gw") {
  double n = 0;
  for (const char* r : {"malformed", "oversize", "wrong_to_id", "wrong_from_id", "unknown_agent", "queue_overflow",
                        "queue_expired", "agent_offline", "publish_failed", "send_failed", "shutdown"}) {
    n += f.metric(std::string("usp_gateway_dropped_total{reason=\"") + r + "\"}", name);
  }
  return n;
}

inline std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

}  // namespace usp::test

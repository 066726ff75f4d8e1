// The broker plugin's validation core (broker-plugin/src/policy) as the
// plugin drives it: an engine with a fake broker, and a sequence of broker
// events (split at "\xff\xffNEXT\xff\xff"). Each event: a kind byte, a client
// byte (one of four connections), fields split at '\x1f':
//
//   'S'/'U'/'R'/'W' topic 0x1f payload          ACL check (subscribe,
//                                               unsubscribe, read, write)
//   'M' topic 0x1f payload 0x1f content_type 0x1f response_topic
//                                               message event (MQTT 5 props,
//                                               absent when the field is)
//   'D' (clean) / 'A' (abrupt)                  disconnect
//   'T'                                         tick (an hour later)
//   'I' client_id 0x1f username 0x1f cn 0x1f san 0x1f version
//                                               the connection is replaced by
//                                               another client
//
// An input starting with "O\n" first sets the options from its first event's
// lines ("key value", as plugin_opt_<key> <value>); nothing runs when
// parse_options refuses them.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "policy/engine.hpp"
#include "policy/options.hpp"
#include "policy/validation.hpp"

namespace usp::plugin {
namespace {

struct client final : client_view {
  std::string cid;
  std::string user;
  int version = 5;
  std::optional<cert_names> cert;
  std::uintptr_t connection = 0;  // a new connection gets another key

  const void* key() const noexcept override { return reinterpret_cast<const void*>(connection); }
  std::string_view client_id() const noexcept override { return cid; }
  std::string_view username() const noexcept override { return user; }
  int protocol_version() const noexcept override { return version; }
  std::optional<cert_names> certificate() const override { return cert; }
};

struct port final : broker_port {
  std::chrono::steady_clock::time_point steady{std::chrono::hours(1)};
  void publish(const std::string& topic, std::string_view, int qos, bool) override {
    if (topic.empty() || qos < 0 || qos > 2) usp::fuzz::broken("a bad publication");
  }
  void log(log_level, const std::string&) override {}
  std::chrono::steady_clock::time_point steady_now() override { return steady; }
  std::chrono::system_clock::time_point wall_now() override { return std::chrono::system_clock::time_point(std::chrono::seconds(1714566896)); }
};

plugin_options defaults() {
  plugin_options o;
  o.controller_topics = {"usp/controller/acme", "usp/controller/other"};
  o.privileged_usernames = {"usp-gateway"};
  o.presence_topic = "usp/presence/{eid}";
  o.partitions = 4;
  o.max_record_bytes = 2048;
  return o;
}

std::optional<plugin_options> options_from(std::string_view text) {
  std::vector<option_line> lines;
  for (const auto line : usp::fuzz::split(text, "\n")) {
    if (line.empty()) continue;
    const auto sp = line.find(' ');
    lines.push_back({line.substr(0, sp), sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1)});
  }
  std::string error;
  auto o = parse_options(lines, error);
  if (!o && error.empty()) usp::fuzz::broken("options refused without a reason");
  return o;
}

std::string_view field(const std::vector<std::string_view>& f, std::size_t i) { return i < f.size() ? f[i] : ""; }
std::optional<std::string_view> optional_field(const std::vector<std::string_view>& f, std::size_t i) {
  if (i < f.size()) return f[i];
  return std::nullopt;
}

}  // namespace
}  // namespace usp::plugin

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace usp::plugin;
  usp::fuzz::quiet();
  auto events = usp::fuzz::split(usp::fuzz::as_view(data, size), "\xff\xffNEXT\xff\xff");
  std::size_t first = 0;
  auto opts = defaults();
  if (events[0].starts_with("O\n")) {
    auto o = options_from(events[0].substr(2));
    if (!o) return 0;
    opts = std::move(*o);
    first = 1;
  }
  port broker;
  engine eng(opts, broker);
  std::array<client, 4> clients;
  for (std::size_t i = 0; i < clients.size(); ++i) clients[i].connection = i + 1;
  clients[0].cid = "os::000413-A1B2C3";
  clients[1].cid = "os::000413-B1B2C3";
  clients[1].version = 4;
  clients[2].cid = "gw-1";
  clients[2].user = "usp-gateway";
  clients[3].cid = "self::acme-controller";
  clients[3].cert = cert_names{"os::000413-C1C2C3", {"urn:bbf:usp:id:os::000413-C1C2C3"}};
  for (std::size_t i = first; i < events.size(); ++i) {
    const auto e = events[i];
    if (e.size() < 2) continue;
    auto& c = clients[static_cast<unsigned char>(e[1]) % clients.size()];
    const auto f = usp::fuzz::split(e.substr(2), "\x1f");
    switch (e[0]) {
      case 'S': (void)eng.on_acl_check(c, access::subscribe, field(f, 0), field(f, 1)); break;
      case 'U': (void)eng.on_acl_check(c, access::unsubscribe, field(f, 0), field(f, 1)); break;
      case 'R': (void)eng.on_acl_check(c, access::read, field(f, 0), field(f, 1)); break;
      case 'W': (void)eng.on_acl_check(c, access::write, field(f, 0), field(f, 1)); break;
      case 'M': {
        const auto out = eng.on_message(c, {field(f, 0), field(f, 1), optional_field(f, 2), optional_field(f, 3)});
        if (out.partition_topic && out.partition_topic->empty()) usp::fuzz::broken("an empty partition topic");
        break;
      }
      case 'D': eng.on_disconnect(c, offline_reason::clean); break;
      case 'A': eng.on_disconnect(c, offline_reason::abrupt); break;
      case 'T':
        broker.steady += std::chrono::hours(1);
        eng.on_tick();
        break;
      case 'I':
        eng.on_disconnect(c, offline_reason::abrupt);
        c.connection += clients.size();
        c.cid = field(f, 0);
        c.user = field(f, 1);
        c.cert = cert_names{std::string(field(f, 2)), {std::string(field(f, 3))}};
        c.version = 3 + static_cast<unsigned char>(field(f, 4).empty() ? 2 : field(f, 4)[0]) % 3;
        break;
      default: break;
    }
    (void)eng.is_record_topic(field(f, 0));
  }
  for (auto& c : clients) eng.on_disconnect(c, offline_reason::clean);
  if (eng.agents_online() != 0) usp::fuzz::broken("agents online after every client left");
  return 0;
}

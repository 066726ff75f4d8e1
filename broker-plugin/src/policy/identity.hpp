// Binding an MQTT client to a USP endpoint id, and its role.
//
// The plugin enforces identity; it does not authenticate. mosquitto (its
// password_file, dynamic security, require_certificate) decides who may
// connect; the plugin decides what an identified client may do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "policy/options.hpp"

namespace usp::plugin {

enum class role : std::uint8_t {
  none,        // no usable endpoint id: nothing USP
  agent,       // bound to `eid`: its own topic, the controller topics
  privileged,  // a privileged username: the whole USP topic space
};

struct identity {
  role kind = role::none;
  std::string eid;  // agents only
};

// The names in a client certificate the identity options may use.
struct cert_names {
  std::string common_name;             // subject CN (empty if none or not unique)
  std::vector<std::string> uri_sans;   // subjectAltName URIs
};

// What the broker tells us about a client. The certificate is read only when
// an identity option needs it (it costs a parse).
class client_view {
 public:
  virtual ~client_view() = default;
  virtual const void* key() const noexcept = 0;  // the connection, stable while it lives
  virtual std::string_view client_id() const noexcept = 0;
  virtual std::string_view username() const noexcept = 0;
  virtual int protocol_version() const noexcept = 0;  // 3 (3.1), 4 (3.1.1), 5
  virtual std::optional<cert_names> certificate() const = 0;
};

class identity_rules {
 public:
  explicit identity_rules(const plugin_options& o);

  identity identify(const client_view& c) const;

  // R-SEC.0a: "urn:bbf:usp:id:<EID>" in a subjectAltName URI.
  static std::optional<std::string> eid_from_sans(const std::vector<std::string>& uri_sans);

 private:
  std::optional<std::string> endpoint_id(const client_view& c) const;

  identity_source source_;
  std::unordered_set<std::string> privileged_;
};

// An endpoint id we accept as an identity: valid per R-ARC.2a-6 and usable
// as one topic level (no '/', '+', '#').
bool usable_endpoint_id(std::string_view eid);

}  // namespace usp::plugin

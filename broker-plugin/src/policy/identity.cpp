#include "policy/identity.hpp"

#include "usp/endpoint_id.hpp"

namespace usp::plugin {
namespace {
constexpr std::string_view san_prefix = "urn:bbf:usp:id:";
}

bool usable_endpoint_id(std::string_view eid) {
  if (eid.find_first_of("/+#") != std::string_view::npos) return false;
  return usp::is_valid_endpoint_id(eid);
}

identity_rules::identity_rules(const plugin_options& o)
    : source_(o.identity), privileged_(o.privileged_usernames.begin(), o.privileged_usernames.end()) {}

std::optional<std::string> identity_rules::eid_from_sans(const std::vector<std::string>& uri_sans) {
  std::optional<std::string> found;
  for (const auto& uri : uri_sans) {
    if (uri.size() <= san_prefix.size() || uri.compare(0, san_prefix.size(), san_prefix) != 0) continue;
    auto eid = uri.substr(san_prefix.size());
    // Two different endpoint ids in one certificate bind to neither.
    if (found && *found != eid) return std::nullopt;
    found = std::move(eid);
  }
  return found;
}

std::optional<std::string> identity_rules::endpoint_id(const client_view& c) const {
  switch (source_) {
    case identity_source::client_id: return std::string(c.client_id());
    case identity_source::username: return std::string(c.username());
    case identity_source::cert_cn: {
      auto names = c.certificate();
      if (!names) return std::nullopt;
      return std::move(names->common_name);
    }
    case identity_source::cert_san: {
      auto names = c.certificate();
      if (!names) return std::nullopt;
      return eid_from_sans(names->uri_sans);
    }
  }
  return std::nullopt;
}

identity identity_rules::identify(const client_view& c) const {
  identity id;
  // USP over MQTT is defined for 3.1.1 and 5.0 (R-MQTT.1/2); 3.1 gets nothing USP.
  const int v = c.protocol_version();
  if (v != 4 && v != 5) return id;
  const auto user = c.username();
  if (!user.empty() && privileged_.count(std::string(user)) != 0) {
    id.kind = role::privileged;
    return id;
  }
  auto eid = endpoint_id(c);
  if (eid && usable_endpoint_id(*eid)) {
    id.kind = role::agent;
    id.eid = std::move(*eid);
  }
  return id;
}

}  // namespace usp::plugin

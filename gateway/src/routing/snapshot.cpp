#include "routing/snapshot.hpp"

#include "usp/tls.hpp"

namespace usp::gateway {

std::shared_ptr<const routing_snapshot> routing_snapshot::make(gateway_config cfg) {
  auto s = std::make_shared<routing_snapshot>(routing_snapshot{std::move(cfg), topic_map(gateway_config{}), {}});
  auto& self = *s;
  self.topics = topic_map(self.cfg);
  for (const auto& c : self.cfg.controllers) {
    const bool secure = c.websocket.url.starts_with("wss://");
    self.tls.push_back(secure ? std::make_shared<boost::asio::ssl::context>(
                                    make_client_context(c.websocket.tls.value_or(tls_options{})))
                              : nullptr);
  }
  return s;
}

const controller_config* routing_snapshot::controller(std::string_view endpoint_id, std::size_t* index) const {
  for (std::size_t i = 0; i < cfg.controllers.size(); ++i) {
    if (cfg.controllers[i].endpoint_id == endpoint_id) {
      if (index) *index = i;
      return &cfg.controllers[i];
    }
  }
  return nullptr;
}

}  // namespace usp::gateway

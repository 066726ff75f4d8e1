// One immutable view of the configuration the routers work with. A reload
// makes a new one; messages in flight keep the one they were routed with.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "config/gateway_config.hpp"
#include "routing/topics.hpp"

namespace usp::gateway {

struct routing_snapshot {
  gateway_config cfg;
  topic_map topics;
  // Per controller: the TLS client context its wss:// sessions share.
  std::vector<std::shared_ptr<boost::asio::ssl::context>> tls;

  // Throws std::runtime_error when a TLS file is unusable (start-up, reload).
  static std::shared_ptr<const routing_snapshot> make(gateway_config cfg);
  // The controller with `endpoint_id`, or nullptr.
  const controller_config* controller(std::string_view endpoint_id, std::size_t* index = nullptr) const;
};

using snapshot_ptr = std::shared_ptr<const routing_snapshot>;

}  // namespace usp::gateway

// Opens a TCP acceptor on address:port (port 0: any free port), with
// SO_REUSEADDR; throws std::runtime_error naming `what` and the address.
// One place for the WebSocket server and the gateway's HTTP endpoint.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include <boost/asio/ip/tcp.hpp>

namespace usp {

inline void open_listener(boost::asio::ip::tcp::acceptor& acceptor, const std::string& address, std::uint16_t port,
                          const std::string& what) {
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error(what + "bad listen address '" + address + "'");
  const boost::asio::ip::tcp::endpoint ep(addr, port);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error(what + "cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
}

}  // namespace usp

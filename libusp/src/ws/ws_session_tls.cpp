// The tls WebSocket session, compiled once (ws_session.hpp).
#include "ws_session.hpp"

namespace usp::mtp::detail {
template class ws_session_impl<beast::ssl_stream<beast::tcp_stream>>;
}  // namespace usp::mtp::detail

#include "stats.hpp"

#include <string>
#include <vector>

#include <boost/beast/websocket/error.hpp>

#include "usp/mtp/ws.hpp"

namespace usp::gateway {

std::string_view to_string(drop_reason r) noexcept {
  switch (r) {
    case drop_reason::malformed: return "malformed";
    case drop_reason::oversize: return "oversize";
    case drop_reason::wrong_to_id: return "wrong_to_id";
    case drop_reason::wrong_from_id: return "wrong_from_id";
    case drop_reason::unknown_agent: return "unknown_agent";
    case drop_reason::queue_overflow: return "queue_overflow";
    case drop_reason::queue_expired: return "queue_expired";
    case drop_reason::agent_offline: return "agent_offline";
    case drop_reason::publish_failed: return "publish_failed";
    case drop_reason::send_failed: return "send_failed";
    case drop_reason::shutdown: return "shutdown";
    case drop_reason::count_: break;
  }
  return "unknown";
}

gateway_stats::gateway_stats(metrics::registry& r) {
  const auto direction = r.add_counter("usp_gateway_records_total", "USP Records forwarded", {"direction"},
                                       {{"to_controller"}, {"to_agent"}});
  records_to_controller = direction.at({"to_controller"});
  records_to_agent = direction.at({"to_agent"});
  connect_records = r.add_counter("usp_gateway_connect_records_total",
                                  "WebSocketConnect Records sent in agents' names (R-MTP.6)");
  std::vector<metrics::label_values> reasons;
  for (std::size_t i = 0; i < dropped.size(); ++i) {
    reasons.push_back({std::string(to_string(static_cast<drop_reason>(i)))});
  }
  const auto drops = r.add_counter("usp_gateway_dropped_total", "USP Records dropped, by reason", {"reason"}, reasons);
  for (std::size_t i = 0; i < dropped.size(); ++i) {
    dropped[i] = drops.at({to_string(static_cast<drop_reason>(i))});
  }
  sessions_opened = r.add_counter("usp_gateway_sessions_opened_total", "WebSocket sessions opened");
  sessions_closed = r.add_counter("usp_gateway_sessions_closed_total", "WebSocket sessions closed after opening");
  dial_failures = r.add_counter("usp_gateway_dial_failures_total", "dials that did not open a session (reconnects)");
  upgrades_refused = r.add_counter("usp_gateway_upgrades_refused_total", "listen mode: upgrade requests refused");
  sessions_open = r.add_gauge("usp_gateway_sessions_open", "WebSocket sessions open now");
  queued_records = r.add_gauge("usp_gateway_queued_records", "Records waiting for a controller session");
  agents_known = r.add_gauge("usp_gateway_agents_known", "agents the gateway has heard of");
  agents_online = r.add_gauge("usp_gateway_agents_online", "agents online (presence or traffic)");
}

std::uint64_t gateway_stats::dropped_total() const noexcept {
  std::uint64_t n = 0;
  for (const auto& d : dropped) n += d.value();
  return n;
}

void count_session_end(const gateway_stats& st, const mtp::ws_close_info& info) noexcept {
  namespace websocket = boost::beast::websocket;
  bump(st.sessions_closed);
  st.sessions_open.sub(1);
  if (info.ec == mtp::ws_errc::text_frame || info.ec == mtp::ws_errc::unextractable_record ||
      info.ec == websocket::condition::protocol_violation) {
    st.drop(drop_reason::malformed);
  } else if (info.ec == websocket::error::message_too_big) {
    st.drop(drop_reason::oversize);
  }
}

}  // namespace usp::gateway

// The WebSocket server's opening handshake (libusp/src/ws/ws_session.hpp,
// serve_upgrade): the input is what a client sends on a fresh connection --
// an HTTP upgrade request and whatever frames follow -- over Beast's
// in-memory test stream, with a policy taking the eid like the agent's and
// the gateway's listeners (?eid=, else the legacy extension). Then the pure
// functions of usp/mtp/ws_upgrade.hpp on the input, with their round trips:
// an eid put into a query or an extension comes back out unchanged.
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include "fuzz_input.hpp"
#include "usp/endpoint_id.hpp"
#include "usp/mtp/ws_upgrade.hpp"
#include "ws_session.hpp"

namespace usp::mtp {
namespace {

using test_stream = boost::beast::test::stream;
using session = detail::ws_session_impl<test_stream>;

void serve(std::string_view bytes) {
  boost::asio::io_context io;
  test_stream ours(io);
  test_stream theirs(io);
  ours.connect(theirs);
  ours.append({bytes.data(), bytes.size()});
  theirs.close();  // the client is done after these bytes
  ws_handlers h;
  h.on_record = [](const ws_session_ptr&, std::string_view record) {
    if (record.empty()) usp::fuzz::broken("an empty Record delivered");
  };
  ws_limits limits;
  limits.max_message_bytes = 4096;
  auto s = std::make_shared<session>(std::move(ours), limits, std::move(h));
  detail::serve_upgrade(s, [](const ws_upgrade_request& r) {
    ws_upgrade_decision d;
    const auto eid = r.query_eid ? r.query_eid : r.extension_eid;
    if (!eid || !usp::is_valid_endpoint_id(*eid) || !r.path.starts_with("/usp")) {
      d.status = 403;
      d.reason = "no";
      return d;
    }
    d.accept = true;
    d.peer_eid = *eid;
    d.own_eid = "os::000413-000413AABBCC";
    return d;
  });
  for (int i = 0; i < 10000 && io.poll() > 0; ++i) {
  }
  const ws_session_ptr as_session = s;
  as_session->close(1000, "done");
  for (int i = 0; i < 10000 && io.poll() > 0; ++i) {
  }
}

void pure(std::string_view text) {
  (void)parse_ws_url(text);
  (void)offers_usp_subprotocol(text);
  (void)target_path(text);
  (void)eid_from_target(text);
  (void)eid_from_extension(text);
  if (!usp::is_valid_endpoint_id(text)) return;
  const std::string eid(text);
  if (eid_from_target(add_eid_query("/usp", eid)) != eid) usp::fuzz::broken("eid_from_target(add_eid_query(eid)) != eid");
  if (eid_from_target(add_eid_query("/usp?a=b", eid)) != eid) usp::fuzz::broken("eid lost after another parameter");
  if (eid_from_extension(make_usp_extension(eid)) != eid) usp::fuzz::broken("eid_from_extension(make_usp_extension(eid)) != eid");
}

}  // namespace
}  // namespace usp::mtp

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  usp::fuzz::quiet();
  const auto text = usp::fuzz::as_view(data, size);
  usp::mtp::serve(text);
  for (const auto line : usp::fuzz::split(text, "\r\n")) usp::mtp::pure(line);
  return 0;
}

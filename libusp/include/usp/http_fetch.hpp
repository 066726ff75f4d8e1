// A small asynchronous HTTP(S) GET for the agent: XML minibrowser pages and
// firmware images. Beast client on the caller's executor; TLS verifies the
// server by default; bodies are bounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include "usp/tls.hpp"

namespace usp::http {

struct fetch_options {
  std::string url;                 // http://host[:port]/path or https://...
  std::string username;            // HTTP Basic, when set
  std::string password;
  std::uint64_t max_bytes = 16 * 1024 * 1024;  // larger bodies fail with too_large
  std::string to_file;             // write the body here instead of keeping it
  // Sees every piece of a 200 body as it arrives (checksums on the fly).
  std::function<void(std::string_view)> on_data;
  std::chrono::seconds timeout{60};
  tls_options tls;
};

struct fetch_result {
  boost::system::error_code ec;
  unsigned status = 0;
  std::string body;                // when not written to a file
  std::uint64_t size = 0;          // body bytes received
};

enum class fetch_errc { bad_url = 1, too_large };
const boost::system::error_category& fetch_category() noexcept;
inline boost::system::error_code make_error_code(fetch_errc e) noexcept { return {static_cast<int>(e), fetch_category()}; }

// Whether fetch() accepts `url`: http or https, a host, an optional port,
// no userinfo.
bool valid_url(std::string_view url);

// `done` runs once, on `ex`.
void fetch(boost::asio::any_io_executor ex, fetch_options opts, std::function<void(fetch_result)> done);

}  // namespace usp::http

template <>
struct boost::system::is_error_code_enum<usp::http::fetch_errc> : std::true_type {};

// Download(): fetches a firmware image over HTTP(S) into a bank slot,
// checking size, checksum and header on the way; the running image is never
// touched (the body goes to a .part file that replaces the slot's image only
// when everything checks out).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "firmware/image_bank.hpp"
#include "usp/tls.hpp"

namespace usp::agent {

struct download_request {
  unsigned slot = 2;
  std::string url;
  std::string username;
  std::string password;
  std::uint64_t file_size = 0;       // 0 = unknown
  std::string checksum_algorithm;    // with a non-empty checksum
  std::string checksum;              // hex; empty = no check
  std::string model;                 // the phone's; the image must be for it
  std::uint64_t max_bytes = 256ull * 1024 * 1024;
  tls_options tls;
};

struct download_result {
  bool ok = false;
  std::string fault;                 // why not, for FaultString / err_msg
  std::string start_time;            // TR-106 dateTime
  std::string complete_time;
  std::uint64_t size = 0;
  std::string version;               // the image's, when ok
};

// Runs the download on `ex`; `done` is called there unless `bank` is gone
// first. `canceled` (Request.{i}.Cancel()) discards the result.
void download_image(boost::asio::any_io_executor ex, std::weak_ptr<image_bank> bank, download_request req,
                    std::shared_ptr<const bool> canceled, std::function<void(download_result)> done);

// The last segment of the URL's path: the image's Name.
std::string image_name_from_url(std::string_view url);

}  // namespace usp::agent

#include "firmware/image_download.hpp"

#include <filesystem>
#include <optional>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>

#include "dm/value.hpp"
#include "firmware/checksum.hpp"
#include "usp/http_fetch.hpp"
#include "usp/log.hpp"

namespace usp::agent {

namespace {

namespace fs = std::filesystem;

// What the transfer itself ran into (before any validation).
std::string transfer_problem(const usp::http::fetch_result& r) {
  namespace error = boost::asio::error;
  if (r.ec == usp::http::fetch_errc::too_large) return "the image is larger than this phone accepts";
  if (r.ec == error::connection_refused || r.ec == error::host_not_found || r.ec == error::host_not_found_try_again ||
      r.ec == error::network_unreachable || r.ec == error::host_unreachable || r.ec == error::timed_out ||
      r.ec == boost::beast::error::timeout) {
    return "unable to contact file server: " + r.ec.message();
  }
  if (r.ec) return "unable to complete download: " + r.ec.message();
  if (r.status == 401 || r.status == 403) {
    return "file server authentication failure (HTTP " + std::to_string(r.status) + ")";
  }
  if (r.status != 200) return "unable to access file (HTTP " + std::to_string(r.status) + ")";
  return {};
}

struct download_state {
  download_request req;
  std::optional<checksum> digest;
  std::string head;  // the first bytes, for the header
  download_result result;
};

}  // namespace

std::string image_name_from_url(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const auto slash = url.rfind('/');
  const auto name = slash == std::string_view::npos ? url : url.substr(slash + 1);
  return std::string(name.empty() ? std::string_view("image.bin") : name.substr(0, 64));
}

void download_image(boost::asio::any_io_executor ex, std::weak_ptr<image_bank> weak_bank, download_request req,
                    std::shared_ptr<const bool> canceled, std::function<void(download_result)> done) {
  auto bank = weak_bank.lock();
  if (!bank) return;
  auto st = std::make_shared<download_state>();
  st->req = std::move(req);
  st->result.start_time = dm::now_date_time();
  if (!st->req.checksum.empty()) st->digest = checksum::make(st->req.checksum_algorithm);
  const unsigned slot = st->req.slot;
  bank->begin_download(slot);
  std::error_code ignored;
  fs::remove(bank->partial_file(slot), ignored);

  usp::http::fetch_options f;
  f.url = st->req.url;
  f.username = st->req.username;
  f.password = st->req.password;
  f.to_file = bank->partial_file(slot);
  // A known size bounds the transfer: one byte more already proves it wrong.
  f.max_bytes = st->req.file_size > 0 ? std::min(st->req.max_bytes, st->req.file_size + 1) : st->req.max_bytes;
  f.tls = st->req.tls;
  f.on_data = [st](std::string_view bytes) {
    if (st->digest) st->digest->update(bytes);
    if (st->head.size() < 256) st->head.append(bytes.substr(0, 256 - st->head.size()));
  };
  usp::http::fetch(ex, std::move(f), [weak_bank, st, canceled, done = std::move(done)](usp::http::fetch_result r) {
    auto b = weak_bank.lock();
    if (!b) return;
    const unsigned n = st->req.slot;
    auto& res = st->result;
    res.size = r.size;
    res.complete_time = dm::now_date_time();
    const auto partial = b->partial_file(n);
    auto give_up = [&](image_status status, std::string why) {
      std::error_code ec;
      fs::remove(partial, ec);
      usp::log::get("agent")->warn("firmware download from {} failed: {}", st->req.url, why);
      b->fail(n, status, why);
      res.fault = std::move(why);
      done(std::move(res));
    };
    if (canceled && *canceled) return give_up(image_status::download_failed, "the download was canceled");
    if (auto problem = transfer_problem(r); !problem.empty()) {
      if (r.ec == usp::http::fetch_errc::too_large && st->req.file_size > 0) {
        problem = "the image is larger than FileSize " + std::to_string(st->req.file_size);
      }
      return give_up(image_status::download_failed, std::move(problem));
    }
    if (st->req.file_size > 0 && r.size != st->req.file_size) {
      return give_up(image_status::download_failed, "unable to complete download: got " + std::to_string(r.size) +
                                                        " bytes of FileSize " + std::to_string(st->req.file_size));
    }
    b->set_status(n, image_status::validating);
    if (st->digest) {
      const auto got = st->digest->finish();
      if (!same_hex(got, st->req.checksum)) {
        return give_up(image_status::validation_failed, "file corrupted: " + st->req.checksum_algorithm + " is " + got +
                                                            ", not " + st->req.checksum);
      }
    }
    const auto header = parse_image_header(st->head);
    if (!header) return give_up(image_status::validation_failed, "file corrupted: not a firmware image");
    if (header->model != st->req.model) {
      return give_up(image_status::validation_failed,
                     "the image is for model " + header->model + ", this phone is a " + st->req.model);
    }
    std::error_code ec;
    fs::rename(partial, b->image_file(n), ec);
    if (ec) return give_up(image_status::installation_failed, "cannot store the image: " + ec.message());
    b->install(n, image_name_from_url(st->req.url), header->version);
    res.ok = true;
    res.version = header->version;
    usp::log::get("agent")->info("firmware {} stored in image {} ({} bytes)", header->version, n, r.size);
    done(std::move(res));
  });
}

}  // namespace usp::agent

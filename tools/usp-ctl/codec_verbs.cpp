#include "codec_verbs.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "usp/json.hpp"

namespace usp::ctl {

namespace {
bool read_all(const std::string& path, std::string& data) {
  if (path == "-") {
    data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  data.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}
}  // namespace

int decode_verb(const std::string& path, bool compact, std::ostream& out, std::ostream& err) {
  std::string wire;
  if (!read_all(path, wire)) {
    err << "usp-ctl: cannot read " << path << "\n";
    return exit_usage;
  }
  boost::system::error_code ec;
  auto json = record_to_json(wire, !compact, ec);
  if (!json) {
    err << "usp-ctl: " << path << ": not a USP Record (" << ec.message() << ")\n";
    return exit_usage;
  }
  out << *json;
  if (json->empty() || json->back() != '\n') out << '\n';
  return exit_ok;
}

int encode_verb(std::istream& in, std::ostream& out, std::ostream& err) {
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code ec;
  std::string detail;
  auto wire = record_from_json(json, ec, &detail);
  if (!wire) {
    err << "usp-ctl: the JSON is not a USP Record: " << detail << "\n";
    return exit_usage;
  }
  out.write(wire->data(), static_cast<std::streamsize>(wire->size()));
  return out ? exit_ok : exit_usage;
}

}  // namespace usp::ctl

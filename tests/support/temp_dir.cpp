#include "usp_test/temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace usp::test {

temp_dir::temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/usp-test-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

temp_dir::~temp_dir() {
  std::error_code ec;
  if (!std::getenv("USP_KEEP_TEST_DIRS")) std::filesystem::remove_all(path_, ec);
}

std::string temp_dir::write(const std::string& name, const std::string& content) const {
  const auto p = file(name);
  std::ofstream f(p, std::ios::binary);
  f << content;
  return p;
}

std::string vectors_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("USP_VECTORS_DIR"); env && fs::is_directory(env)) return env;
#ifdef USP_DEFAULT_VECTORS_DIR
  if (fs::is_directory(USP_DEFAULT_VECTORS_DIR)) return USP_DEFAULT_VECTORS_DIR;
#endif
  return {};
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

}  // namespace usp::test

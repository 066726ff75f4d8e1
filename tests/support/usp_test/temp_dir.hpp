#pragma once

#include <string>

namespace usp::test {

// A fresh directory under $TMPDIR, removed with everything in it.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const noexcept { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to file(name) and returns its path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// The folder of captured reference Records: $USP_VECTORS_DIR, else the
// build-time default; empty when neither exists.
std::string vectors_dir();
std::string read_file(const std::string& path);

}  // namespace usp::test

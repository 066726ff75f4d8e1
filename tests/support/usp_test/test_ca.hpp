// A certificate authority made at test time (EC P-256, as R-E2E.40a likes),
// issuing server and client certificates into a temp folder.
#pragma once

#include <string>
#include <vector>

namespace usp::test {

struct issued_cert {
  std::string cert_file;
  std::string key_file;
};

class test_ca {
 public:
  // Creates the CA in `dir`; `name` keeps several CAs apart.
  explicit test_ca(const std::string& dir, const std::string& name = "usp-test-ca");
  ~test_ca();
  test_ca(const test_ca&) = delete;
  test_ca& operator=(const test_ca&) = delete;

  const std::string& ca_file() const noexcept { return ca_file_; }
  // `sans` entries: "DNS:localhost", "IP:127.0.0.1", "URI:urn:bbf:usp:id:os::...".
  issued_cert issue(const std::string& common_name, const std::vector<std::string>& sans,
                    const std::string& file_stem);

 private:
  std::string dir_;
  std::string ca_file_;
  void* key_ = nullptr;   // EVP_PKEY*
  void* cert_ = nullptr;  // X509*
};

}  // namespace usp::test

// Download() CheckSumAlgorithm / CheckSum: a digest computed while the image
// streams in (OpenSSL EVP).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace usp::agent {

class checksum {
 public:
  // "SHA-1", "SHA-224", "SHA-256", "SHA-384" or "SHA-512"; nullopt otherwise.
  static std::optional<checksum> make(std::string_view algorithm);
  // Hex digits in a CheckSum for `algorithm` (0 for an unknown one).
  static std::size_t hex_size(std::string_view algorithm);

  void update(std::string_view bytes);
  // Lower-case hex; the checksum is spent afterwards.
  std::string finish();

 private:
  struct ctx_free {
    void operator()(void* p) const noexcept;
  };
  explicit checksum(void* ctx) : ctx_(ctx) {}
  std::unique_ptr<void, ctx_free> ctx_;
};

// Case-insensitive comparison of two hex strings.
bool same_hex(std::string_view a, std::string_view b) noexcept;

}  // namespace usp::agent

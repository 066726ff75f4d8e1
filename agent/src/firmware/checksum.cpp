#include "firmware/checksum.hpp"

#include <openssl/evp.h>

#include <array>
#include <utility>

namespace usp::agent {

namespace {

const EVP_MD* algorithm_of(std::string_view name) {
  static const std::array<std::pair<std::string_view, const EVP_MD* (*)()>, 5> known = {{
      {"SHA-1", EVP_sha1},
      {"SHA-224", EVP_sha224},
      {"SHA-256", EVP_sha256},
      {"SHA-384", EVP_sha384},
      {"SHA-512", EVP_sha512},
  }};
  for (const auto& [n, md] : known) {
    if (n == name) return md();
  }
  return nullptr;
}

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

void checksum::ctx_free::operator()(void* p) const noexcept { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(p)); }

std::optional<checksum> checksum::make(std::string_view algorithm) {
  const EVP_MD* md = algorithm_of(algorithm);
  if (!md) return std::nullopt;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx || EVP_DigestInit_ex(ctx, md, nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return std::nullopt;
  }
  return checksum(ctx);
}

std::size_t checksum::hex_size(std::string_view algorithm) {
  const EVP_MD* md = algorithm_of(algorithm);
  return md ? 2 * static_cast<std::size_t>(EVP_MD_get_size(md)) : 0;
}

void checksum::update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_.get()), bytes.data(), bytes.size());
}

std::string checksum::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_.get()), out, &n);
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * n);
  for (unsigned i = 0; i < n; ++i) {
    hex.push_back(digits[out[i] >> 4]);
    hex.push_back(digits[out[i] & 0x0F]);
  }
  return hex;
}

bool same_hex(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace usp::agent

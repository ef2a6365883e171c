#include "mc/client/hash.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace mc::client {
namespace {

// Fetched once and kept for the life of the process. EVP_md5() would make OpenSSL 3 look the
// algorithm up again on every digest, which doubles the cost of hashing a short key.
const EVP_MD* md5_algorithm() {
  static const EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return algorithm;
}

}  // namespace

Md5Digest md5(std::string_view data) {
  Md5Digest digest{};
  unsigned int size = 0;
  // EVP_Digest rather than MD5(): OpenSSL 3 deprecates the low-level call.
  const EVP_MD* algorithm = md5_algorithm();
  if (algorithm == nullptr ||
      EVP_Digest(data.data(), data.size(), digest.data(), &size, algorithm, nullptr) != 1 ||
      size != digest.size()) {
    // A broken or FIPS-only OpenSSL: a setup problem, not something a key can cause.
    throw std::runtime_error("OpenSSL cannot compute MD5");
  }
  return digest;
}

std::uint32_t md5_hash(std::string_view key) { return digest_word(md5(key), 0); }

std::uint32_t one_at_a_time_hash(std::string_view key) {
  std::uint32_t value = 0;
  for (const char c : key) {
    // Through signed char on purpose, as libhashkit does on x86 (see the header).
    value += static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<signed char>(c)));
    value += value << 10;
    value ^= value >> 6;
  }
  value += value << 3;
  value ^= value >> 11;
  value += value << 15;
  return value;
}

}  // namespace mc::client

#include "mc/client/hash.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace mc::client {

Md5Digest md5(std::string_view data) {
  Md5Digest digest{};
  unsigned int size = 0;
  // EVP_Digest rather than MD5(): OpenSSL 3 deprecates the low-level call.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_md5(), nullptr) != 1 ||
      size != digest.size()) {
    throw std::runtime_error("OpenSSL cannot compute MD5");  // a broken install: a bug, not input
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

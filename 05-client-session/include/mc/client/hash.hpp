/// \file
/// \brief The hash functions of key placement, each bit-compatible with libmemcached's libhashkit.

#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace mc::client {

/// \brief A 16-byte MD5 digest.
using Md5Digest = std::array<std::uint8_t, 16>;

/// \brief The MD5 digest of `data` (OpenSSL's EVP interface; MD5 is used for spreading keys,
/// not for security).
[[nodiscard]] Md5Digest md5(std::string_view data);

/// \brief Reads 4 bytes of a digest, starting at byte `4 * word`, as a little-endian number.
///
/// One MD5 digest gives ketama four 32-bit numbers: `word` is 0..3.
[[nodiscard]] constexpr std::uint32_t digest_word(const Md5Digest& digest, std::size_t word) {
  const std::size_t at = 4 * word;
  return static_cast<std::uint32_t>(digest[at]) | static_cast<std::uint32_t>(digest[at + 1]) << 8 |
         static_cast<std::uint32_t>(digest[at + 2]) << 16 |
         static_cast<std::uint32_t>(digest[at + 3]) << 24;
}

/// \brief The key hash of weighted ketama: the first 4 bytes of MD5(key), little-endian
/// (libhashkit's `hashkit_md5`).
[[nodiscard]] std::uint32_t md5_hash(std::string_view key);

/// \brief Bob Jenkins' one-at-a-time hash, libmemcached's default key hash
/// (`MEMCACHED_HASH_DEFAULT`) and so the hash of its modulo distribution.
///
/// libhashkit reads each byte through a signed `char`, so on x86 a byte of 0x80 or more is
/// sign-extended before it is added; we do the same, or UTF-8 keys would land elsewhere.
[[nodiscard]] std::uint32_t one_at_a_time_hash(std::string_view key);

}  // namespace mc::client

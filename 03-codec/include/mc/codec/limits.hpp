/// \file
/// \brief memcached's domain limits, defined once for the parser, the server and the client:
/// the longest key and the item size rule.

#pragma once

#include <cstddef>
#include <cstdint>

namespace mc::codec {

/// \brief The longest key memcached accepts (protocol.txt, "Keys").
inline constexpr std::size_t kMaxKeyLength = 250;

/// \brief The size of memcached 1.6's item header on a 64-bit build (`sizeof(item)`).
inline constexpr std::size_t kMemcachedItemHeader = 48;

/// \brief The bytes memcached 1.6.18 needs for an item (its `ITEM_ntotal`), which `-I` limits:
/// the 48-byte header, the key and a NUL, 4 bytes of client flags when they are not zero, the
/// value and its `\r\n`, and 8 bytes of CAS unless `-C` disabled it.
constexpr std::size_t memcached_item_size(std::size_t key_length, std::uint32_t flags,
                                          std::size_t value_length, bool cas_enabled) {
  return kMemcachedItemHeader + key_length + 1 + (flags != 0 ? 4 : 0) + value_length + 2 +
         (cas_enabled ? 8 : 0);
}

/// \brief The longest value memcached 1.6.18 stores under `-I item_size_max`: at `-I 1m`, CAS
/// on and flags 0, 1,048,517 - key_length bytes (checked against the real memcached).
constexpr std::size_t max_value_size(std::size_t item_size_max, std::size_t key_length,
                                     std::uint32_t flags, bool cas_enabled) {
  const std::size_t overhead = memcached_item_size(key_length, flags, 0, cas_enabled);
  return item_size_max > overhead ? item_size_max - overhead : 0;
}

/// \brief The item size rule the parser applies to storage commands, so that a value too large
/// for the cache is refused with `SERVER_ERROR object too large for cache` before its bytes
/// arrive, and those bytes are skipped. A server sets these fields from its own options.
struct ItemSizeLimit {
  std::size_t max_item_size = 1024 * 1024;  ///< memcached's `-I`
  bool use_cas = true;                      ///< false for memcached's `-C`
  /// \brief Whether an item with this key length, client flags and value length fits.
  bool fits(std::size_t key_length, std::uint32_t flags, std::size_t value_length) const {
    return memcached_item_size(key_length, flags, value_length, use_cas) <= max_item_size;
  }
};

}  // namespace mc::codec

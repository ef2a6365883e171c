/// \file
/// \brief memcached's slab classes, kept only as labels: the segment store has no size
/// classes, but `stats items`, `stats slabs`, `stats cachedump` and the metadump's `cls=`
/// group items by them, and the tools that read those expect memcached's numbering.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace mc::server {

namespace detail {
/// \brief The chunk sizes of memcached's slabs_init(): 96 bytes (its 48-byte header plus the
/// default `-n 48`), times 1.25 truncated and rounded up to 8; the last is slab_chunk_max
/// (half a 1 MiB page).
template <std::size_t Count>
constexpr std::array<std::uint32_t, Count> memcached_class_sizes() {
  std::array<std::uint32_t, Count> result{};
  std::uint32_t size = 96;
  for (std::size_t i = 0; i + 1 < Count; ++i) {
    result[i] = size;
    size = static_cast<std::uint32_t>(size * 1.25);
    size = (size + 7u) & ~7u;
  }
  result[Count - 1] = 512 * 1024;
  return result;
}
}  // namespace detail

/// \brief memcached 1.6's default classes by their chunk sizes; larger items are chunked in the
/// last one.
class SizeClasses {
 public:
  /// \brief memcached's slab page, the unit of `stats slabs`.
  static constexpr std::size_t kPageSize = std::size_t{1} << 20;

  /// \brief How many classes memcached's default settings make.
  static constexpr std::size_t kCount = 39;

  /// \brief The chunk size of class `index` (0-based; memcached prints `index + 1`).
  static constexpr std::uint32_t chunk_size(std::size_t index) { return kSizes[index]; }

  /// \brief The class an item of `bytes` total size would live in with memcached: the first
  /// whose chunk holds it, or the last for anything larger (memcached's chunked items).
  static constexpr int of(std::size_t bytes) {
    for (std::size_t i = 0; i < kCount; ++i) {
      if (bytes <= kSizes[i]) return static_cast<int>(i);
    }
    return static_cast<int>(kCount - 1);
  }

 private:
  static constexpr std::array<std::uint32_t, kCount> kSizes =
      detail::memcached_class_sizes<kCount>();
};

}  // namespace mc::server

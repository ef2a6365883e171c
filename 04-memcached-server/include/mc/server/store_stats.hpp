/// \file
/// \brief The store's counters, named after memcached's `stats`, `stats items` and
/// `stats slabs` fields so the handler can print them under the same names.

#pragma once

#include <cstddef>
#include <cstdint>

namespace mc::server {

/// \brief Everything the store counts, one member per memcached `stats` field.
///
/// Counters only grow (until Store::reset_stats()); `curr_items` and `bytes` are gauges.
struct StoreStats {
  std::uint64_t curr_items = 0;         ///< items linked now
  std::uint64_t bytes = 0;              ///< bytes of those items (header + key + value + "\r\n")
  std::uint64_t total_items = 0;        ///< items ever linked (every store, every rewriting incr)
  std::uint64_t cmd_get = 0;            ///< keys looked up by get/gets
  std::uint64_t cmd_set = 0;            ///< storage requests that got as far as the store
  std::uint64_t cmd_touch = 0;          ///< keys touched by touch/gat/gats
  std::uint64_t get_hits = 0;           ///< get/gets keys found
  std::uint64_t get_misses = 0;         ///< get/gets keys not found (including the next two)
  std::uint64_t get_expired = 0;        ///< misses because the item had expired
  std::uint64_t get_flushed = 0;        ///< misses because flush_all had invalidated the item
  std::uint64_t delete_hits = 0;        ///< deletes that removed an item
  std::uint64_t delete_misses = 0;      ///< deletes of a missing key
  std::uint64_t incr_hits = 0;          ///< incr on a numeric value
  std::uint64_t incr_misses = 0;        ///< incr of a missing key
  std::uint64_t decr_hits = 0;          ///< decr on a numeric value
  std::uint64_t decr_misses = 0;        ///< decr of a missing key
  std::uint64_t cas_hits = 0;           ///< cas that stored
  std::uint64_t cas_misses = 0;         ///< cas of a missing key
  std::uint64_t cas_badval = 0;         ///< cas with a stale unique
  std::uint64_t touch_hits = 0;         ///< touch/gat keys found
  std::uint64_t touch_misses = 0;       ///< touch/gat keys not found
  std::uint64_t evictions = 0;          ///< live items removed to make room
  std::uint64_t evicted_unfetched = 0;  ///< evicted items that were never read
  std::uint64_t expired_unfetched = 0;  ///< expired items reclaimed that were never read
  std::uint64_t reclaimed = 0;          ///< expired items whose memory a new item reused
  std::uint64_t crawler_reclaimed = 0;  ///< expired items removed by expire_some()
  std::uint64_t crawler_items_checked = 0;  ///< items examined by expire_some()
  std::uint64_t slabs_moved = 0;            ///< pages moved between size classes (always 0)
  std::uint64_t segments_evicted = 0;       ///< segments taken back to make room
  std::uint64_t items_kept =
      0;  ///< items read since they were written, moved out of evicted segments

  /// \brief Adds `other`'s counts to these (the server sums its shards for `stats`).
  StoreStats& operator+=(const StoreStats& other);
};

/// \brief A memcached size class's geometry, for `stats slabs`. The segment store has no pages
/// per class: `stats slabs` shows a class's items counted in these units.
struct SlabClassInfo {
  std::uint32_t chunk_size = 0;       ///< bytes per chunk
  std::uint32_t chunks_per_page = 0;  ///< chunks in one 1 MiB page
};

/// \brief One size class, for `stats slabs` and `stats items` (memcached's field names).
struct SlabClassStats {
  SlabClassInfo slab;                   ///< chunk_size, chunks_per_page
  std::uint64_t number = 0;             ///< items linked in this class
  std::uint64_t mem_requested = 0;      ///< bytes those items need (without chunk rounding)
  std::uint64_t evicted = 0;            ///< evictions from this class
  std::uint64_t evicted_unfetched = 0;  ///< evicted items that were never read
  std::uint64_t expired_unfetched = 0;  ///< reclaimed expired items that were never read
  std::uint64_t reclaimed = 0;          ///< expired items whose chunk was reused
  std::uint64_t crawler_reclaimed = 0;  ///< expired items removed by the sweep
  std::uint64_t outofmemory = 0;        ///< allocations that failed even after evicting
};

}  // namespace mc::server

/// \file
/// \brief The cache: memcached 1.6's storage semantics over slabs, a hash table and CLOCK
/// eviction. Independent of any protocol type: keys and values are string views.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "mc/server/clock.hpp"
#include "mc/server/hash_table.hpp"
#include "mc/server/item.hpp"
#include "mc/server/slab_allocator.hpp"
#include "mc/server/store_stats.hpp"

namespace mc::server {

/// \brief memcached's longest key.
inline constexpr std::size_t kMaxKeyLength = 250;

/// \brief The size of memcached 1.6's item header on a 64-bit build (`sizeof(item)`).
inline constexpr std::size_t kMemcachedItemHeader = 48;

/// \brief The longest value memcached 1.6.18 stores under `-I item_size_max`.
///
/// memcached refuses an item whose total size exceeds `item_size_max`; that total is its
/// 48-byte header, the key with a terminating NUL, the value with "\r\n", 4 bytes of flags
/// when they are not 0, and 8 bytes of CAS unless `-C`. At `-I 1m`, CAS on and flags 0 that
/// leaves 1,048,517 - key_length bytes (checked against the real memcached 1.6.18).
constexpr std::size_t max_value_size(std::size_t item_size_max, std::size_t key_length,
                                     std::uint32_t flags, bool cas_enabled) {
  const std::size_t overhead =
      kMemcachedItemHeader + key_length + 1 + 2 + (flags != 0 ? 4 : 0) + (cas_enabled ? 8 : 0);
  return item_size_max > overhead ? item_size_max - overhead : 0;
}

/// \brief The store's settings, from memcached's command-line flags.
struct StoreOptions {
  std::size_t memory_limit = std::size_t{64} << 20;  ///< `-m`, in bytes
  std::size_t item_size_max = std::size_t{1} << 20;  ///< `-I`, in bytes
  bool cas_enabled = true;                           ///< false with `-C`
};

/// \brief Which storage command.
enum class StoreMode { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };

/// \brief What a storage command did; the handler maps it to memcached's reply line.
enum class StoreResult {
  kStored,       ///< STORED
  kNotStored,    ///< NOT_STORED (add of a present key, replace/append/prepend of a missing one)
  kExists,       ///< EXISTS (cas with a stale unique)
  kNotFound,     ///< NOT_FOUND (cas of a missing key)
  kTooLarge,     ///< SERVER_ERROR object too large for cache (set also deleted the old item)
  kOutOfMemory,  ///< SERVER_ERROR out of memory storing object (set also deleted the old item)
};

/// \brief A storage command's result and the new item's CAS unique (0 unless stored).
struct StoreOutcome {
  StoreResult result = StoreResult::kNotStored;  ///< what happened
  std::uint64_t cas = 0;                         ///< CAS unique of the stored item
};

/// \brief What incr/decr did.
enum class DeltaResult {
  kOk,           ///< the new value is in DeltaOutcome::value
  kNotFound,     ///< NOT_FOUND
  kNonNumeric,   ///< CLIENT_ERROR cannot increment or decrement non-numeric value
  kExists,       ///< a CAS was given (meta arithmetic) and did not match
  kOutOfMemory,  ///< SERVER_ERROR out of memory (the longer value needed a new item)
};

/// \brief An incr/decr result, the new value and its CAS unique.
struct DeltaOutcome {
  DeltaResult result = DeltaResult::kNotFound;  ///< what happened
  std::uint64_t value = 0;                      ///< the new value (kOk only)
  std::uint64_t cas = 0;                        ///< the item's new CAS unique (kOk only)
};

/// \brief The cache, in memcached terms: items in size-class slabs, a chained hash table,
/// CLOCK eviction within the memory limit, lazy expiry plus an incremental sweep.
///
/// Not thread-safe: one thread (a shard's) owns a Store and makes every call. Only the
/// ItemHandle objects it returns may travel to and die on other threads. Every handle must be
/// released before the store is destroyed.
class Store {
 public:
  /// \brief An empty store with `options`, reading time from `clock` (which must outlive it).
  Store(const StoreOptions& options, const Clock& clock);
  /// \brief Frees everything; no handle may remain.
  ~Store();

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// \brief set/add/replace/append/prepend/cas, with memcached 1.6's rules.
  ///
  /// `exptime` is the client's (see Clock::exptime_to_rel); append and prepend keep the old
  /// item's flags and exptime and ignore theirs. `cas` is the unique a cas command compares;
  /// for append/prepend a non-zero `cas` is compared too (meta set can send one).
  StoreOutcome store(StoreMode mode, std::string_view key, std::string_view value,
                     std::uint32_t flags, std::int64_t exptime, std::uint64_t cas = 0);

  /// \brief get/gets of one key: a handle to the item, empty on a miss. Never allocates.
  ItemHandle get(std::string_view key);

  /// \brief gat/gats: get and set a new exptime (counted as a touch, as memcached does).
  ItemHandle gat(std::string_view key, std::int64_t exptime);

  /// \brief touch: sets a new exptime; false if the key is missing.
  bool touch(std::string_view key, std::int64_t exptime);

  /// \brief delete: false if the key is missing.
  bool remove(std::string_view key);

  /// \brief Removes the key's item without counting a delete: memcached does this to the old
  /// value when a set is refused as too large, so that no stale value survives.
  void remove_quietly(std::string_view key);

  /// \brief incr (wraps at 2^64) or decr (stops at 0) by `delta`, memcached's way: the value
  /// is parsed like `strtoull` (leading spaces, a sign, at most 2^64-1); a shorter result is
  /// written in place padded with spaces, a longer one makes a new item.
  DeltaOutcome delta(std::string_view key, bool incr, std::uint64_t delta, std::uint64_t cas = 0);

  /// \brief flush_all: every item stored before `delay` (a client exptime; 0 = now) passes
  /// becomes invalid.
  void flush_all(std::int64_t delay = 0);

  /// \brief Background expiry: examines up to `max_items` items, following a cursor over the
  /// hash table, and removes those that expired or were flushed. Returns how many it removed.
  std::size_t expire_some(std::size_t max_items);

  /// \brief The longest value this store accepts for that key and flags (memcached's edge).
  std::size_t max_value_size(std::size_t key_length, std::uint32_t flags) const {
    return mc::server::max_value_size(options_.item_size_max, key_length, flags,
                                      options_.cas_enabled);
  }

  /// \brief The counters (curr_items, bytes, get_hits, evictions, ...).
  const StoreStats& stats() const { return stats_; }
  /// \brief One entry per size class, for `stats slabs` and `stats items`.
  std::vector<SlabClassStats> slab_stats() const;
  /// \brief `stats reset`: zeroes the counters, keeps the gauges (curr_items, bytes).
  void reset_stats();
  /// \brief Memory handed out as slab pages (memcached's `total_malloced`).
  std::size_t memory_in_use() const { return slabs_.pages_in_use() * slabs_.page_size(); }
  /// \brief The memory limit in bytes (memcached's `limit_maxbytes`).
  std::size_t memory_limit() const { return slabs_.memory_limit(); }
  /// \brief `cache_memlimit`: a new memory limit in bytes; false if it cannot be applied.
  bool set_memory_limit(std::size_t bytes) { return slabs_.set_memory_limit(bytes); }
  /// \brief Bytes of the hash table's bucket array (not counted in the limit, as memcached).
  std::size_t hash_table_bytes() const { return table_.memory_bytes(); }
  /// \brief The settings.
  const StoreOptions& options() const { return options_; }
  /// \brief The clock the store reads.
  const Clock& clock() const { return clock_; }

 private:
  enum class Miss { kNone, kAbsent, kExpired, kFlushed };
  struct Lookup {
    Chunk chunk;
    std::uint64_t hash = 0;
    Miss miss = Miss::kAbsent;
  };

  Lookup lookup(std::string_view key);
  bool is_dead(const Item& item) const;
  Chunk allocate(std::string_view key, std::size_t value_length, std::uint32_t flags,
                 RelTime exptime);
  bool evict_one(int cls);
  bool steal_page(int cls);
  void link(Chunk chunk, std::uint64_t hash);
  void replace(Chunk current, Chunk replacement, std::uint64_t hash);
  void unlink(Chunk chunk, std::uint64_t hash);
  void release(Item* item);
  void free_released();
  void account(const Item& item, bool add);
  ItemHandle handle_to(Item* item);
  void apply_pending_flush();

  StoreOptions options_;
  const Clock& clock_;
  SlabAllocator slabs_;
  HashTable table_;
  ReleaseList released_;
  std::uint64_t last_cas_ = 0;
  std::uint64_t oldest_live_cas_ = 0;  // items with a smaller CAS were flushed
  RelTime pending_flush_ = 0;          // clock time a delayed flush_all takes effect; 0 = none
  std::size_t sweep_bucket_ = 0;
  std::vector<Chunk> sweep_scratch_;
  StoreStats stats_;
  std::vector<SlabClassStats> class_stats_;
};

}  // namespace mc::server

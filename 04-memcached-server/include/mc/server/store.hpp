/// \file
/// \brief The cache: memcached 1.6's storage semantics over a log of segments, a hash table and
/// eviction of whole segments, the least read per byte first. Independent of any protocol
/// type: keys and values are string views.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "mc/server/clock.hpp"
#include "mc/server/hash_table.hpp"
#include "mc/server/item.hpp"
#include "mc/server/item_handle.hpp"
#include "mc/server/segment_pool.hpp"
#include "mc/server/size_classes.hpp"
#include "mc/server/store_stats.hpp"
#include "mc/server/store_types.hpp"

namespace mc::server {

/// \brief The cache, in memcached terms: items appended to segments of a SegmentPool, a
/// chained hash table, eviction of the segment that earned the fewest hits per byte for its
/// age (items read since they were written move on), whole segments freed when their items
/// expire, lazy expiry plus an incremental sweep.
///
/// Not thread-safe: one thread at a time (a shard's lock) makes every call. Only the
/// ItemHandle objects it returns may travel to and die on other threads. Every handle must be
/// released before the store is destroyed. Stores that share a pool evict each other's
/// segments: each must have its guard() set to the lock its callers hold.
class Store {
 public:
  /// \brief An empty store with a pool of its own (`options.memory_limit`), reading time from
  /// `clock` (which must outlive it).
  Store(const StoreOptions& options, const Clock& clock);
  /// \brief An empty store whose items live in `pool`, shared with other stores (the pool's
  /// limit is the memory limit; `options.memory_limit` is not used).
  Store(const StoreOptions& options, const Clock& clock, SegmentPool& pool);
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
                     std::uint32_t flags, std::int64_t exptime, std::uint64_t cas = 0,
                     const StoreMarks& marks = {});

  /// \brief get/gets of one key: a handle to the item, empty on a miss. Never allocates.
  ItemHandle get(std::string_view key);

  /// \brief A hint that `key` will be looked up soon. Stage 0 starts loading its hash bucket,
  /// stage 1 (after stage 0 for every key of a batch) the first item in that bucket. Changes
  /// nothing; see ShardedStore::prefetch().
  void prefetch(std::string_view key, int stage) const;

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

  /// \brief mg: a get that reports the item's state before the access and may create it.
  /// Counted as a get (or, with `touch`, a touch on a hit); a created item counts as a hit.
  MetaGetOutcome meta_get(std::string_view key, const MetaGetOptions& options);

  /// \brief md: delete, or with `invalidate` renew the CAS unique and set marks, optionally
  /// only on a CAS match.
  MetaDeleteResult meta_delete(std::string_view key, const MetaDeleteOptions& options);

  /// \brief ma: incr/decr, optionally creating the counter; the result holds the item.
  MetaDeltaOutcome meta_delta(std::string_view key, const MetaDeltaOptions& options);

  /// \brief Sets the exptime of a live item (`T` and `N` of mg and ma): in place if it has
  /// room for one, else on a copy with the same CAS unique, which `item` then refers to.
  void set_exptime(ItemHandle& item, RelTime exptime);

  /// \brief Sets and clears kCallerMarks bits of a live item in place (mg's W sets
  /// kItemTokenSent); ItemHandle::state() reads them. Other state bits are left alone.
  void mark(const ItemHandle& item, std::uint8_t set, std::uint8_t clear = 0) {
    item.item_->add_state(set & kCallerMarks);
    item.item_->clear_state(clear & kCallerMarks);
  }

  /// \brief The live item under `key`, without counting or bumping anything (`me`).
  ItemHandle peek(std::string_view key);

  /// \brief The metadata of a live item (for `me` and the dumps); under the shard's lock.
  ItemInfo describe(const Item& item) const;

  /// \brief Seconds since `item` was last accessed, from its 16-bit access time.
  std::uint32_t idle_seconds(const Item& item) const {
    return static_cast<AccessTime>(static_cast<AccessTime>(clock_.now()) - item.last_access());
  }

  /// \brief Walks the live items of up to `max_buckets` hash buckets from `cursor`, calling
  /// `visit(const ItemInfo&)` for each; returns the cursor to continue from, 0 when done.
  ///
  /// The key dumps call this in slices, releasing the shard's lock between them, so that a
  /// dump of a large cache never stops the shard for long. The walk is not a snapshot (nor
  /// is memcached's crawler): items stored or removed meanwhile may or may not appear, and
  /// if the table grows between two slices some items may be listed twice.
  template <typename Visit>
  std::size_t visit_items(std::size_t cursor, std::size_t max_buckets, Visit&& visit) {
    apply_pending_flush();
    std::size_t bucket = cursor;
    for (std::size_t n = 0; n < max_buckets && bucket < table_.bucket_count(); ++n, ++bucket) {
      table_.for_each_in_bucket(bucket, [&](const Item& item) {
        if (!is_dead(item)) visit(describe(item));
      });
    }
    return bucket < table_.bucket_count() ? bucket : 0;
  }

  /// \brief flush_all: every item stored before `delay` (a client exptime; 0 = now) passes
  /// becomes invalid.
  void flush_all(std::int64_t delay = 0);

  /// \brief Background expiry of whole segments: every segment whose items have all expired
  /// goes back to the pool, its items counted as `crawler_reclaimed`. Returns how many.
  std::size_t expire_segments();

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
  /// \brief One entry per memcached size class, for `stats slabs` and `stats items`.
  std::vector<SlabClassStats> slab_stats() const;
  /// \brief `stats reset`: zeroes the counters, keeps the gauges (curr_items, bytes).
  void reset_stats();
  /// \brief Memory in segments, this store's and the others' in its pool (`total_malloced`).
  std::size_t memory_in_use() const { return pool_.memory_in_use(); }
  /// \brief The pool's memory limit in bytes (memcached's `limit_maxbytes`).
  std::size_t memory_limit() const { return pool_.memory_limit(); }
  /// \brief `cache_memlimit`: a new memory limit for the pool; false if it cannot be applied.
  bool set_memory_limit(std::size_t bytes) { return pool_.set_memory_limit(bytes); }
  /// \brief How many segments a store fills at a time (see the private Lane).
  static constexpr std::size_t kLanes = 6;
  /// \brief Items up to this size in a segment (header included) count as small: they share
  /// segments only with small items, and an evicted segment's read ones move on.
  static constexpr std::size_t kSmallItem = 4096;
  /// \brief Items up to this size share segments only with each other: a segment of them
  /// holds hundreds of keys, and its hits per byte show it.
  static constexpr std::size_t kTinyItem = 512;

  /// \brief The lock held around every call on this store, taken (without waiting) by the
  /// stores of the same pool before they evict one of its segments. Unset for a lone store.
  void set_guard(std::mutex* guard) { guard_ = guard; }
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

  // What memcached accepts as a key: 1 to 250 bytes (the parser has checked the characters).
  static bool valid_key(std::string_view key) {
    return !key.empty() && key.size() <= kMaxKeyLength;
  }
  Lookup lookup(std::string_view key);
  bool is_dead(const Item& item) const;
  Chunk allocate(const ItemFields& fields);
  Chunk copy_of(const Item& item, RelTime exptime);
  Item* create(std::string_view key, std::string_view value, std::uint64_t hash);
  void bump(Item& item);
  void keep_idle_time(Item& item) const;
  // What evict_oldest() achieved: a segment evicted (or given a second chance), nothing to
  // evict, or only segments whose owners are busy.
  enum class Eviction { kDone, kNothing, kBusy };
  // An item read since it was written, copied out of a segment being evicted: its fields
  // (with its CAS unique, which it keeps) and where its key and value are in kept_data_.
  struct KeptItem {
    ItemFields fields;
    std::size_t offset = 0;
  };

  // New items go to one of six active segments, by whether they expire and by size. Items
  // that expire share segments only with items that expire, so that whole segments expire
  // together (Segcache keeps one per TTL range). Items share segments only with items of
  // about their size (up to 512 bytes, up to 4 KiB, larger), so that a segment of small,
  // often read items is worth more than a segment of large ones, and the choice of a victim
  // can tell them apart (see SegmentPool::pop_oldest()).
  using Lane = std::size_t;
  static Lane lane_of(RelTime exptime, std::size_t footprint) {
    const Lane tier = footprint <= kTinyItem ? 0 : footprint <= kSmallItem ? 1 : 2;
    return 2 * tier + (exptime != 0 ? 1 : 0);
  }

  std::byte* reserve(std::size_t bytes, Lane lane);
  bool make_room(std::size_t bytes, Lane lane);
  std::byte* reserve_large(std::size_t bytes);
  Eviction evict_oldest(std::size_t reuse_for, Lane lane);
  bool evict_segment(SegmentId id, std::size_t reuse_for, Lane lane);
  void keep(Chunk chunk, std::uint64_t hash);
  std::size_t kept_footprint(const Item& item) const;
  void put_back_kept();
  void seal_active(Lane lane);
  std::size_t room_in_active(Lane lane) const;
  void expire_at(Item& item, RelTime exptime);
  std::uint64_t unique_of(const Item& item) const { return pool_.unique_of(item); }
  // Stored before the last flush_all took effect. Without a flush, no segment is looked at.
  bool is_flushed(const Item& item) const {
    return oldest_live_cas_ != 0 && unique_of(item) < oldest_live_cas_;
  }
  std::uint64_t cas_of(const Item& item) const { return pool_.cas_of(item); }
  std::size_t drop_expired_segments(bool crawling);
  bool drop_expired_items(SegmentId id, bool crawling);
  void count_reclaimed(const Item& item, bool crawling);
  template <typename Visit>
  void for_each_item_in(SegmentId id, Visit&& visit);
  void link(Chunk chunk, std::uint64_t hash);
  void replace(Chunk current, Chunk replacement, std::uint64_t hash);
  void link_or_replace(Chunk current, Chunk fresh, std::uint64_t hash);
  static bool is_linked(const Item& item) { return item.has(kItemLinked); }
  void unlink(Chunk chunk, std::uint64_t hash);
  void count_link(const Item& item);
  void count_unlink(const Item& item);
  void retire_live(SegmentId id);
  void account(const Item& item, bool add);
  ItemHandle handle_to(Item* item);
  void apply_pending_flush();

  StoreOptions options_;
  const Clock& clock_;
  std::unique_ptr<SegmentPool> own_pool_;  // a lone store's pool; empty when shared
  SegmentPool& pool_;
  std::mutex* guard_ = nullptr;
  HashTable table_;
  std::array<SegmentId, kLanes> active_ = [] {
    std::array<SegmentId, kLanes> none;
    none.fill(kNoSegment);
    return none;
  }();
  std::vector<KeptItem> kept_;         // being moved out of a segment that is evicted
  std::vector<std::byte> kept_data_;   // their keys and values
  std::size_t kept_bytes_ = 0;         // the room they will take
  std::uint64_t oldest_live_cas_ = 0;  // items with a smaller CAS were flushed
  RelTime pending_flush_ = 0;          // clock time a delayed flush_all takes effect; 0 = none
  std::size_t sweep_bucket_ = 0;
  std::vector<Chunk> sweep_scratch_;
  StoreStats stats_;
  std::vector<SlabClassStats> class_stats_;
};

}  // namespace mc::server

/// \file
/// \brief The server's one memory pool: fixed-size segments carved from one reserved arena and
/// shared by every shard, the queue that says which segment to evict next, and the server-wide
/// CAS counter.

#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "mc/server/item.hpp"

namespace mc::server {

class Store;

/// \brief An item and its 32-bit reference, as the hash table hands them out.
struct Chunk {
  Item* item = nullptr;  ///< the item's header
  ItemRef ref = 0;       ///< its reference, as stored in hash chains
};

/// \brief A segment's number: the index of its first unit in the arena.
using SegmentId = std::uint32_t;
/// \brief "No segment".
inline constexpr SegmentId kNoSegment = UINT32_MAX;

/// \brief Where a segment is in its life.
enum class SegmentState : std::uint8_t {
  kFree,      ///< in the pool
  kActive,    ///< its owner appends new items to it
  kSealed,    ///< full; waiting in the eviction queue
  kEvicting,  ///< taken off the queue by a store that is evicting it
  kDraining,  ///< retired, but a reply still reads one of its items
};

/// \brief Segment::expires_by of a segment holding an item that never expires.
inline constexpr RelTime kNeverExpires = UINT32_MAX;

/// \brief What the pool knows of one segment.
///
/// `state`, `units`, the queue links and `owner` change under the pool's mutex. `used`,
/// `live`, `expires_by` and `cas_base` belong to the owner and change under the owner's lock.
/// `readers` and `hits` are atomic (through std::atomic_ref).
struct Segment {
  SegmentState state = SegmentState::kFree;  ///< where it is in its life
  std::uint32_t units = 0;                   ///< length in units (more than 1: one large item)
  SegmentId older = kNoSegment;              ///< the queue's next older segment
  SegmentId newer = kNoSegment;              ///< the queue's next newer segment
  Store* owner = nullptr;                    ///< the store whose items are in it
  std::uint32_t used = 0;                    ///< bytes appended so far
  std::uint32_t live = 0;                    ///< items in it that the owner's table links
  /// \brief ItemHandles reading its items, plus one while the owner uses the segment: the
  /// memory is reused only once this is 0 (see SegmentPool::retire()).
  std::uint32_t readers = 0;
  /// \brief The latest exptime of its items (kNeverExpires if one never expires, 0 while
  /// empty): once the clock passes it, every item in it has expired.
  RelTime expires_by = 0;
  /// \brief Hits on its items since it was filled: with `used`, what the segment is worth.
  /// Written by the owner only, read by any evictor: use through std::atomic_ref.
  std::uint32_t hits = 0;
  std::uint64_t sealed_at = 0;  ///< seals before this one, server-wide: the segment's age
  /// \brief The CAS unique of an item at offset 0; an item at offset `n` has `cas_base + n`.
  /// Every fill of a segment gets a fresh range from the server-wide counter.
  std::uint64_t cas_base = 0;
};

/// \brief The memory of the whole cache, in segments of one or more 256 KiB units.
///
/// Stores append items to an active segment of their own; a full segment is sealed and joins
/// the back of one queue shared by every store. When the memory limit is reached, a sealed
/// segment is evicted, whichever store it belongs to: the one whose items earned the fewest
/// hits per byte for their age (see pop_oldest()).
/// So memory is one budget, however many shards index it, and no segment is ever tied to a
/// size of item: there is nothing to calcify.
///
/// All units come from one reserved range of address space, so an ItemRef is the item's
/// offset in steps of alignment() bytes and turning one into an Item* is an add and a shift.
/// Thread-safe; the address arithmetic needs no lock.
class SegmentPool {
 public:
  /// \brief Bytes per unit, and per ordinary segment: small enough that a small cache still
  /// has many segments to choose a victim from, large enough that a 200 KB value fits.
  static constexpr std::size_t kUnit = std::size_t{256} << 10;

  /// \brief A pool of `memory_limit` bytes (whole units, at least one) for items of up to
  /// `largest_item` bytes; `cas_enabled` false is memcached's -C (every CAS reads as 0).
  SegmentPool(std::size_t memory_limit, std::size_t largest_item, bool cas_enabled = true);
  /// \brief Returns the address range to the system.
  ~SegmentPool();

  SegmentPool(const SegmentPool&) = delete;
  SegmentPool& operator=(const SegmentPool&) = delete;

  /// \brief Where items start: at multiples of this many bytes (2 for arenas up to 8 GiB, so
  /// that 32-bit references reach every item; more for larger ones).
  std::size_t alignment() const { return std::size_t{1} << shift_; }
  /// \brief The bytes an item of `size` bytes takes in a segment, up to the next item.
  std::size_t footprint(std::size_t size) const {
    return (size + alignment() - 1) & ~(alignment() - 1);
  }
  /// \brief The item an ItemRef points to.
  Item* resolve(ItemRef ref) const {
    return reinterpret_cast<Item*>(arena_ + (static_cast<std::size_t>(ref - 1) << shift_));
  }
  /// \brief The reference of an item (the inverse of resolve()).
  ItemRef ref_of(const Item* item) const {
    return static_cast<ItemRef>(offset_of(item) >> shift_) + 1;
  }
  /// \brief The first byte of a segment.
  std::byte* data(SegmentId id) const { return arena_ + std::size_t{id} * kUnit; }
  /// \brief The segment an item lies in (a large item starts its segment's first unit).
  SegmentId segment_of(const Item* item) const {
    return static_cast<SegmentId>(offset_of(item) / kUnit);
  }
  /// \brief A segment's bookkeeping (see Segment for who may change which field).
  Segment& segment(SegmentId id) { return segments_[id]; }
  /// \brief A segment's bookkeeping, to read.
  const Segment& segment(SegmentId id) const { return segments_[id]; }

  /// \brief The item's CAS unique, even under -C: its own, or its segment's base plus its
  /// offset. Unique server-wide, and larger for items written later into the same segment.
  std::uint64_t unique_of(const Item& item) const {
    if (const std::uint64_t own = item.own_cas(); own != 0) return own;
    return segments_[segment_of(&item)].cas_base + offset_of(&item) % kUnit;
  }
  /// \brief The CAS unique clients see: unique_of(), or 0 under -C.
  std::uint64_t cas_of(const Item& item) const { return cas_enabled_ ? unique_of(item) : 0; }
  /// \brief Whether clients see CAS uniques (memcached's -C turns them off).
  bool cas_enabled() const { return cas_enabled_; }

  /// \brief Units needed for a segment of `bytes` bytes.
  static std::size_t units_for(std::size_t bytes) { return (bytes + kUnit - 1) / kUnit; }

  /// \brief A free segment of `units` units, active and owned by `owner`; kNoSegment if it
  /// would pass the memory limit (unless `beyond_limit`) or no address space is left.
  SegmentId take(std::size_t units, Store* owner, bool beyond_limit = false);
  /// \brief An active segment is full: it joins the back of the eviction queue.
  void seal(SegmentId id);

  /// \brief A segment chosen for eviction, and its owner.
  struct Victim {
    SegmentId id = kNoSegment;  ///< kNoSegment when the queue is empty
    Store* owner = nullptr;     ///< whose lock the evictor must hold
  };
  /// \brief Takes the sealed segment worth least off the queue (optionally only `owner`'s):
  /// fewest hits per byte for its age, the oldest among equals. It is kEvicting until the
  /// evictor calls one of the functions below.
  Victim pop_oldest(const Store* owner = nullptr);
  /// \brief Takes off the queue `owner`'s oldest segment whose items have all expired by `now`.
  SegmentId pop_expired(const Store* owner, RelTime now);
  /// \brief The evictor could not get the owner's lock: the segment goes back to the front.
  void put_back(SegmentId id);
  /// \brief The segment earns a second chance: it goes to the back of the queue.
  void requeue(SegmentId id);
  /// \brief True if no handle reads the segment's items: the owner may refill it.
  bool unread(SegmentId id) const {
    return std::atomic_ref<std::uint32_t>(const_cast<Segment&>(segments_[id]).readers)
               .load(std::memory_order_acquire) == 1;
  }
  /// \brief An emptied segment, unread() and the owner's, is filled again from its first
  /// byte (as an active segment), with a fresh range of CAS uniques.
  void restart(SegmentId id);
  /// \brief The owner is done with a segment (evicted, expired or emptied): it goes back to
  /// the pool as soon as no handle reads it, now or when the last one is released.
  void retire(SegmentId id);
  /// \brief Counts a hit on an item of segment `id` (its owner only).
  void count_hit(SegmentId id) {
    std::atomic_ref<std::uint32_t> hits(segments_[id].hits);
    hits.store(hits.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  /// \brief One more handle reads `item` (any thread holding a handle, or the owner).
  void add_reader(const Item* item) {
    std::atomic_ref<std::uint32_t>(segments_[segment_of(item)].readers)
        .fetch_add(1, std::memory_order_relaxed);
  }
  /// \brief A handle to `item` is gone (any thread); the last one frees a retired segment.
  void drop_reader(const Item* item) {
    const SegmentId id = segment_of(item);
    // acq_rel: this thread's reads of the item happen before whoever reuses the memory.
    if (std::atomic_ref<std::uint32_t>(segments_[id].readers)
            .fetch_sub(1, std::memory_order_acq_rel) == 1) {
      free_retired(id);
    }
  }
  /// \brief Gives back every segment `owner` holds (the store is going away).
  void release_all_of(const Store* owner);

  /// \brief The last CAS unique handed out: every item written so far has one no larger.
  std::uint64_t last_cas() const { return last_cas_.load(std::memory_order_relaxed); }

  /// \brief Bytes of segments in use (memcached's `total_malloced`).
  std::size_t memory_in_use() const;
  /// \brief The memory limit in bytes, in whole units (memcached's `limit_maxbytes`).
  std::size_t memory_limit() const;
  /// \brief `cache_memlimit`: a new limit. Segments in use stay; a lower limit only stops new
  /// ones. False if the limit is beyond the reserved address space.
  bool set_memory_limit(std::size_t bytes);
  /// \brief The largest item the pool can hold (its `-I` plus headers).
  std::size_t largest_item() const { return largest_item_; }

 private:
  enum class Unit : std::uint8_t { kFresh, kResidentFree, kUsed };

  std::size_t offset_of(const Item* item) const {
    return static_cast<std::size_t>(reinterpret_cast<const std::byte*>(item) - arena_);
  }
  void start_fill(Segment& s);
  void free_retired(SegmentId id);
  SegmentId find_fresh_run(std::size_t units);
  void enqueue_newest(SegmentId id);
  void enqueue_oldest(SegmentId id);
  void unqueue(SegmentId id);
  void free_locked(SegmentId id);
  void return_to_system(SegmentId first, std::size_t units);
  void trim_resident();

  std::size_t largest_item_;
  bool cas_enabled_;
  std::size_t reserved_units_;  // the arena's size in units
  unsigned shift_;              // log2(alignment())
  std::byte* arena_;

  mutable std::mutex mutex_;
  std::size_t limit_units_;
  std::size_t used_units_ = 0;
  std::vector<Unit> units_;                 // each unit's state
  std::vector<SegmentId> resident_free_;    // free single units whose memory is still mapped
  std::size_t high_water_ = 0;              // every unit from here on has never been used
  std::size_t fresh_below_high_water_ = 0;  // units below high_water_ given back to the system
  std::vector<Segment> segments_;           // indexed by SegmentId (first unit)
  SegmentId oldest_ = kNoSegment;           // the eviction queue's front
  SegmentId newest_ = kNoSegment;           // and back
  std::size_t queued_ = 0;                  // segments in the queue
  std::uint64_t seals_ = 0;                 // segments sealed so far

  std::atomic<std::uint64_t> last_cas_{0};
};

}  // namespace mc::server

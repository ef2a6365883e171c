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
  kDraining,  ///< evicted, but a reply still reads one of its items
};

/// \brief Segment::expires_by of a segment holding an item that never expires.
inline constexpr RelTime kNeverExpires = UINT32_MAX;

/// \brief What the pool knows of one segment.
///
/// `state`, `units`, the queue links and `owner` change under the pool's mutex. `used` and
/// `outstanding` belong to the owner and change under the owner's lock.
struct Segment {
  SegmentState state = SegmentState::kFree;  ///< where it is in its life
  std::uint32_t units = 0;                   ///< length in units (more than 1: one large item)
  SegmentId older = kNoSegment;              ///< the queue's next older segment
  SegmentId newer = kNoSegment;              ///< the queue's next newer segment
  Store* owner = nullptr;                    ///< the store whose items are in it
  std::uint32_t used = 0;                    ///< bytes appended so far
  /// \brief The latest exptime of its items (kNeverExpires if one never expires, 0 while
  /// empty): once the clock passes it, every item in it has expired.
  RelTime expires_by = 0;
  /// \brief Hits on its items since it was filled: with `used`, what the segment is worth.
  /// Written by the owner only, read by any evictor: use through std::atomic_ref.
  std::uint32_t hits = 0;
  std::uint64_t sealed_at = 0;  ///< seals before this one, server-wide: the segment's age
  /// \brief Items whose memory may still be read: linked in the owner's table, or held by a
  /// reply. The segment can be reused only when this is 0.
  std::uint32_t outstanding = 0;
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
/// offset in 8-byte steps and turning one into an Item* is an add and a shift. Thread-safe;
/// the address arithmetic needs no lock.
class SegmentPool {
 public:
  /// \brief Bytes per unit, and per ordinary segment: small enough that a small cache still
  /// has many segments to choose a victim from, large enough that a 200 KB value fits.
  static constexpr std::size_t kUnit = std::size_t{256} << 10;

  /// \brief A pool of `memory_limit` bytes (whole units, at least one) for items of up to
  /// `largest_item` bytes.
  SegmentPool(std::size_t memory_limit, std::size_t largest_item);
  /// \brief Returns the address range to the system.
  ~SegmentPool();

  SegmentPool(const SegmentPool&) = delete;
  SegmentPool& operator=(const SegmentPool&) = delete;

  /// \brief The item an ItemRef points to.
  Item* resolve(ItemRef ref) const {
    return reinterpret_cast<Item*>(arena_ + (static_cast<std::size_t>(ref - 1) << 3));
  }
  /// \brief The reference of an item (the inverse of resolve()).
  ItemRef ref_of(const Item* item) const {
    return static_cast<ItemRef>((reinterpret_cast<const std::byte*>(item) - arena_) >> 3) + 1;
  }
  /// \brief The first byte of a segment.
  std::byte* data(SegmentId id) const { return arena_ + std::size_t{id} * kUnit; }
  /// \brief The segment an item lies in (a large item starts its segment's first unit).
  SegmentId segment_of(const Item* item) const {
    return static_cast<SegmentId>(
        static_cast<std::size_t>(reinterpret_cast<const std::byte*>(item) - arena_) / kUnit);
  }
  /// \brief A segment's bookkeeping (see Segment for who may change which field).
  Segment& segment(SegmentId id) { return segments_[id]; }
  /// \brief A segment's bookkeeping, to read.
  const Segment& segment(SegmentId id) const { return segments_[id]; }

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
  /// \brief The evicted segment becomes its owner's active segment again, empty.
  void reactivate(SegmentId id);
  /// \brief The evicted segment waits for replies that still read it (see release_if_idle()).
  void drain(SegmentId id);
  /// \brief Returns an evicted segment to the pool.
  void release(SegmentId id);
  /// \brief Called by the owner when a segment's `outstanding` reaches 0: a sealed or draining
  /// segment goes back to the pool (an expired or deleted segment is reclaimed whole).
  void release_if_idle(SegmentId id);
  /// \brief Counts a hit on an item of segment `id` (its owner only).
  void count_hit(SegmentId id) {
    std::atomic_ref<std::uint32_t> hits(segments_[id].hits);
    hits.store(hits.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  /// \brief Gives back every segment `owner` holds (the store is going away).
  void release_all_of(const Store* owner);

  /// \brief A new CAS unique, larger than every one handed out before, server-wide.
  std::uint64_t next_cas() { return last_cas_.fetch_add(1, std::memory_order_relaxed) + 1; }
  /// \brief The last CAS unique handed out.
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

  SegmentId find_fresh_run(std::size_t units);
  void enqueue_newest(SegmentId id);
  void enqueue_oldest(SegmentId id);
  void unqueue(SegmentId id);
  void free_locked(SegmentId id);
  void return_to_system(SegmentId first, std::size_t units);
  void trim_resident();

  std::size_t largest_item_;
  std::size_t reserved_units_;  // the arena's size in units
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

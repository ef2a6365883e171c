#include "mc/server/segment_pool.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <new>

namespace mc::server {

namespace {
// The smallest step at which 32-bit ItemRefs reach every byte of an arena of `bytes`: 2 bytes
// (8 GiB) unless the memory limit needs more.
unsigned ref_shift(std::size_t bytes) {
  unsigned shift = 1;
  while ((std::size_t{1} << (32 + shift)) < bytes) ++shift;
  return shift;
}

std::byte* reserve_arena(std::size_t bytes) {
  // MAP_NORESERVE: address space only; memory is committed page by page as it is written.
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return static_cast<std::byte*>(p);
}

// Address space to reserve: the machine's memory up to 8 GiB, so that cache_memlimit can raise
// the limit, and never less than twice the limit plus a large item, so that a large item always
// finds contiguous units and memory held by unread replies can go past the limit for a while.
// (8 GiB is what 32-bit references reach at the finest step; a larger -m takes a coarser one.)
std::size_t arena_bytes(std::size_t memory_limit, std::size_t largest_item) {
  constexpr std::size_t kFinestReach = std::size_t{8} << 30;
  const auto pages = static_cast<std::size_t>(sysconf(_SC_PHYS_PAGES));
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t wanted =
      std::max(std::min(pages * page, kFinestReach), 2 * memory_limit + 4 * largest_item);
  return (wanted + SegmentPool::kUnit - 1) / SegmentPool::kUnit * SegmentPool::kUnit;
}
}  // namespace

SegmentPool::SegmentPool(std::size_t memory_limit, std::size_t largest_item, bool cas_enabled)
    : largest_item_(largest_item),
      cas_enabled_(cas_enabled),
      reserved_units_(arena_bytes(memory_limit, largest_item) / kUnit),
      shift_(ref_shift(reserved_units_ * kUnit)),
      arena_(reserve_arena(reserved_units_ * kUnit)),
      limit_units_(std::clamp<std::size_t>(memory_limit / kUnit, 1, reserved_units_)),
      units_(reserved_units_, Unit::kFresh) {
  // Room for every unit's bookkeeping, but only written (and so made resident) as the arena
  // is used; growing within the reserved capacity never moves what owners are reading.
  segments_.reserve(reserved_units_);
}

SegmentPool::~SegmentPool() { munmap(arena_, reserved_units_ * kUnit); }

//! [take]
SegmentId SegmentPool::take(std::size_t units, Store* owner, bool beyond_limit) {
  std::lock_guard lock(mutex_);
  if (!beyond_limit && used_units_ + units > limit_units_) return kNoSegment;
  SegmentId id = kNoSegment;
  if (units == 1 && !resident_free_.empty()) {
    id = resident_free_.back();  // memory already mapped: no page faults
    resident_free_.pop_back();
  } else {
    id = find_fresh_run(units);
    if (id == kNoSegment) return kNoSegment;
  }
  std::fill_n(units_.begin() + id, units, Unit::kUsed);
  used_units_ += units;
  Segment& s = segments_[id];
  s = Segment{};
  s.units = static_cast<std::uint32_t>(units);
  s.owner = owner;
  s.readers = 1;  // the owner's
  start_fill(s);
  trim_resident();
  return id;
}
//! [take]

void SegmentPool::start_fill(Segment& s) {
  s.state = SegmentState::kActive;
  s.used = 0;
  s.live = 0;
  s.expires_by = 0;
  s.hits = 0;
  // A range of uniques as long as the segment: an item's offset picks its own, so writing an
  // item never touches this shared counter.
  s.cas_base = last_cas_.fetch_add(s.units * kUnit, std::memory_order_relaxed) + 1;
}

SegmentId SegmentPool::find_fresh_run(std::size_t units) {
  // Below the high-water mark only units given back to the system are fresh; look there
  // first, so that the arena is reused before more of it is touched.
  if (fresh_below_high_water_ >= units) {
    std::size_t run = 0;
    for (std::size_t i = 0; i < high_water_; ++i) {
      run = units_[i] == Unit::kFresh ? run + 1 : 0;
      if (run == units) {
        fresh_below_high_water_ -= units;
        return static_cast<SegmentId>(i + 1 - units);
      }
    }
  }
  if (high_water_ + units > reserved_units_) return kNoSegment;
  const auto id = static_cast<SegmentId>(high_water_);
  high_water_ += units;
  segments_.resize(high_water_);
  return id;
}

void SegmentPool::seal(SegmentId id) {
  std::lock_guard lock(mutex_);
  assert(segments_[id].state == SegmentState::kActive);
  segments_[id].state = SegmentState::kSealed;
  segments_[id].sealed_at = ++seals_;
  enqueue_newest(id);
}

//! [pop-oldest]
SegmentPool::Victim SegmentPool::pop_oldest(const Store* owner) {
  // The segment worth least: the fewest hits per byte per unit of age, age counted in seals
  // since it was sealed. A segment of small items read often is worth many segments of large
  // items read now and then, so memory moves to what serves the most requests: the job
  // memcached's slab automover does by eviction age. Plain FIFO among equals (the oldest
  // wins ties), and the +1 lets a segment sealed a moment ago wait for its first hits.
  constexpr std::size_t kMaxCandidates = 1024;  // bounds the work under the lock
  std::lock_guard lock(mutex_);
  SegmentId id = kNoSegment;
  double lowest = 0;
  std::size_t seen = 0;
  for (SegmentId at = oldest_; at != kNoSegment && seen < kMaxCandidates;
       at = segments_[at].newer) {
    const Segment& s = segments_[at];
    if (owner != nullptr && s.owner != owner) continue;
    ++seen;
    const auto hits = static_cast<double>(
        std::atomic_ref<std::uint32_t>(segments_[at].hits).load(std::memory_order_relaxed));
    const double bytes = std::max<std::uint32_t>(s.used, 1);
    const auto age = static_cast<double>(seals_ - s.sealed_at + 1);
    const double worth = (hits + 1) / (bytes * age);
    if (id == kNoSegment || worth < lowest) {
      id = at;
      lowest = worth;
    }
  }
  if (id == kNoSegment) return {};
  unqueue(id);
  segments_[id].state = SegmentState::kEvicting;
  return {id, segments_[id].owner};
}
//! [pop-oldest]

SegmentId SegmentPool::pop_expired(const Store* owner, RelTime now) {
  std::lock_guard lock(mutex_);
  for (SegmentId id = oldest_; id != kNoSegment; id = segments_[id].newer) {
    const Segment& s = segments_[id];
    if (s.owner == owner && s.expires_by != 0 && s.expires_by <= now) {
      unqueue(id);
      segments_[id].state = SegmentState::kEvicting;
      return id;
    }
  }
  return kNoSegment;
}

void SegmentPool::put_back(SegmentId id) {
  std::lock_guard lock(mutex_);
  segments_[id].state = SegmentState::kSealed;
  enqueue_oldest(id);
}

void SegmentPool::requeue(SegmentId id) {
  std::lock_guard lock(mutex_);
  segments_[id].state = SegmentState::kSealed;
  segments_[id].hits = 0;  // a second chance starts the count, and the age, again
  segments_[id].sealed_at = ++seals_;
  enqueue_newest(id);
}

void SegmentPool::restart(SegmentId id) {
  std::lock_guard lock(mutex_);
  assert(unread(id));
  start_fill(segments_[id]);
}

//! [retire]
void SegmentPool::retire(SegmentId id) {
  std::lock_guard lock(mutex_);
  Segment& s = segments_[id];
  if (s.state == SegmentState::kSealed) unqueue(id);
  s.state = SegmentState::kDraining;
  // The owner's reference goes; if a handle still reads an item, its release frees the
  // segment (drop_reader()). The state is set first, so that release finds it retired.
  if (std::atomic_ref<std::uint32_t>(s.readers).fetch_sub(1, std::memory_order_acq_rel) == 1) {
    free_locked(id);
  }
}
//! [retire]

void SegmentPool::free_retired(SegmentId id) {
  std::lock_guard lock(mutex_);
  assert(segments_[id].state == SegmentState::kDraining);
  free_locked(id);
}

void SegmentPool::release_all_of(const Store* owner) {
  std::lock_guard lock(mutex_);
  for (std::size_t id = 0; id < high_water_; ++id) {
    Segment& s = segments_[id];
    if (s.state == SegmentState::kFree || s.owner != owner) continue;
    if (s.state == SegmentState::kSealed) unqueue(static_cast<SegmentId>(id));
    free_locked(static_cast<SegmentId>(id));
  }
}

void SegmentPool::free_locked(SegmentId id) {
  Segment& s = segments_[id];
  const std::size_t units = s.units;
  used_units_ -= units;
  s = Segment{};
  if (units == 1) {
    // Kept mapped for the next segment, unless the pool would then hold more than its limit.
    units_[id] = Unit::kResidentFree;
    resident_free_.push_back(id);
    trim_resident();
  } else {
    return_to_system(id, units);  // a large item's units: rarely reused at the same size
  }
}

void SegmentPool::return_to_system(SegmentId first, std::size_t units) {
  // MADV_DONTNEED drops the pages: the resident size falls now, and the next use of these
  // addresses starts from zeroed memory.
  madvise(data(first), units * kUnit, MADV_DONTNEED);
  std::fill_n(units_.begin() + first, units, Unit::kFresh);
  fresh_below_high_water_ += units;
}

void SegmentPool::trim_resident() {
  // Mapped memory (used plus kept free) stays within the limit, or at what is in use when
  // replies hold more than the limit for a while.
  while (!resident_free_.empty() && used_units_ + resident_free_.size() > limit_units_) {
    const SegmentId id = resident_free_.back();
    resident_free_.pop_back();
    return_to_system(id, 1);
  }
}

void SegmentPool::enqueue_newest(SegmentId id) {
  Segment& s = segments_[id];
  s.older = newest_;
  s.newer = kNoSegment;
  if (newest_ != kNoSegment) segments_[newest_].newer = id;
  newest_ = id;
  if (oldest_ == kNoSegment) oldest_ = id;
  ++queued_;
}

void SegmentPool::enqueue_oldest(SegmentId id) {
  Segment& s = segments_[id];
  s.newer = oldest_;
  s.older = kNoSegment;
  if (oldest_ != kNoSegment) segments_[oldest_].older = id;
  oldest_ = id;
  if (newest_ == kNoSegment) newest_ = id;
  ++queued_;
}

void SegmentPool::unqueue(SegmentId id) {
  Segment& s = segments_[id];
  (s.older != kNoSegment ? segments_[s.older].newer : oldest_) = s.newer;
  (s.newer != kNoSegment ? segments_[s.newer].older : newest_) = s.older;
  s.older = s.newer = kNoSegment;
  --queued_;
}

std::size_t SegmentPool::memory_in_use() const {
  std::lock_guard lock(mutex_);
  return used_units_ * kUnit;
}

std::size_t SegmentPool::memory_limit() const {
  std::lock_guard lock(mutex_);
  return limit_units_ * kUnit;
}

bool SegmentPool::set_memory_limit(std::size_t bytes) {
  const std::size_t units = bytes / kUnit;
  std::lock_guard lock(mutex_);
  if (units == 0 || units > reserved_units_) return false;
  limit_units_ = units;
  trim_resident();
  return true;
}

}  // namespace mc::server

// Where the store's memory comes from: items appended to segments of the pool, the eviction
// of whole segments when the pool is full, and the linking, unlinking and reference counting
// of items.
#include <algorithm>
#include <cassert>
#include <cstring>
#include <new>
#include <utility>

#include "mc/server/store.hpp"

namespace mc::server {

namespace {
// An evicted segment's small items that were read since they were written move on, up to
// half a segment: enough to keep the hot set, while every eviction still frees at least half
// of what it takes. (Large ones are not worth their copy: their segment's hits decide.)
constexpr std::size_t kMaxKept = SegmentPool::kUnit / 2;
// How often an allocation finds the oldest segment's owner busy before it gives up and goes
// past the memory limit for a while rather than refuse the write.
constexpr int kMaxBusyOwners = 64;
}  // namespace

template <typename Visit>
void Store::for_each_item_in(SegmentId id, Visit&& visit) {
  std::byte* const data = pool_.data(id);
  const std::size_t used = pool_.segment(id).used;
  for (std::size_t offset = 0; offset < used;) {
    Item& item = *reinterpret_cast<Item*>(data + offset);
    offset += item.footprint();  // read first: visit() may unlink the item
    visit(item);
  }
}

//! [allocate]
Chunk Store::allocate(std::string_view key, std::size_t value_length, std::uint32_t flags,
                      RelTime exptime) {
  const std::size_t size = Item::total_size(key.size(), value_length);
  if (Item::footprint(size) > pool_.largest_item()) return {};
  if (released_.maybe_nonempty()) free_released();
  std::byte* place = reserve(Item::footprint(size), lane_of(exptime, Item::footprint(size)));
  if (place == nullptr) {
    ++class_stats_[static_cast<std::size_t>(SizeClasses::of(size))].outofmemory;
    return {};
  }
  Item* item = new (place) Item{};
  ++pool_.segment(pool_.segment_of(item)).outstanding;
  item->key_length = static_cast<std::uint8_t>(key.size());
  item->value_length = static_cast<std::uint32_t>(value_length);
  item->flags = flags;
  expire_at(*item, exptime);
  std::memcpy(item->key_data(), key.data(), key.size());
  std::memcpy(item->value_data() + value_length, "\r\n", 2);
  return {item, pool_.ref_of(item)};
}
//! [allocate]

Item* Store::create(std::string_view key, std::string_view value, std::uint64_t hash) {
  const Chunk chunk = allocate(key, value.size(), 0, 0);
  if (chunk.item == nullptr) return nullptr;
  // An empty view may have a null data(), which memcpy may not be given even for 0 bytes.
  if (!value.empty()) std::memcpy(chunk.item->value_data(), value.data(), value.size());
  link(chunk, hash);
  return chunk.item;
}

void Store::expire_at(Item& item, RelTime exptime) {
  // The segment remembers when its last item expires, so that a segment of expired items can
  // be reclaimed whole without looking at them one by one (see expire_segments()).
  item.exptime = exptime;
  Segment& segment = pool_.segment(pool_.segment_of(&item));
  segment.expires_by = std::max(segment.expires_by, exptime == 0 ? kNeverExpires : exptime);
}

std::size_t Store::room_in_active(Lane lane) const {
  const SegmentId id = active_[lane];
  return id == kNoSegment ? 0 : SegmentPool::kUnit - pool_.segment(id).used;
}

void Store::seal_active(Lane lane) {
  if (active_[lane] == kNoSegment) return;
  pool_.seal(active_[lane]);
  active_[lane] = kNoSegment;
}

//! [reserve]
std::byte* Store::reserve(std::size_t bytes, Lane lane) {
  if (bytes > SegmentPool::kUnit) return reserve_large(bytes);
  if (room_in_active(lane) < bytes && !make_room(bytes, lane)) return nullptr;
  Segment& segment = pool_.segment(active_[lane]);
  std::byte* place = pool_.data(active_[lane]) + segment.used;
  segment.used += static_cast<std::uint32_t>(bytes);
  return place;
}

bool Store::make_room(std::size_t bytes, Lane lane) {
  int busy = 0;
  while (room_in_active(lane) < bytes) {
    seal_active(lane);
    active_[lane] = pool_.take(1, this);
    if (active_[lane] != kNoSegment) return true;
    // Expired items make room before live ones are evicted, as in memcached.
    if (drop_expired_segments(/*crawling=*/false) > 0) {
      for (SegmentId& other : active_) {  // an active segment that is empty now will do
        if (other != kNoSegment && pool_.segment(other).used == 0) {
          active_[lane] = std::exchange(other, kNoSegment);
          break;
        }
      }
      continue;
    }
    const Eviction done = evict_oldest(bytes, lane);  // may give us back the evicted segment
    if (done == Eviction::kDone || (done == Eviction::kBusy && ++busy < kMaxBusyOwners)) continue;
    // Every segment is active or still read by replies. Refusing the write would make one
    // slow reader fail everybody's sets; memory over the limit is given back as they finish.
    if (!options_.evictions) return false;
    active_[lane] = pool_.take(1, this, /*beyond_limit=*/true);
    return active_[lane] != kNoSegment;
  }
  return true;
}
//! [reserve]

std::byte* Store::reserve_large(std::size_t bytes) {
  // An item larger than a unit gets a segment of its own, of as many units as it needs.
  const std::size_t units = SegmentPool::units_for(bytes);
  int busy = 0;
  SegmentId id = pool_.take(units, this);
  while (id == kNoSegment) {
    const bool freed = drop_expired_segments(/*crawling=*/false) > 0;
    const Eviction done = freed ? Eviction::kDone : evict_oldest(/*reuse_for=*/0, /*lane=*/0);
    if (done == Eviction::kDone || (done == Eviction::kBusy && ++busy < kMaxBusyOwners)) {
      id = pool_.take(units, this);
      continue;
    }
    if (!options_.evictions) return nullptr;
    id = pool_.take(units, this, /*beyond_limit=*/true);
    if (id == kNoSegment) return nullptr;
  }
  pool_.segment(id).used = static_cast<std::uint32_t>(bytes);
  pool_.seal(id);
  return pool_.data(id);
}

//! [evict-oldest]
Store::Eviction Store::evict_oldest(std::size_t reuse_for, Lane lane) {
  const SegmentPool::Victim victim = pool_.pop_oldest();
  if (victim.id == kNoSegment) return Eviction::kNothing;
  if (victim.owner == this) {
    return evict_segment(victim.id, reuse_for, lane) ? Eviction::kDone : Eviction::kNothing;
  }
  // Another shard's segment: its lock, without waiting, since that shard may be waiting for
  // ours. If it is busy, one of our own segments goes instead.
  assert(victim.owner->guard_ != nullptr && "stores sharing a pool need guards");
  std::unique_lock lock(*victim.owner->guard_, std::try_to_lock);
  if (!lock.owns_lock()) {
    pool_.put_back(victim.id);
    const SegmentPool::Victim own = pool_.pop_oldest(this);
    if (own.id == kNoSegment) return Eviction::kBusy;
    return evict_segment(own.id, reuse_for, lane) ? Eviction::kDone : Eviction::kNothing;
  }
  return victim.owner->evict_segment(victim.id, 0, lane) ? Eviction::kDone : Eviction::kNothing;
}
//! [evict-oldest]

//! [evict-segment]
bool Store::evict_segment(SegmentId id, std::size_t reuse_for, Lane lane) {
  free_released();
  Segment& segment = pool_.segment(id);
  const bool evicting = options_.evictions;
  if (segment.units > 1 && evicting) {
    // A large item's own segment: if it was read since it was written, it goes to the back of
    // the queue instead, which costs no copy.
    Item& item = *reinterpret_cast<Item*>(pool_.data(id));
    if ((item.state & kItemLinked) != 0 && (item.state & kItemReferenced) != 0 && !is_dead(item)) {
      item.state &= static_cast<std::uint8_t>(~kItemReferenced);
      pool_.requeue(id);
      return true;
    }
  }
  // What we may keep: room left beside the caller's item when the segment comes back to us,
  // else what fits in our active segments.
  std::size_t keep_budget = 0;
  if (evicting && reuse_for > 0) {
    keep_budget = std::min(kMaxKept, SegmentPool::kUnit - reuse_for);
  } else if (evicting) {
    for (Lane other = 0; other < kLanes; ++other) {
      keep_budget = std::max(keep_budget, std::min(kMaxKept, room_in_active(other)));
    }
  }
  bool live_left = false;
  for_each_item_in(id, [&](Item& item) {
    if (!is_linked(item)) return;  // deleted or replaced already
    const Chunk chunk{&item, pool_.ref_of(&item)};
    const std::uint64_t hash = HashTable::hash(item.key());
    SlabClassStats& counters =
        class_stats_[static_cast<std::size_t>(SizeClasses::of(item.total_size()))];
    if (is_dead(item)) {
      // Expired: memcached counts its memory's reuse as "reclaimed", not as an eviction.
      ++stats_.reclaimed;
      ++counters.reclaimed;
      if ((item.state & kItemFetched) == 0) {
        ++stats_.expired_unfetched;
        ++counters.expired_unfetched;
      }
      unlink(chunk, hash);
    } else if (!evicting) {
      live_left = true;  // -M: live items are never evicted
    } else if ((item.state & kItemReferenced) != 0 && item.footprint() <= kSmallItem &&
               kept_bytes_ + item.footprint() <= keep_budget) {
      keep(chunk, hash);
    } else {
      ++stats_.evictions;
      ++counters.evicted;
      if ((item.state & kItemFetched) == 0) {
        ++stats_.evicted_unfetched;
        ++counters.evicted_unfetched;
      }
      unlink(chunk, hash);
    }
  });
  if (live_left) {
    pool_.put_back(id);
    return false;
  }
  ++stats_.segments_evicted;
  if (segment.outstanding > 0) {
    pool_.drain(id);  // a reply still reads an item: the memory comes back when it is done
  } else if (reuse_for > 0) {
    pool_.reactivate(id);
    active_[lane] = id;
  } else {
    pool_.release(id);
  }
  put_back_kept();
  return true;
}
//! [evict-segment]

//! [expire-segments]
std::size_t Store::expire_segments() {
  apply_pending_flush();
  free_released();
  return drop_expired_segments(/*crawling=*/true);
}

std::size_t Store::drop_expired_segments(bool crawling) {
  std::size_t segments = 0;
  const RelTime now = clock_.now();
  // Our active segments first: one whose items have all expired starts again from its first
  // byte (forget() resets it as its last item goes, unless a reply still reads one).
  for (const SegmentId id : active_) {
    if (id == kNoSegment) continue;
    Segment& segment = pool_.segment(id);
    if (segment.expires_by == 0 || segment.expires_by > now) continue;
    if (!drop_expired_items(id, crawling)) continue;
    segment.expires_by = 0;  // only dead records are left: nothing to look at again
    if (segment.used == 0) ++segments;
  }
  for (SegmentId id; (id = pool_.pop_expired(this, now)) != kNoSegment; ++segments) {
    Segment& segment = pool_.segment(id);
    if (!drop_expired_items(id, crawling)) {
      // Not expected (expires_by only grows), but never loop on it.
      segment.expires_by = kNeverExpires;
      pool_.put_back(id);
    } else if (segment.outstanding > 0) {
      pool_.drain(id);
    } else {
      pool_.release(id);
    }
  }
  return segments;
}

bool Store::drop_expired_items(SegmentId id, bool crawling) {
  bool all_dead = true;
  for_each_item_in(id, [&](Item& item) {
    if (!is_linked(item)) return;
    if (!is_dead(item)) {
      all_dead = false;
      return;
    }
    SlabClassStats& counters =
        class_stats_[static_cast<std::size_t>(SizeClasses::of(item.total_size()))];
    if ((item.state & kItemFetched) == 0 && item.cas >= oldest_live_cas_) {
      ++stats_.expired_unfetched;
      ++counters.expired_unfetched;
    }
    // memcached counts what its crawler frees apart from what an allocation reuses.
    ++(crawling ? stats_.crawler_reclaimed : stats_.reclaimed);
    ++(crawling ? counters.crawler_reclaimed : counters.reclaimed);
    unlink({&item, pool_.ref_of(&item)}, HashTable::hash(item.key()));
  });
  return all_dead;
}
//! [expire-segments]

void Store::keep(Chunk chunk, std::uint64_t hash) {
  // Everything but the atomic refcount is copied out; a handle may be releasing it right now.
  const Item& item = *chunk.item;
  KeptItem kept;
  kept.cas = item.cas;
  kept.exptime = item.exptime;
  kept.flags = item.flags;
  kept.value_length = item.value_length;
  kept.key_length = item.key_length;
  kept.state = static_cast<std::uint8_t>(item.state & ~(kItemLinked | kItemReferenced));
  kept.last_access = item.last_access;
  kept.offset = kept_data_.size();
  const auto* bytes = reinterpret_cast<const std::byte*>(item.key_data());
  kept_data_.insert(kept_data_.end(), bytes, bytes + item.key_length + item.value_length + 2);
  kept_.push_back(kept);
  kept_bytes_ += item.footprint();
  unlink(chunk, hash);
}

void Store::put_back_kept() {
  for (const KeptItem& kept : kept_) {
    const std::size_t size = Item::total_size(kept.key_length, kept.value_length);
    SlabClassStats& counters = class_stats_[static_cast<std::size_t>(SizeClasses::of(size))];
    // Its own lane if there is room, else any active segment (the one just emptied, when the
    // caller's item goes to another lane).
    Lane lane = lane_of(kept.exptime, Item::footprint(size));
    for (Lane other = 0; room_in_active(lane) < Item::footprint(size) && other < kLanes; ++other) {
      lane = other;
    }
    if (room_in_active(lane) < Item::footprint(size)) {
      // The evicted segment is still read by a reply and could not be reused.
      ++stats_.evictions;
      ++counters.evicted;
      continue;
    }
    Segment& segment = pool_.segment(active_[lane]);
    Item* item = new (pool_.data(active_[lane]) + segment.used) Item{};
    segment.used += static_cast<std::uint32_t>(Item::footprint(size));
    ++segment.outstanding;
    item->cas = kept.cas;
    expire_at(*item, kept.exptime);
    item->flags = kept.flags;
    item->value_length = kept.value_length;
    item->key_length = kept.key_length;
    item->state = kept.state | kItemLinked;
    item->last_access = kept.last_access;
    item->refcount.store(1, std::memory_order_relaxed);  // the table's reference
    std::memcpy(item->key_data(), kept_data_.data() + kept.offset,
                std::size_t{kept.key_length} + kept.value_length + 2);
    table_.insert({item, pool_.ref_of(item)}, HashTable::hash(item->key()));
    account(*item, true);
    ++stats_.items_kept;
  }
  kept_.clear();
  kept_data_.clear();
  kept_bytes_ = 0;
}

void Store::account(const Item& item, bool add) {
  const std::size_t size = item.total_size();
  SlabClassStats& counters = class_stats_[static_cast<std::size_t>(SizeClasses::of(size))];
  if (add) {
    ++stats_.curr_items;
    stats_.bytes += size;
    ++counters.number;
    counters.mem_requested += size;
  } else {
    --stats_.curr_items;
    stats_.bytes -= size;
    --counters.number;
    counters.mem_requested -= size;
  }
}

void Store::link(Chunk chunk, std::uint64_t hash) {
  Item& item = *chunk.item;
  item.cas = pool_.next_cas();
  item.refcount.store(1, std::memory_order_relaxed);  // the table's reference
  item.state |= kItemLinked;  // keeping the marks the caller set (stale, binary key)
  item.last_access = static_cast<AccessTime>(clock_.now());
  table_.insert(chunk, hash);
  account(item, true);
  ++stats_.total_items;
}

void Store::replace(Chunk current, Chunk replacement, std::uint64_t hash) {
  Item& item = *replacement.item;
  item.cas = pool_.next_cas();
  item.refcount.store(1, std::memory_order_relaxed);
  item.state |= kItemLinked;
  item.last_access = static_cast<AccessTime>(clock_.now());
  table_.replace(current, replacement, hash);
  account(item, true);
  ++stats_.total_items;
  current.item->state &= static_cast<std::uint8_t>(~kItemLinked);
  account(*current.item, false);
  release(current.item);
}

void Store::link_or_replace(Chunk current, Chunk fresh, std::uint64_t hash) {
  // The current item may have been evicted while the fresh one was allocated (it was only
  // pinned, which keeps its bytes, not its place in the table).
  if (current.item != nullptr && is_linked(*current.item)) {
    replace(current, fresh, hash);
  } else {
    link(fresh, hash);
  }
}

void Store::unlink(Chunk chunk, std::uint64_t hash) {
  table_.erase(chunk, hash);
  chunk.item->state &= static_cast<std::uint8_t>(~kItemLinked);
  account(*chunk.item, false);
  release(chunk.item);
}

void Store::release(Item* item) {
  // The table's (or the store's own temporary) reference. If a handle still holds the item,
  // the handle's last release hands it back later, through released_.
  if (item->refcount.fetch_sub(1, std::memory_order_acq_rel) == 1) forget(item);
}

void Store::forget(const Item* item) {
  // Nothing can read the item any more. Its segment is reused when that is true of all of
  // its items, so a segment whose items all expired or were deleted is reclaimed whole; an
  // active one starts again from its first byte.
  const SegmentId id = pool_.segment_of(item);
  Segment& segment = pool_.segment(id);
  if (--segment.outstanding > 0) return;
  if (std::find(active_.begin(), active_.end(), id) != active_.end()) {
    segment.used = 0;
    segment.expires_by = 0;
    segment.hits = 0;
  } else {
    pool_.release_if_idle(id);
  }
}

void Store::free_released() {
  for (Item* item = released_.take_all(); item != nullptr;) {
    Item* next = item->next_unused;
    forget(item);
    item = next;
  }
}

}  // namespace mc::server

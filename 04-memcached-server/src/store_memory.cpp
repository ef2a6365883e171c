// Where the store's memory comes from: items appended to segments of the pool, room made when
// the pool is full (the eviction itself is in store_eviction.cpp), and the linking and
// unlinking of items, which tells a segment when its last item is gone.
#include <algorithm>
#include <cassert>
#include <cstring>
#include <new>
#include <utility>

#include "mc/server/store.hpp"

namespace mc::server {

namespace {
// How often an allocation finds the oldest segment's owner busy before it gives up and goes
// past the memory limit for a while rather than refuse the write.
constexpr int kMaxBusyOwners = 64;
}  // namespace

//! [allocate]
Chunk Store::allocate(const ItemFields& fields) {
  const std::size_t size = Item::size_of(fields);
  const std::size_t footprint = pool_.footprint(size);
  if (footprint > pool_.largest_item()) return {};
  std::byte* place = reserve(footprint, lane_of(fields.exptime, footprint));
  if (place == nullptr) {
    ++class_stats_[static_cast<std::size_t>(SizeClasses::of(size))].outofmemory;
    return {};
  }
  Item* item = Item::create(place, fields);
  expire_at(*item, fields.exptime);
  return {item, pool_.ref_of(item)};
}
//! [allocate]

Chunk Store::copy_of(const Item& item, RelTime exptime) {
  // Everything but the place: the copy keeps the CAS unique (a touch or a move is not a
  // change a client should see) and has room for an exptime.
  ItemFields fields = item.fields();
  fields.cas = unique_of(item);
  fields.exptime = exptime;
  fields.exptime_field = true;
  fields.state = static_cast<std::uint8_t>(fields.state & ~kItemLinked);
  const Chunk copy = allocate(fields);
  if (copy.item != nullptr) {
    std::memcpy(copy.item->value_data(), item.value_data(), item.value_length());
  }
  return copy;
}

Item* Store::create(std::string_view key, std::string_view value, std::uint64_t hash) {
  const Chunk chunk =
      allocate({.key = key, .value_length = static_cast<std::uint32_t>(value.size())});
  if (chunk.item == nullptr) return nullptr;
  // An empty view may have a null data(), which memcpy may not be given even for 0 bytes.
  if (!value.empty()) std::memcpy(chunk.item->value_data(), value.data(), value.size());
  link(chunk, hash);
  ++stats_.total_items;
  return chunk.item;
}

void Store::expire_at(Item& item, RelTime exptime) {
  // The segment remembers when its last item expires, so that a segment of expired items can
  // be reclaimed whole without looking at them one by one (see expire_segments()).
  if (item.has_exptime_field()) item.set_exptime(exptime);
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

void Store::count_link(const Item& item) {
  ++pool_.segment(pool_.segment_of(&item)).live;
  account(item, true);
}

void Store::count_unlink(const Item& item) {
  account(item, false);
  const SegmentId id = pool_.segment_of(&item);
  if (--pool_.segment(id).live == 0) retire_live(id);
}

void Store::link(Chunk chunk, std::uint64_t hash) {
  Item& item = *chunk.item;
  item.add_state(kItemLinked);  // keeping the marks the caller set (stale, binary key)
  item.set_last_access(static_cast<AccessTime>(clock_.now()));
  table_.insert(chunk, hash);
  count_link(item);
}

void Store::replace(Chunk current, Chunk replacement, std::uint64_t hash) {
  Item& item = *replacement.item;
  item.add_state(kItemLinked);
  item.set_last_access(static_cast<AccessTime>(clock_.now()));
  table_.replace(current, replacement, hash);
  count_link(item);  // first: the old item may be its segment's last
  current.item->clear_state(kItemLinked);
  count_unlink(*current.item);
}

void Store::link_or_replace(Chunk current, Chunk fresh, std::uint64_t hash) {
  // Making room for the fresh item may have evicted the current one (it was only pinned,
  // which keeps its bytes, not its place in the table), or moved it on to another segment
  // (a kept item). Whatever the table holds for the key now is what the fresh item replaces.
  if (current.item == nullptr || !is_linked(*current.item)) {
    current = table_.find(fresh.item->key(), hash);
  }
  if (current.item != nullptr) {
    replace(current, fresh, hash);
  } else {
    link(fresh, hash);
  }
}

void Store::unlink(Chunk chunk, std::uint64_t hash) {
  table_.erase(chunk, hash);
  chunk.item->clear_state(kItemLinked);
  count_unlink(*chunk.item);
}

void Store::retire_live(SegmentId id) {
  // The segment's last item left the table. A segment whose items all expired or were
  // deleted is reclaimed whole (once no reply reads it); an active one starts again from its
  // first byte. One being evicted or expired is its evictor's business.
  const Segment& segment = pool_.segment(id);
  if (std::find(active_.begin(), active_.end(), id) != active_.end()) {
    if (pool_.unread(id)) pool_.restart(id);
  } else if (segment.state == SegmentState::kSealed) {
    pool_.retire(id);
  }
}

}  // namespace mc::server

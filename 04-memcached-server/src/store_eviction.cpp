// The eviction of whole segments: which one goes (the pool chooses), what happens to its
// items (reclaimed, kept or evicted), and segments whose items have all expired.
#include <algorithm>
#include <cassert>
#include <cstring>
#include <mutex>
#include <new>

#include "mc/server/store.hpp"

namespace mc::server {

namespace {
// An evicted segment's small items that were read since they were written move on, up to
// half a segment: enough to keep the hot set, while every eviction still frees at least half
// of what it takes. (Large ones are not worth their copy: their segment's hits decide.)
constexpr std::size_t kMaxKept = SegmentPool::kUnit / 2;
}  // namespace

template <typename Visit>
void Store::for_each_item_in(SegmentId id, Visit&& visit) {
  std::byte* const data = pool_.data(id);
  const std::size_t used = pool_.segment(id).used;
  for (std::size_t offset = 0; offset < used;) {
    Item& item = *reinterpret_cast<Item*>(data + offset);
    offset += pool_.footprint(item.total_size());  // read first: visit() may unlink the item
    visit(item);
  }
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
  Segment& segment = pool_.segment(id);
  const bool evicting = options_.evictions;
  if (segment.units > 1 && evicting) {
    // A large item's own segment: if it was read since it was written, it goes to the back of
    // the queue instead, which costs no copy.
    Item& item = *reinterpret_cast<Item*>(pool_.data(id));
    if (item.has(kItemLinked) && item.has(kItemReferenced) && !is_dead(item)) {
      item.clear_state(kItemReferenced);
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
      if (!item.has(kItemFetched)) {
        ++stats_.expired_unfetched;
        ++counters.expired_unfetched;
      }
      unlink(chunk, hash);
    } else if (!evicting) {
      live_left = true;  // -M: live items are never evicted
    } else if (item.has(kItemReferenced) && kept_footprint(item) <= kSmallItem &&
               kept_bytes_ + kept_footprint(item) <= keep_budget) {
      keep(chunk, hash);
    } else {
      ++stats_.evictions;
      ++counters.evicted;
      if (!item.has(kItemFetched)) {
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
  if (reuse_for > 0 && pool_.unread(id)) {
    pool_.restart(id);
    active_[lane] = id;
  } else {
    pool_.retire(id);  // if a reply still reads an item, the memory comes back when it is done
  }
  put_back_kept();
  return true;
}
//! [evict-segment]

//! [expire-segments]
std::size_t Store::expire_segments() {
  apply_pending_flush();
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
    } else {
      pool_.retire(id);
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
    count_reclaimed(item, crawling);
    unlink({&item, pool_.ref_of(&item)}, HashTable::hash(item.key()));
  });
  return all_dead;
}
//! [expire-segments]

void Store::keep(Chunk chunk, std::uint64_t hash) {
  // Copied out with its CAS unique, which it keeps in its new place.
  const Item& item = *chunk.item;
  KeptItem kept{item.fields(), kept_data_.size()};
  kept.fields.cas = unique_of(item);
  kept.fields.state =
      static_cast<std::uint8_t>(kept.fields.state & ~(kItemLinked | kItemReferenced));
  const auto* bytes = reinterpret_cast<const std::byte*>(item.key_data());
  kept_data_.insert(kept_data_.end(), bytes, bytes + item.key_length() + item.value_length());
  kept_.push_back(kept);
  kept_bytes_ += kept_footprint(item);
  unlink(chunk, hash);
}

std::size_t Store::kept_footprint(const Item& item) const {
  return pool_.footprint(item.total_size() + (item.own_cas() != 0 ? 0 : 8));
}

void Store::put_back_kept() {
  for (KeptItem& kept : kept_) {
    kept.fields.key = std::string_view(
        reinterpret_cast<const char*>(kept_data_.data() + kept.offset), kept.fields.key.size());
    const std::size_t size = Item::size_of(kept.fields);
    const std::size_t footprint = pool_.footprint(size);
    SlabClassStats& counters = class_stats_[static_cast<std::size_t>(SizeClasses::of(size))];
    // Its own lane if there is room, else any active segment (the one just emptied, when the
    // caller's item goes to another lane).
    Lane lane = lane_of(kept.fields.exptime, footprint);
    for (Lane other = 0; room_in_active(lane) < footprint && other < kLanes; ++other) {
      lane = other;
    }
    if (room_in_active(lane) < footprint) {
      // The evicted segment is still read by a reply and could not be reused.
      ++stats_.evictions;
      ++counters.evicted;
      continue;
    }
    Segment& segment = pool_.segment(active_[lane]);
    Item* item = Item::create(pool_.data(active_[lane]) + segment.used, kept.fields);
    segment.used += static_cast<std::uint32_t>(footprint);
    expire_at(*item, kept.fields.exptime);
    std::memcpy(item->value_data(), kept_data_.data() + kept.offset + kept.fields.key.size(),
                kept.fields.value_length);
    item->add_state(kItemLinked);
    table_.insert({item, pool_.ref_of(item)}, HashTable::hash(item->key()));
    count_link(*item);
    ++stats_.items_kept;
  }
  kept_.clear();
  kept_data_.clear();
  kept_bytes_ = 0;
}

void Store::count_reclaimed(const Item& item, bool crawling) {
  SlabClassStats& counters =
      class_stats_[static_cast<std::size_t>(SizeClasses::of(item.total_size()))];
  // As memcached's crawler: flushed items are not counted as unfetched.
  if (!item.has(kItemFetched) && !is_flushed(item)) {
    ++stats_.expired_unfetched;
    ++counters.expired_unfetched;
  }
  // memcached counts what its crawler frees apart from what an allocation reuses.
  ++(crawling ? stats_.crawler_reclaimed : stats_.reclaimed);
  ++(crawling ? counters.crawler_reclaimed : counters.reclaimed);
}

}  // namespace mc::server

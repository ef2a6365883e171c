// Where the store's memory comes from: allocation with CLOCK eviction and page moves between
// size classes, and the linking, unlinking and reference counting of items.
#include <cassert>
#include <cstring>

#include "mc/server/store.hpp"

namespace mc::server {

//! [allocate]
Chunk Store::allocate(std::string_view key, std::size_t value_length, std::uint32_t flags,
                      RelTime exptime) {
  const std::size_t size = Item::total_size(key.size(), value_length);
  const int cls = slabs_.class_for(size);
  if (cls < 0) return {};
  if (released_.maybe_nonempty()) free_released();

  // A free chunk or a new page; else evict within the class (memcached also evicts per
  // class); else take a page away from the class that has the most.
  Chunk chunk = slabs_.allocate(cls);
  if (chunk.item == nullptr && slabs_.info(cls).total_pages > 0 && evict_one(cls)) {
    chunk = slabs_.allocate(cls);
  }
  if (chunk.item == nullptr && steal_page(cls)) chunk = slabs_.allocate(cls);
  if (chunk.item == nullptr) {
    ++class_stats_[static_cast<std::size_t>(cls)].outofmemory;
    return {};
  }
  Item& item = *chunk.item;
  item.key_length = static_cast<std::uint8_t>(key.size());
  item.value_length = static_cast<std::uint32_t>(value_length);
  item.flags = flags;
  item.exptime = exptime;
  std::memcpy(item.key_data(), key.data(), key.size());
  std::memcpy(item.value_data() + value_length, "\r\n", 2);
  return chunk;
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

//! [evict]
bool Store::evict_one(int cls) {
  SlabClassStats& counters = class_stats_[static_cast<std::size_t>(cls)];
  const SlabClassInfo info = slabs_.info(cls);
  // Two turns of the hand always find a victim: the first clears every reference bit. (With
  // -M only dead items are taken, so the search may end empty-handed.)
  const std::size_t limit = std::size_t{2} * info.total_pages * info.chunks_per_page + 1;
  for (std::size_t step = 0; step < limit; ++step) {
    const Chunk chunk = slabs_.advance_hand(cls);
    Item& item = *chunk.item;
    if ((item.state & kItemLinked) == 0) continue;  // free, or unlinked and still in a reply
    const std::uint64_t hash = HashTable::hash(item.key());
    if (is_dead(item)) {
      // An expired item is the best victim: memcached counts its reuse as "reclaimed".
      ++stats_.reclaimed;
      ++counters.reclaimed;
      if ((item.state & kItemFetched) == 0) {
        ++stats_.expired_unfetched;
        ++counters.expired_unfetched;
      }
      const bool freed = item.refcount.load(std::memory_order_acquire) == 1;
      unlink(chunk, hash);
      if (freed) return true;
      continue;
    }
    if (item.refcount.load(std::memory_order_acquire) > 1) continue;  // a reply still reads it
    if (!options_.evictions) continue;  // -M: only dead items make room
    if ((item.state & kItemReferenced) != 0) {
      item.state &= static_cast<std::uint8_t>(~kItemReferenced);  // second chance
      continue;
    }
    ++stats_.evictions;
    ++counters.evicted;
    if ((item.state & kItemFetched) == 0) {
      ++stats_.evicted_unfetched;
      ++counters.evicted_unfetched;
    }
    unlink(chunk, hash);
    return true;
  }
  return false;
}
//! [evict]

bool Store::steal_page(int cls) {
  const int victim = slabs_.richest_class(cls);
  if (victim < 0) return false;
  // Give up unless every chunk of the page can go now: free, or linked with no reply on it;
  // with -M (no evictions) only a page of free chunks can move.
  const bool movable = slabs_.for_each_chunk_of_hand_page(victim, [&](Chunk chunk) {
    const Item& item = *chunk.item;
    if ((item.state & kItemFree) != 0) return true;
    return options_.evictions && (item.state & kItemLinked) != 0 &&
           item.refcount.load(std::memory_order_acquire) == 1;
  });
  if (!movable) return false;
  SlabClassStats& counters = class_stats_[static_cast<std::size_t>(victim)];
  slabs_.for_each_chunk_of_hand_page(victim, [&](Chunk chunk) {
    Item& item = *chunk.item;
    if ((item.state & kItemLinked) != 0) {
      ++stats_.evictions;
      ++counters.evicted;
      unlink(chunk, HashTable::hash(item.key()));
    }
    return true;
  });
  slabs_.move_hand_page(victim, cls);
  ++stats_.slabs_moved;
  return true;
}

void Store::account(const Item& item, bool add) {
  SlabClassStats& counters = class_stats_[static_cast<std::size_t>(slabs_.class_of(&item))];
  const std::size_t size = item.total_size();
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
  item.cas = ++last_cas_;
  item.refcount.store(1, std::memory_order_relaxed);  // the table's reference
  item.state |= kItemLinked;  // keeping the marks the caller set (stale, binary key)
  item.last_access = static_cast<AccessTime>(clock_.now());
  table_.insert(chunk, hash);
  account(item, true);
  ++stats_.total_items;
}

void Store::replace(Chunk current, Chunk replacement, std::uint64_t hash) {
  Item& item = *replacement.item;
  item.cas = ++last_cas_;
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

void Store::unlink(Chunk chunk, std::uint64_t hash) {
  table_.erase(chunk, hash);
  chunk.item->state &= static_cast<std::uint8_t>(~kItemLinked);
  account(*chunk.item, false);
  release(chunk.item);
}

void Store::release(Item* item) {
  // The table's (or the store's own temporary) reference. If a handle still holds the item,
  // the handle's last release frees it later, through released_.
  if (item->refcount.fetch_sub(1, std::memory_order_acq_rel) == 1) slabs_.free(item);
}

void Store::free_released() {
  for (Item* item = released_.take_all(); item != nullptr;) {
    Item* next = item->next_unused;  // read before free() reuses the link
    slabs_.free(item);
    item = next;
  }
}

}  // namespace mc::server

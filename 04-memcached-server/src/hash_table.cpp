#include "mc/server/hash_table.hpp"

#include <xxhash.h>

#include <cassert>
#include <cstring>

namespace mc::server {

namespace {
constexpr std::size_t kInitialBuckets = std::size_t{1} << 16;
}  // namespace

HashTable::HashTable(const SegmentPool& pool) : pool_(pool), buckets_(kInitialBuckets, 0) {}

std::uint64_t HashTable::hash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

Chunk HashTable::find(std::string_view key, std::uint64_t hash) const {
  for (ItemRef ref = buckets_[hash & (buckets_.size() - 1)]; ref != 0;) {
    Item* item = pool_.resolve(ref);
    if (item->key_length == key.size() &&
        std::memcmp(item->key_data(), key.data(), key.size()) == 0) {
      return {item, ref};
    }
    ref = item->next;
  }
  return {};
}

ItemRef* HashTable::link_to(ItemRef ref, std::uint64_t hash) {
  ItemRef* link = &buckets_[hash & (buckets_.size() - 1)];
  while (*link != ref) {
    assert(*link != 0 && "item not in the table");
    link = &pool_.resolve(*link)->next;
  }
  return link;
}

void HashTable::insert(Chunk chunk, std::uint64_t hash) {
  if (size_ + 1 > buckets_.size() + buckets_.size() / 2) grow();
  ItemRef& head = buckets_[hash & (buckets_.size() - 1)];
  chunk.item->next = head;
  head = chunk.ref;
  ++size_;
}

void HashTable::erase(Chunk chunk, std::uint64_t hash) {
  *link_to(chunk.ref, hash) = chunk.item->next;
  chunk.item->next = 0;
  --size_;
}

void HashTable::replace(Chunk current, Chunk replacement, std::uint64_t hash) {
  ItemRef* link = link_to(current.ref, hash);
  replacement.item->next = current.item->next;
  *link = replacement.ref;
  current.item->next = 0;
}

void HashTable::collect_bucket(std::size_t index, std::vector<Chunk>& out) const {
  for (ItemRef ref = buckets_[index]; ref != 0;) {
    Item* item = pool_.resolve(ref);
    out.push_back({item, ref});
    ref = item->next;
  }
}

void HashTable::grow() {
  // All at once: every key is hashed again. At a million items this takes tens of
  // milliseconds, once per doubling; memcached moves buckets in a background thread instead.
  std::vector<ItemRef> bigger(buckets_.size() * 2, 0);
  const std::size_t mask = bigger.size() - 1;
  for (ItemRef head : buckets_) {
    for (ItemRef ref = head; ref != 0;) {
      Item* item = pool_.resolve(ref);
      const ItemRef next = item->next;
      ItemRef& slot = bigger[hash(item->key()) & mask];
      item->next = slot;
      slot = ref;
      ref = next;
    }
  }
  buckets_.swap(bigger);
}

}  // namespace mc::server

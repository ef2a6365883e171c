/// \file
/// \brief The key index: a chained hash table of 32-bit ItemRefs, chains threaded through the
/// items themselves.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "mc/server/segment_pool.hpp"

namespace mc::server {

/// \brief Maps keys to linked items, as memcached's `assoc`: a power-of-two array of bucket
/// heads, each a chain through Item::next.
///
/// A bucket costs 4 bytes and the chain link lives in the item, so the index adds about
/// 4 + 4 bytes per item at the load we run (up to 1.5 items per bucket, memcached's rule),
/// half of what pointers would cost. Keys are hashed with XXH3.
class HashTable {
 public:
  /// \brief An empty table over the items of `pool`.
  explicit HashTable(const SegmentPool& pool);

  /// \brief The hash of a key (XXH3, 64 bits).
  static std::uint64_t hash(std::string_view key);

  /// \brief The linked item with that key, or an empty Chunk.
  Chunk find(std::string_view key, std::uint64_t hash) const;

  /// \brief A hint: start loading the bucket that find() will read for `hash`.
  void prefetch_bucket(std::uint64_t hash) const {
    __builtin_prefetch(&buckets_[hash & (buckets_.size() - 1)]);
  }

  /// \brief A hint: start loading the first item in the bucket of `hash` (whose bucket should
  /// be in the cache by now, after prefetch_bucket()).
  void prefetch_first_item(std::uint64_t hash) const {
    const ItemRef head = buckets_[hash & (buckets_.size() - 1)];
    if (head != 0) __builtin_prefetch(pool_.resolve(head));
  }

  /// \brief Adds an item whose key is not in the table; may grow the table.
  void insert(Chunk chunk, std::uint64_t hash);

  /// \brief Removes an item that is in the table.
  void erase(Chunk chunk, std::uint64_t hash);

  /// \brief Puts `replacement` (same key) where `current` is, in one step.
  void replace(Chunk current, Chunk replacement, std::uint64_t hash);

  /// \brief Number of items in the table.
  std::size_t size() const { return size_; }

  /// \brief Number of buckets (a power of two).
  std::size_t bucket_count() const { return buckets_.size(); }

  /// \brief Bytes used by the bucket array.
  std::size_t memory_bytes() const { return buckets_.size() * sizeof(ItemRef); }

  /// \brief Calls `visit(const Item&)` for every item of bucket `index`; `visit` must not
  /// change the table.
  template <typename Visit>
  void for_each_in_bucket(std::size_t index, Visit&& visit) const {
    for (ItemRef ref = buckets_[index]; ref != 0;) {
      const Item* item = pool_.resolve(ref);
      visit(*item);
      ref = item->next;
    }
  }

  /// \brief Appends the items of bucket `index` to `out` (the expiry sweep walks buckets).
  void collect_bucket(std::size_t index, std::vector<Chunk>& out) const;

 private:
  ItemRef* link_to(ItemRef ref, std::uint64_t hash);
  void grow();

  const SegmentPool& pool_;
  std::vector<ItemRef> buckets_;
  std::size_t size_ = 0;
};

}  // namespace mc::server

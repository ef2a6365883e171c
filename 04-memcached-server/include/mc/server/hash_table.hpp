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

/// \brief Maps keys to linked items, as memcached's `assoc`: an array of bucket heads, each a
/// chain through the items' `next` field (Item::next()).
///
/// A bucket costs 4 bytes and the chain link lives in the item, so the index adds 4 bytes
/// per item plus 2.7 to 4 for the buckets (1 to 1.5 items per bucket: the table grows by half
/// at 1.5, memcached's load), half of what pointers would cost. Keys are hashed with XXH3; a
/// hash picks its bucket by multiplication, so the bucket count need not be a power of two.
class HashTable {
 public:
  /// \brief An empty table over the items of `pool`.
  explicit HashTable(const SegmentPool& pool);

  /// \brief The hash of a key (XXH3, 64 bits).
  static std::uint64_t hash(std::string_view key);

  /// \brief The linked item with that key, or an empty Chunk.
  Chunk find(std::string_view key, std::uint64_t hash) const;

  /// \brief A hint: start loading the bucket that find() will read for `hash`.
  void prefetch_bucket(std::uint64_t hash) const { __builtin_prefetch(&buckets_[bucket_of(hash)]); }

  /// \brief A hint: start loading the first item in the bucket of `hash` (whose bucket should
  /// be in the cache by now, after prefetch_bucket()).
  void prefetch_first_item(std::uint64_t hash) const {
    const ItemRef head = buckets_[bucket_of(hash)];
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

  /// \brief Number of buckets.
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
      ref = item->next();
    }
  }

  /// \brief Appends the items of bucket `index` to `out` (the expiry sweep walks buckets).
  void collect_bucket(std::size_t index, std::vector<Chunk>& out) const;

 private:
  // The bucket of a hash: its top 32 bits scaled to the bucket count (Lemire's fast range).
  std::size_t bucket_of(std::uint64_t hash) const { return ((hash >> 32) * buckets_.size()) >> 32; }
  // Makes whatever points to `ref` in its chain point to `successor` instead.
  void relink(ItemRef ref, std::uint64_t hash, ItemRef successor);
  void grow();

  const SegmentPool& pool_;
  std::vector<ItemRef> buckets_;
  std::size_t size_ = 0;
};

}  // namespace mc::server

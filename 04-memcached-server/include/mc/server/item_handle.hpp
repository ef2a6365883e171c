/// \file
/// \brief ItemHandle: the counted reference that keeps an item's bytes alive while a reply
/// uses them.

#pragma once

#include <cstdint>
#include <string_view>
#include <utility>

#include "mc/server/item.hpp"
#include "mc/server/segment_pool.hpp"

namespace mc::server {

/// \brief A counted reference to an item: the item's bytes stay valid while a handle exists,
/// even if the item is deleted, replaced or evicted meanwhile.
///
/// The count is kept per segment, not per item (SegmentPool::add_reader()): an item needs no
/// counter of its own, and a segment is reused only once no handle reads any of its items.
/// Copying costs one atomic increment, moving nothing. The count is atomic because handles to
/// one segment's items are taken and released on many connections' threads, and the thread
/// that evicts the segment, whichever it is, reads it.
class ItemHandle {
 public:
  /// \brief An empty handle (a miss).
  ItemHandle() = default;
  /// \brief Adopts one reference, already counted (SegmentPool::add_reader()), to `item`.
  ItemHandle(Item* item, SegmentPool* pool) : item_(item), pool_(pool) {}
  /// \brief Shares the item: one more reference.
  ItemHandle(const ItemHandle& other) : item_(other.item_), pool_(other.pool_) {
    if (item_) pool_->add_reader(item_);
  }
  /// \brief Takes over `other`'s reference.
  ItemHandle(ItemHandle&& other) noexcept
      : item_(std::exchange(other.item_, nullptr)), pool_(other.pool_) {}
  /// \brief Shares `other`'s item, releasing this one's.
  ItemHandle& operator=(const ItemHandle& other) {
    ItemHandle copy(other);
    swap(copy);
    return *this;
  }
  /// \brief Takes over `other`'s reference, releasing this one's.
  ItemHandle& operator=(ItemHandle&& other) noexcept {
    ItemHandle moved(std::move(other));
    swap(moved);
    return *this;
  }
  /// \brief Releases the reference.
  ~ItemHandle() { reset(); }

  /// \brief Releases the reference now; the handle becomes empty.
  void reset() {
    if (item_) pool_->drop_reader(item_);
    item_ = nullptr;
  }
  /// \brief Exchanges two handles.
  void swap(ItemHandle& other) noexcept {
    std::swap(item_, other.item_);
    std::swap(pool_, other.pool_);
  }

  /// \brief True if the handle refers to an item (a hit).
  explicit operator bool() const { return item_ != nullptr; }
  /// \brief The key.
  std::string_view key() const { return item_->key(); }
  /// \brief The value.
  std::string_view value() const { return item_->value(); }
  /// \brief The client's flags.
  std::uint32_t flags() const { return item_->flags(); }
  /// \brief The CAS unique, or 0 when the store runs with CAS disabled (as memcached -C).
  std::uint64_t cas() const { return pool_->cas_of(*item_); }
  /// \brief The expiry in clock time (0 = never); see Clock::seconds_left(). Under the item's
  /// shard lock only: touch changes it in place.
  RelTime exptime() const { return item_->exptime(); }
  /// \brief The ItemState bits. Under the shard lock only, as exptime().
  std::uint8_t state() const { return item_->state(); }
  /// \brief The item itself (for the store and for tests).
  const Item* get() const { return item_; }

 private:
  friend class Store;  // meta commands change an item's exptime and marks through its handle

  Item* item_ = nullptr;
  SegmentPool* pool_ = nullptr;
};

}  // namespace mc::server

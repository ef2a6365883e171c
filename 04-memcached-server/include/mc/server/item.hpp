/// \file
/// \brief One cached item in one allocation (header, key, value, "\r\n"), and ItemHandle,
/// the reference-counted handle that keeps an item's bytes alive while a reply uses them.

#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "mc/server/clock.hpp"

namespace mc::server {

/// \brief A 32-bit reference to an item: its offset in the segment arena in 8-byte steps, plus
/// one (0 is "none"). Half the size of a pointer, which matters in the hash chains and the
/// bucket array.
using ItemRef = std::uint32_t;

/// \brief The item's state bits.
enum ItemState : std::uint8_t {
  kItemLinked = 2,      ///< reachable from the hash table
  kItemReferenced = 4,  ///< read since the CLOCK hand last passed: gets a second chance
  kItemFetched = 8,     ///< read at least once (memcached's ITEM_FETCHED, for *_unfetched)
  kItemStale = 16,      ///< invalidated by a meta command (`md I`, `ms I`): served with X
  kItemTokenSent = 32,  ///< a client was told it won the right to recache (`mg` W)
  kItemKeyBinary = 64,  ///< stored with a base64 key (`ms b`): meta replies echo it in base64
};

/// \brief The clock time an item was last accessed, kept to 16 bits (see Item::last_access).
using AccessTime = std::uint16_t;

/// \brief The header of an item in a segment; the key, the value and "\r\n" follow it directly,
/// and the next item starts at the next multiple of 8 bytes.
///
/// 32 bytes, so a 16-byte key and a 100-byte value fill a 150-byte item (152 bytes with the
/// padding).
/// The fields a reply reads through a handle (key, value, flags, cas, lengths) never change
/// while anyone but the table holds the item: the store copies instead of writing in place.
/// `exptime`, `last_access` and `state` belong to the store's thread.
///
/// Two bytes hold the last access time that meta commands report (`mg l`, `me la=`).
struct Item {
  union {
    std::uint64_t cas;  ///< CAS unique of this version (while in use)
    Item* next_unused;  ///< link in the ReleaseList (once dead)
  };
  std::atomic<std::uint32_t> refcount{0};  ///< 1 for the hash table while linked, +1 per handle
  ItemRef next = 0;                        ///< next item in the hash chain
  RelTime exptime = 0;                     ///< clock time at which the item expires; 0 = never
  std::uint32_t value_length = 0;          ///< bytes of value, without the trailing "\r\n"
  std::uint32_t flags = 0;                 ///< the client's opaque 32-bit flags
  std::uint8_t key_length = 0;             ///< 1..250
  std::uint8_t state = 0;                  ///< ItemState bits
  /// \brief Clock time of the last access, modulo 2^16 (18 hours): Store::idle_seconds()
  /// turns it into an age, and the background sweep keeps long-idle items from wrapping.
  AccessTime last_access = 0;

  /// \brief First byte of the key.
  char* key_data() { return reinterpret_cast<char*>(this + 1); }
  /// \brief First byte of the key.
  const char* key_data() const { return reinterpret_cast<const char*>(this + 1); }
  /// \brief First byte of the value (right after the key).
  char* value_data() { return key_data() + key_length; }
  /// \brief First byte of the value (right after the key).
  const char* value_data() const { return key_data() + key_length; }
  /// \brief The key.
  std::string_view key() const { return {key_data(), key_length}; }
  /// \brief The value without "\r\n".
  std::string_view value() const { return {value_data(), value_length}; }
  /// \brief Header + key + value + "\r\n": what the item costs (memcached's ITEM_ntotal).
  std::size_t total_size() const { return total_size(key_length, value_length); }
  /// \brief The bytes it takes in a segment: total_size() rounded up to 8, so that the next
  /// item's header is aligned.
  std::size_t footprint() const { return footprint(total_size()); }
  /// \brief The bytes an item of `total` bytes takes in a segment.
  static constexpr std::size_t footprint(std::size_t total) {
    return (total + 7) & ~std::size_t{7};
  }

  /// \brief The size of an item with that key and value length.
  static constexpr std::size_t total_size(std::size_t key_length, std::size_t value_length) {
    return sizeof(Item) + key_length + value_length + 2;
  }
};
static_assert(sizeof(Item) == 32, "the item header is part of the memory budget");

/// \brief Where items go when their last handle is released, possibly on another thread.
///
/// The store is single-threaded, so a foreign thread may not touch its segments. It pushes
/// the dead item on this lock-free stack instead, and the store takes the whole stack back
/// (one atomic exchange) before it next allocates.
class ReleaseList {
 public:
  /// \brief Pushes an item whose refcount reached 0 (any thread).
  void push(Item* item);
  /// \brief Takes every pushed item; the store's thread only.
  Item* take_all() { return head_.exchange(nullptr, std::memory_order_acquire); }
  /// \brief True if something may be waiting (a cheap check before take_all()).
  bool maybe_nonempty() const { return head_.load(std::memory_order_relaxed) != nullptr; }

  bool cas_enabled = true;  ///< whether handles report CAS values (memcached's -C turns it off)

 private:
  std::atomic<Item*> head_{nullptr};
};

/// \brief A counted reference to an item: the item's bytes stay valid while a handle exists,
/// even if the item is deleted, replaced or evicted meanwhile.
///
/// Copying costs one atomic increment, moving nothing. The count is atomic because a handle
/// may die on another thread than the store's: with sharding, a shard's thread looks the item
/// up and the connection's thread releases it once the reply is written. The release that
/// drops the count to zero hands the chunk back through the store's ReleaseList.
class ItemHandle {
 public:
  /// \brief An empty handle (a miss).
  ItemHandle() = default;
  /// \brief Adopts one reference, already counted, to `item`.
  ItemHandle(Item* item, ReleaseList* owner) : item_(item), owner_(owner) {}
  /// \brief Shares the item: one more reference.
  ItemHandle(const ItemHandle& other) : item_(other.item_), owner_(other.owner_) {
    // Relaxed is enough: the new reference is made from an existing one, which already keeps
    // the item alive; only the final release needs to order the reads before reuse.
    if (item_) item_->refcount.fetch_add(1, std::memory_order_relaxed);
  }
  /// \brief Takes over `other`'s reference.
  ItemHandle(ItemHandle&& other) noexcept
      : item_(std::exchange(other.item_, nullptr)), owner_(other.owner_) {}
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
    // acq_rel: this thread's reads of the item happen before whoever frees the chunk reuses it.
    if (item_ && item_->refcount.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      owner_->push(item_);
    }
    item_ = nullptr;
  }
  /// \brief Exchanges two handles.
  void swap(ItemHandle& other) noexcept {
    std::swap(item_, other.item_);
    std::swap(owner_, other.owner_);
  }

  /// \brief True if the handle refers to an item (a hit).
  explicit operator bool() const { return item_ != nullptr; }
  /// \brief The key.
  std::string_view key() const { return item_->key(); }
  /// \brief The value, without "\r\n".
  std::string_view value() const { return item_->value(); }
  /// \brief The value followed by "\r\n": one gather buffer for the data line of a reply.
  std::string_view value_with_crlf() const {
    return {item_->value_data(), item_->value_length + std::size_t{2}};
  }
  /// \brief The client's flags.
  std::uint32_t flags() const { return item_->flags; }
  /// \brief The CAS unique, or 0 when the store runs with CAS disabled (as memcached -C).
  std::uint64_t cas() const { return owner_->cas_enabled ? item_->cas : 0; }
  /// \brief The expiry in clock time (0 = never); see Clock::seconds_left(). The store's
  /// thread only: touch changes it in place.
  RelTime exptime() const { return item_->exptime; }
  /// \brief The ItemState bits. The store's thread only, as exptime().
  std::uint8_t state() const { return item_->state; }
  /// \brief The item itself (for the store and for tests).
  const Item* get() const { return item_; }

 private:
  friend class Store;  // meta commands change an item's exptime and marks through its handle

  Item* item_ = nullptr;
  ReleaseList* owner_ = nullptr;
};

}  // namespace mc::server

/// \file
/// \brief One cached item as one record in a segment: a 10-byte header for the usual item
/// (more only for what it uses), the key and the value.

#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "mc/server/clock.hpp"

namespace mc::server {

static_assert(std::endian::native == std::endian::little, "item records are little-endian");

/// \brief A 32-bit reference to an item: its offset in the segment arena in steps of the
/// pool's alignment, plus one (0 is "none"). Half the size of a pointer, which matters in
/// the hash chains and the bucket array.
using ItemRef = std::uint32_t;

/// \brief The item's state bits (Item::state()).
enum ItemState : std::uint8_t {
  kItemLinked = 1,      ///< reachable from the hash table
  kItemReferenced = 2,  ///< read since it was written: a second chance when its segment goes
  kItemFetched = 4,     ///< read at least once (memcached's ITEM_FETCHED, for *_unfetched)
  kItemStale = 8,       ///< invalidated by a meta command (`md I`, `ms I`): served with X
  kItemTokenSent = 16,  ///< a client was told it won the right to recache (`mg` W)
  kItemKeyBinary = 32,  ///< stored with a base64 key (`ms b`): meta replies echo it in base64
};

/// \brief The clock time an item was last accessed, kept to 16 bits (see Item::last_access()).
using AccessTime = std::uint16_t;

/// \brief What an item is made of, to lay one out with Item::create().
struct ItemFields {
  std::string_view key;            ///< 1..250 bytes
  std::uint32_t value_length = 0;  ///< bytes of value (the caller copies them in)
  std::uint32_t flags = 0;         ///< the client's opaque flags
  RelTime exptime = 0;             ///< clock time at which it expires; 0 = never
  /// \brief A CAS unique the item must keep (it was moved or copied, not written by a
  /// client); 0 = none, and the item's CAS comes from its place (SegmentPool::unique_of()).
  std::uint64_t cas = 0;
  std::uint8_t state = 0;      ///< ItemState bits
  AccessTime last_access = 0;  ///< clock time of the last access, modulo 2^16
  /// \brief Room for an exptime even if it is 0, so that a later touch can set one in place.
  bool exptime_field = false;
};

/// \brief An item record: a fixed 9-byte header, the value's length in 1 to 4 bytes, the
/// optional fields, the key, the value.
///
/// | bytes | field |
/// | ---: | --- |
/// | 4 | `next`: the hash chain (an ItemRef) |
/// | 2 | `last_access` |
/// | 1 | `state`: ItemState bits |
/// | 1 | `layout`: how long the value's length is, which optional fields follow |
/// | 1 | `key_length` |
/// | 1–4 | `value_length` |
/// | 0 or 4 | `flags`, only if not 0 |
/// | 0 or 4 | `exptime`, only if the item expires |
/// | 0 or 8 | `cas`, only if the item must keep a unique it did not get from its place |
///
/// So a 16-byte key and a 100-byte value take 126 bytes, where memcached takes 192. There is
/// no reference count (a segment counts the replies reading any of its items), no CAS in the
/// usual item (it is computed from the item's place: see SegmentPool::unique_of()), and no
/// "\r\n" after the value (the reply adds it). The record has no alignment of its own:
/// fields are read and written with memcpy, which compiles to plain loads and stores.
///
/// The bytes a reply reads through a handle (key, value, flags) never change while the item
/// exists: the store writes a new item instead. `exptime`, `last_access` and `state` change
/// only under the lock of the item's shard.
class Item {
 public:
  /// \brief Bytes of the fixed header: next, last_access, state, layout, key_length.
  static constexpr std::size_t kHeader = 9;
  /// \brief The most bytes an item can add to its key and value.
  static constexpr std::size_t kMaxOverhead = kHeader + 4 + 4 + 4 + 8;

  /// \brief The bytes of an item with these fields and value length.
  static std::size_t size_of(const ItemFields& fields) {
    return kHeader + length_bytes(fields.value_length) + (fields.flags != 0 ? 4 : 0) +
           (fields.exptime != 0 || fields.exptime_field ? 4 : 0) + (fields.cas != 0 ? 8 : 0) +
           fields.key.size() + fields.value_length;
  }

  /// \brief The bytes of an item without flags, exptime or CAS of its own.
  static std::size_t plain_size(std::size_t key_length, std::uint32_t value_length) {
    return kHeader + length_bytes(value_length) + key_length + value_length;
  }

  /// \brief Lays out an item at `place` (size_of(fields) bytes) and returns it; the caller
  /// copies the value to value_data().
  static Item* create(void* place, const ItemFields& fields);

  /// \brief The next item in the hash chain.
  ItemRef next() const { return load<ItemRef>(kNextAt); }
  /// \brief Sets the next item in the hash chain.
  void set_next(ItemRef ref) { store(kNextAt, ref); }
  /// \brief Clock time of the last access, modulo 2^16 (18 hours): Store::idle_seconds()
  /// turns it into an age, and the background sweep keeps long-idle items from wrapping.
  AccessTime last_access() const { return load<AccessTime>(kAccessAt); }
  /// \brief Sets the time of the last access.
  void set_last_access(AccessTime time) { store(kAccessAt, time); }
  /// \brief The ItemState bits.
  std::uint8_t state() const { return raw()[kStateAt]; }
  /// \brief Sets the ItemState bits in `bits`.
  void add_state(std::uint8_t bits) { raw()[kStateAt] |= bits; }
  /// \brief Clears the ItemState bits in `bits`.
  void clear_state(std::uint8_t bits) { raw()[kStateAt] &= static_cast<std::uint8_t>(~bits); }
  /// \brief True if `bit` is set.
  bool has(ItemState bit) const { return (state() & bit) != 0; }

  /// \brief Bytes of key, 1..250.
  std::size_t key_length() const { return raw()[kKeyLengthAt]; }
  /// \brief Bytes of value.
  std::uint32_t value_length() const {
    std::uint32_t length = 0;
    std::memcpy(&length, raw() + kHeader, length_bytes());
    return length;
  }
  /// \brief The client's flags.
  std::uint32_t flags() const {
    return has_layout(kHasFlags) ? load<std::uint32_t>(flags_at()) : 0;
  }
  /// \brief Clock time at which the item expires; 0 = never.
  RelTime exptime() const { return has_layout(kHasExptime) ? load<RelTime>(exptime_at()) : 0; }
  /// \brief True if the item has room for an exptime (set_exptime() works in place).
  bool has_exptime_field() const { return has_layout(kHasExptime); }
  /// \brief Sets the exptime; only if has_exptime_field().
  void set_exptime(RelTime exptime) { store(exptime_at(), exptime); }
  /// \brief The CAS unique the item carries itself, or 0 if it takes it from its place.
  std::uint64_t own_cas() const { return has_layout(kHasCas) ? load<std::uint64_t>(cas_at()) : 0; }

  /// \brief First byte of the key.
  const char* key_data() const { return reinterpret_cast<const char*>(raw()) + key_at(); }
  /// \brief First byte of the value (right after the key).
  char* value_data() { return reinterpret_cast<char*>(raw()) + key_at() + key_length(); }
  /// \brief First byte of the value (right after the key).
  const char* value_data() const { return key_data() + key_length(); }
  /// \brief The key.
  std::string_view key() const { return {key_data(), key_length()}; }
  /// \brief The value.
  std::string_view value() const { return {value_data(), value_length()}; }
  /// \brief The bytes of the whole record (what `stats` counts as the item's size).
  std::size_t total_size() const { return key_at() + key_length() + value_length(); }
  /// \brief The item's fields, to lay out a copy (the key views this item).
  ItemFields fields() const;

 private:
  //! [item-fields]
  // The layout byte: how many bytes the value's length takes (minus one), and which of the
  // optional fields follow it, in this order.
  enum Layout : std::uint8_t { kLengthBytes = 3, kHasFlags = 4, kHasExptime = 8, kHasCas = 16 };
  static constexpr std::size_t kNextAt = 0;
  static constexpr std::size_t kAccessAt = 4;
  static constexpr std::size_t kStateAt = 6;
  static constexpr std::size_t kLayoutAt = 7;
  static constexpr std::size_t kKeyLengthAt = 8;

  static std::size_t length_bytes(std::uint32_t length) {
    return length < (1u << 8) ? 1 : length < (1u << 16) ? 2 : length < (1u << 24) ? 3 : 4;
  }
  bool has_layout(Layout bit) const { return (raw()[kLayoutAt] & bit) != 0; }
  std::size_t length_bytes() const { return (raw()[kLayoutAt] & kLengthBytes) + std::size_t{1}; }
  std::size_t flags_at() const { return kHeader + length_bytes(); }
  std::size_t exptime_at() const { return flags_at() + (has_layout(kHasFlags) ? 4 : 0); }
  std::size_t cas_at() const { return exptime_at() + (has_layout(kHasExptime) ? 4 : 0); }
  std::size_t key_at() const { return cas_at() + (has_layout(kHasCas) ? 8 : 0); }
  //! [item-fields]

  // The record's bytes, from the header's first. Through this pointer rather than the member
  // array, since the record goes on past the header.
  unsigned char* raw() { return reinterpret_cast<unsigned char*>(this); }
  const unsigned char* raw() const { return reinterpret_cast<const unsigned char*>(this); }

  template <typename T>
  T load(std::size_t at) const {
    T value;
    std::memcpy(&value, raw() + at, sizeof value);
    return value;
  }
  template <typename T>
  void store(std::size_t at, T value) {
    std::memcpy(raw() + at, &value, sizeof value);
  }

  // The header; the rest of the record follows it in the segment.
  unsigned char header_[kHeader];
};
static_assert(sizeof(Item) == Item::kHeader && alignof(Item) == 1,
              "an item is a record of bytes, placed at any even offset of a segment");

}  // namespace mc::server

/// \file
/// \brief What the store's calls take and return: its settings, the modes and results of the
/// storage commands, and the options and outcomes of the meta commands' building blocks.

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "mc/codec/limits.hpp"
#include "mc/server/clock.hpp"
#include "mc/server/item.hpp"
#include "mc/server/item_handle.hpp"

namespace mc::server {

// memcached's domain limits are defined once, in mc::codec (the lower layer), and named here.
using codec::kMaxKeyLength;
using codec::max_value_size;

/// \brief The store's settings, from memcached's command-line flags.
struct StoreOptions {
  std::size_t memory_limit = std::size_t{64} << 20;  ///< `-m`, in bytes
  std::size_t item_size_max = std::size_t{1} << 20;  ///< `-I`, in bytes
  bool cas_enabled = true;                           ///< false with `-C`
  bool evictions = true;  ///< false with `-M`: answer out of memory rather than evict live items
};

/// \brief The most bytes one item can take in a segment under `options`, its alignment
/// included: memcached's limit caps key and value together, so the largest item has a 1-byte
/// key.
constexpr std::size_t largest_item_footprint(const StoreOptions& options) {
  constexpr std::size_t kMostPadding = 16;
  return Item::kMaxOverhead + 1 + max_value_size(options.item_size_max, 1, 0, false) + kMostPadding;
}

/// \brief Which storage command.
enum class StoreMode { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };

/// \brief What a storage command did; the handler maps it to memcached's reply line.
enum class StoreResult {
  kStored,       ///< STORED
  kNotStored,    ///< NOT_STORED (add of a present key, replace/append/prepend of a missing one)
  kExists,       ///< EXISTS (cas with a stale unique)
  kNotFound,     ///< NOT_FOUND (cas of a missing key)
  kTooLarge,     ///< SERVER_ERROR object too large for cache (set also deleted the old item)
  kOutOfMemory,  ///< SERVER_ERROR out of memory storing object (set also deleted the old item)
};

/// \brief The item state bits the store keeps for its caller without reading them: the meta
/// commands' stale, recache-token and base64-key marks, whose rules live in the handler
/// (handler_meta.cpp, meta_update.cpp). A copy of an item (incr, invalidation) keeps them.
inline constexpr std::uint8_t kCallerMarks = kItemStale | kItemTokenSent | kItemKeyBinary;

/// \brief What a storage command sets on the item it stores, besides key, value and flags.
struct StoreMarks {
  std::uint8_t set = 0;  ///< kCallerMarks bits for the new item (`ms b` sets kItemKeyBinary)
  /// \brief An exptime already in clock time, used instead of the client's (a late `ms I`
  /// write keeps the stale item's).
  std::optional<RelTime> exptime = {};
};

/// \brief A storage command's result and the new item's CAS unique (0 unless stored).
struct StoreOutcome {
  StoreResult result = StoreResult::kNotStored;  ///< what happened
  std::uint64_t cas = 0;                         ///< CAS unique of the stored item
};

/// \brief What incr/decr did.
enum class DeltaResult {
  kOk,           ///< the new value is in DeltaOutcome::value
  kNotFound,     ///< NOT_FOUND
  kNonNumeric,   ///< CLIENT_ERROR cannot increment or decrement non-numeric value
  kExists,       ///< a CAS was given (meta arithmetic) and did not match
  kOutOfMemory,  ///< SERVER_ERROR out of memory (the longer value needed a new item)
};

/// \brief An incr/decr result, the new value and its CAS unique.
struct DeltaOutcome {
  DeltaResult result = DeltaResult::kNotFound;  ///< what happened
  std::uint64_t value = 0;                      ///< the new value (kOk only)
  std::uint64_t cas = 0;                        ///< the item's new CAS unique (kOk only)
};

/// \brief How a meta get (`mg`) takes the item.
struct MetaGetOptions {
  bool bump = true;     ///< false with `u`: the access leaves no trace (no fetched bit, no time)
  bool touch = false;   ///< `T` was given: a hit counts as a touch, as memcached counts it
  bool vivify = false;  ///< `N`: a miss creates an empty item (the caller sets its exptime)
};

/// \brief What a meta get found, and what the item looked like before this access.
struct MetaGetOutcome {
  ItemHandle item;                 ///< the item, empty on a miss
  bool created = false;            ///< `N` created it just now
  bool fetched_before = false;     ///< it had been read before (`h`)
  std::uint32_t idle_seconds = 0;  ///< seconds since its previous access (`l`)
};

/// \brief How a meta delete (`md`) goes about it.
struct MetaDeleteOptions {
  std::optional<std::uint64_t> cas = {};  ///< `C`: delete only if the CAS unique matches
  /// \brief Instead of deleting, keep the item under a new CAS unique (on a copy if a reply
  /// still reads it), with the marks below; `md I` marks it stale this way.
  bool invalidate = false;
  std::uint8_t set_marks = 0;           ///< with `invalidate`: kCallerMarks bits to set
  std::uint8_t clear_marks = 0;         ///< with `invalidate`: kCallerMarks bits to clear
  std::optional<RelTime> exptime = {};  ///< with `invalidate`: the item's new exptime (`T`)
};

/// \brief What a meta delete did.
enum class MetaDeleteResult {
  kDone,         ///< deleted, or marked stale (HD)
  kNotFound,     ///< NF
  kExists,       ///< the CAS unique did not match (EX)
  kOutOfMemory,  ///< marking needed a copy (a reply still reads the item) and no room was left
};

/// \brief How a meta arithmetic command (`ma`) changes a counter.
struct MetaDeltaOptions {
  bool incr = true;           ///< `MI` (the default) or `MD`
  std::uint64_t delta = 1;    ///< `D`
  std::uint64_t cas = 0;      ///< `C`; 0 compares nothing, as memcached's do_add_delta
  bool vivify = false;        ///< `N`: a miss creates the counter with `initial`
  std::uint64_t initial = 0;  ///< `J`
};

/// \brief A meta arithmetic result: DeltaOutcome plus the item, for the reply's flags.
struct MetaDeltaOutcome {
  DeltaResult result = DeltaResult::kNotFound;  ///< what happened
  std::uint64_t value = 0;                      ///< the counter's new value (kOk only)
  ItemHandle item;                              ///< the counter (kOk only)
  bool created = false;                         ///< `N` created it with the initial value
  bool vivify_failed = false;                   ///< kOutOfMemory while creating it
};

/// \brief An item's metadata, as `me` and the key dumps print it.
struct ItemInfo {
  std::string_view key;            ///< valid while the item is held (a handle, or the visit)
  std::uint32_t value_length = 0;  ///< bytes of value
  RelTime exptime = 0;             ///< clock time; 0 = never
  std::uint32_t idle_seconds = 0;  ///< seconds since the last access
  std::uint64_t cas = 0;           ///< CAS unique (0 with CAS disabled)
  bool fetched = false;            ///< read at least once
  bool key_binary = false;         ///< stored with a base64 key
  int slab_class = 0;    ///< memcached's size class for this size, from 0 (printed from 1)
  std::size_t size = 0;  ///< header + key + value + "\r\n", memcached's ITEM_ntotal
};

}  // namespace mc::server

// What the meta commands need from the store beyond the classic commands: a get that reports
// the item's state before the access and can create the item, a delete that can mark stale
// instead, an incr/decr that can create its counter, and the metadata `me` and the dumps read.
#include <charconv>
#include <cstring>

#include "mc/server/store.hpp"

namespace mc::server {

namespace {
bool valid_key(std::string_view key) { return !key.empty() && key.size() <= kMaxKeyLength; }
}  // namespace

//! [meta-get]
MetaGetOutcome Store::meta_get(std::string_view key, const MetaGetOptions& options) {
  MetaGetOutcome outcome;
  const Lookup found = valid_key(key) ? lookup(key) : Lookup{};
  Item* item = found.chunk.item;
  if (item == nullptr && options.vivify && valid_key(key)) {
    // The miss creates an empty placeholder: this client is told it won (W) and should
    // fill it; the others find the placeholder and are told someone already did (Z).
    item = create(key, {}, found.hash);
    outcome.created = item != nullptr;
  }
  // memcached counts a created item as a hit, and a miss as a get miss even with T.
  if (item == nullptr) {
    ++stats_.cmd_get;
    ++stats_.get_misses;
    return outcome;
  }
  if (options.touch) {
    ++stats_.cmd_touch;
    ++stats_.touch_hits;
  } else {
    ++stats_.cmd_get;
    ++stats_.get_hits;
  }
  // Read before the bump, so that `h` and `l` describe the previous access, not this one.
  outcome.fetched_before = (item->state & kItemFetched) != 0;
  outcome.idle_seconds = idle_seconds(*item);
  if (options.bump) bump(*item);
  outcome.item = handle_to(item);
  return outcome;
}
//! [meta-get]

//! [meta-delete]
MetaDeleteResult Store::meta_delete(std::string_view key, const MetaDeleteOptions& options) {
  const Lookup found = valid_key(key) ? lookup(key) : Lookup{};
  Item* item = found.chunk.item;
  if (item == nullptr) {
    ++stats_.delete_misses;
    return MetaDeleteResult::kNotFound;
  }
  if (options.cas && (options_.cas_enabled ? item->cas : 0) != *options.cas) {
    ++stats_.delete_misses;  // as memcached counts it
    return MetaDeleteResult::kExists;
  }
  if (!options.invalidate) {
    ++stats_.delete_hits;
    unlink(found.chunk, found.hash);
    return MetaDeleteResult::kDone;
  }
  // Invalidation keeps the value but gives it a new CAS unique, so that only a writer who read
  // the stale version can replace it. A handle's CAS may not change under a reply that reads
  // it: in place only if the table holds the sole reference, else on a copy.
  if (item->refcount.load(std::memory_order_acquire) == 1) {
    item->cas = pool_.next_cas();
  } else {
    item->refcount.fetch_add(1, std::memory_order_relaxed);  // pinned while we allocate
    const Chunk copy = allocate(key, item->value_length, item->flags, item->exptime);
    if (copy.item != nullptr) {
      std::memcpy(copy.item->value_data(), item->value_data(), item->value_length);
      copy.item->state = item->state & (kItemFetched | kItemReferenced | kCallerMarks);
      link_or_replace(found.chunk, copy, found.hash);
      copy.item->last_access = item->last_access;  // invalidating is not an access
    }
    release(item);
    if (copy.item == nullptr) return MetaDeleteResult::kOutOfMemory;
    item = copy.item;
  }
  if (options.exptime) expire_at(*item, *options.exptime);
  item->state = static_cast<std::uint8_t>((item->state | (options.set_marks & kCallerMarks)) &
                                          ~(options.clear_marks & kCallerMarks));
  return MetaDeleteResult::kDone;
}
//! [meta-delete]

MetaDeltaOutcome Store::meta_delta(std::string_view key, const MetaDeltaOptions& options) {
  MetaDeltaOutcome outcome;
  if (options.vivify && valid_key(key)) {
    const Lookup found = lookup(key);
    if (found.chunk.item == nullptr) {
      // As memcached: the counter starts at the initial value, the delta is not applied.
      char digits[20];
      const auto end = std::to_chars(digits, digits + sizeof digits, options.initial).ptr;
      Item* item =
          create(key, std::string_view(digits, static_cast<std::size_t>(end - digits)), found.hash);
      if (item == nullptr) {
        outcome.result = DeltaResult::kOutOfMemory;
        outcome.vivify_failed = true;
        return outcome;
      }
      outcome.result = DeltaResult::kOk;
      outcome.value = options.initial;
      outcome.item = handle_to(item);
      outcome.created = true;
      return outcome;
    }
  }
  const DeltaOutcome changed = delta(key, options.incr, options.delta, options.cas);
  outcome.result = changed.result;
  outcome.value = changed.value;
  if (changed.result == DeltaResult::kOk) {
    // The counter is linked and live: delta() just wrote it (in place or as a new item).
    outcome.item = handle_to(table_.find(key, HashTable::hash(key)).item);
  }
  return outcome;
}

ItemHandle Store::peek(std::string_view key) {
  const Lookup found = valid_key(key) ? lookup(key) : Lookup{};
  return found.chunk.item != nullptr ? handle_to(found.chunk.item) : ItemHandle{};
}

ItemInfo Store::describe(const Item& item) const {
  ItemInfo info;
  info.key = item.key();
  info.value_length = item.value_length;
  info.exptime = item.exptime;
  info.idle_seconds = idle_seconds(item);
  info.cas = options_.cas_enabled ? item.cas : 0;
  info.fetched = (item.state & kItemFetched) != 0;
  info.key_binary = (item.state & kItemKeyBinary) != 0;
  info.slab_class = SizeClasses::of(item.total_size());
  info.size = item.total_size();
  return info;
}

}  // namespace mc::server

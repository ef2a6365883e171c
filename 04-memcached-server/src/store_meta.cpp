// What the meta commands need from the store beyond the classic commands: a get that reports
// the item's state before the access and can create the item, a delete that can mark stale
// instead, an incr/decr that can create its counter, and the metadata `me` and the dumps read.
#include <charconv>
#include <cstring>

#include "mc/server/store.hpp"

namespace mc::server {

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
  outcome.fetched_before = item->has(kItemFetched);
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
  if (options.cas && cas_of(*item) != *options.cas) {
    ++stats_.delete_misses;  // as memcached counts it
    return MetaDeleteResult::kExists;
  }
  if (!options.invalidate) {
    ++stats_.delete_hits;
    unlink(found.chunk, found.hash);
    return MetaDeleteResult::kDone;
  }
  // Invalidation keeps the value but gives it a new CAS unique, so that only a writer who read
  // the stale version can replace it: a copy, in a new place, with room for the exptime.
  const ItemHandle pinned = handle_to(item);  // while we allocate
  ItemFields fields = item->fields();
  fields.cas = 0;
  fields.exptime_field = true;
  fields.state &= kItemFetched | kItemReferenced | kCallerMarks;
  const Chunk copy = allocate(fields);
  if (copy.item == nullptr) return MetaDeleteResult::kOutOfMemory;
  std::memcpy(copy.item->value_data(), item->value_data(), item->value_length());
  link_or_replace(found.chunk, copy, found.hash);
  copy.item->set_last_access(fields.last_access);  // invalidating is not an access
  if (options.exptime) expire_at(*copy.item, *options.exptime);
  copy.item->add_state(options.set_marks & kCallerMarks);
  copy.item->clear_state(options.clear_marks & kCallerMarks);
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

void Store::set_exptime(ItemHandle& item, RelTime exptime) {
  Item& current = *item.item_;
  if (current.has_exptime_field() || exptime == 0 || !is_linked(current)) {
    expire_at(current, exptime);
    return;
  }
  // No room for an exptime: a copy with room, which keeps the CAS unique (a touch is not a
  // change). If there is no memory for it, the item keeps its old exptime, as it would if
  // evicted a moment later.
  const Chunk copy = copy_of(current, exptime);
  if (copy.item == nullptr) return;
  // Making room may have evicted the item itself (the handle keeps its bytes, not its place):
  // then the copy is linked anew, as the touch asked for it to live on.
  link_or_replace({&current, pool_.ref_of(&current)}, copy, HashTable::hash(current.key()));
  copy.item->set_last_access(current.last_access());
  item = handle_to(copy.item);
}

ItemHandle Store::peek(std::string_view key) {
  const Lookup found = valid_key(key) ? lookup(key) : Lookup{};
  return found.chunk.item != nullptr ? handle_to(found.chunk.item) : ItemHandle{};
}

ItemInfo Store::describe(const Item& item) const {
  ItemInfo info;
  info.key = item.key();
  info.value_length = item.value_length();
  info.exptime = item.exptime();
  info.idle_seconds = idle_seconds(item);
  info.cas = cas_of(item);
  info.fetched = item.has(kItemFetched);
  info.key_binary = item.has(kItemKeyBinary);
  info.slab_class = SizeClasses::of(item.total_size());
  info.size = item.total_size();
  return info;
}

}  // namespace mc::server

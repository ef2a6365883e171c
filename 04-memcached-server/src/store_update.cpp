// The write paths: memcached's storage commands and incr/decr.
#include <charconv>
#include <cstring>

#include "mc/server/store.hpp"

namespace mc::server {

namespace {

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

//! [parse-counter]
// memcached reads a counter with strtoull() and then rejects what it cannot trust. We follow
// it exactly, quirks included: leading whitespace and a sign are accepted ("-0" is 0, and
// "-18446744073709551615" is 1, as strtoull negates), the digits must end at whitespace or at
// the value's end (the stored "\r\n"), and a negative number that needed the sign is refused.
bool parse_counter(std::string_view text, std::uint64_t& out) {
  std::size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  const std::size_t first_digit = i;
  std::uint64_t value = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;  // strtoull's ERANGE
    value = value * 10 + digit;
  }
  if (i == first_digit) return false;                       // no digits at all
  if (i < text.size() && !is_space(text[i])) return false;  // "12abc"
  if (negative) value = 0 - value;
  if (negative && static_cast<std::int64_t>(value) < 0) return false;
  out = value;
  return true;
}
//! [parse-counter]

}  // namespace

//! [store]
StoreOutcome Store::store(StoreMode mode, std::string_view key, std::string_view value,
                          std::uint32_t flags, std::int64_t exptime, std::uint64_t cas,
                          const StoreMarks& marks) {
  if (!valid_key(key)) return {StoreResult::kNotStored};
  if (value.size() > max_value_size(key.size(), flags)) {
    // memcached drops the old value on a failed set, so a reader never sees stale data that
    // the client believes replaced; the other commands leave it alone.
    if (mode == StoreMode::kSet) remove_quietly(key);
    return {StoreResult::kTooLarge};
  }
  ++stats_.cmd_set;
  const Lookup old = lookup(key);
  Item* current = old.chunk.item;
  const auto current_cas = [&] { return cas_of(*current); };
  switch (mode) {
    case StoreMode::kSet:
      break;
    case StoreMode::kAdd:
      if (current != nullptr) return {StoreResult::kNotStored};
      break;
    case StoreMode::kReplace:
    case StoreMode::kAppend:
    case StoreMode::kPrepend:
      if (current == nullptr) return {StoreResult::kNotStored};
      if (cas != 0 && current_cas() != cas) return {StoreResult::kExists};
      break;
    case StoreMode::kCas:
      if (current == nullptr) {
        ++stats_.cas_misses;
        return {StoreResult::kNotFound};
      }
      if (current_cas() != cas) {
        ++stats_.cas_badval;
        return {StoreResult::kExists};
      }
      break;
  }

  // Pin the old item: making room for the new one may evict it, but its bytes stay readable.
  const ItemHandle pinned = current != nullptr ? handle_to(current) : ItemHandle{};
  Chunk fresh;
  if (mode == StoreMode::kAppend || mode == StoreMode::kPrepend) {
    // The result keeps the old flags and exptime; if it would be too large, NOT_STORED.
    const std::size_t length = std::size_t{current->value_length()} + value.size();
    if (length <= max_value_size(key.size(), current->flags())) {
      fresh = allocate({.key = key,
                        .value_length = static_cast<std::uint32_t>(length),
                        .flags = current->flags(),
                        .exptime = current->exptime()});
    }
    if (fresh.item != nullptr) {
      const std::string_view first = mode == StoreMode::kAppend ? current->value() : value;
      const std::string_view second = mode == StoreMode::kAppend ? value : current->value();
      std::memcpy(fresh.item->value_data(), first.data(), first.size());
      std::memcpy(fresh.item->value_data() + first.size(), second.data(), second.size());
    }
  } else {
    fresh = allocate({.key = key,
                      .value_length = static_cast<std::uint32_t>(value.size()),
                      .flags = flags,
                      .exptime = marks.exptime ? *marks.exptime : clock_.exptime_to_rel(exptime)});
    if (fresh.item != nullptr) std::memcpy(fresh.item->value_data(), value.data(), value.size());
  }

  StoreOutcome outcome{StoreResult::kStored};
  if (fresh.item == nullptr) {
    const bool appending = mode == StoreMode::kAppend || mode == StoreMode::kPrepend;
    outcome.result = appending ? StoreResult::kNotStored : StoreResult::kOutOfMemory;
    // A failed set drops the old value, wherever making room may have moved it.
    if (mode == StoreMode::kSet) {
      if (const Chunk linked = table_.find(key, old.hash); linked.item != nullptr) {
        unlink(linked, old.hash);
      }
    }
  } else {
    if (mode == StoreMode::kCas) ++stats_.cas_hits;
    fresh.item->add_state(marks.set & kCallerMarks);
    link_or_replace(current != nullptr ? old.chunk : Chunk{}, fresh, old.hash);
    ++stats_.total_items;
    outcome.cas = cas_of(*fresh.item);
  }
  return outcome;
}
//! [store]

void Store::remove_quietly(std::string_view key) {
  const Lookup found = lookup(key);
  if (found.chunk.item != nullptr) unlink(found.chunk, found.hash);
}

//! [delta]
DeltaOutcome Store::delta(std::string_view key, bool incr, std::uint64_t amount,
                          std::uint64_t cas) {
  const Lookup found = valid_key(key) ? lookup(key) : Lookup{};
  Item* item = found.chunk.item;
  if (item == nullptr) {
    ++(incr ? stats_.incr_misses : stats_.decr_misses);
    return {DeltaResult::kNotFound};
  }
  if (cas != 0 && cas_of(*item) != cas) return {DeltaResult::kExists};
  std::uint64_t value = 0;
  if (!parse_counter(item->value(), value)) return {DeltaResult::kNonNumeric};
  ++(incr ? stats_.incr_hits : stats_.decr_hits);
  // incr wraps around 2^64; decr stops at 0 (protocol.txt, "Increment/Decrement").
  value = incr ? value + amount : (amount > value ? 0 : value - amount);

  // A new item, always: the old one may be in a reply, and a new place is a new CAS unique.
  // Like memcached, a result that fits keeps the old length, padded with spaces ("100" decr 1
  // reads back as "99 "), as memcached's in-place write leaves it.
  char digits[20];
  const auto length =
      static_cast<std::size_t>(std::to_chars(digits, digits + 20, value).ptr - digits);
  // memcached writes in place if the result fits and no reply holds the item (we know only
  // whether one holds an item of its segment); else it makes a new item of the exact length.
  const bool fits = length <= item->value_length() && pool_.unread(pool_.segment_of(item));
  const ItemHandle pinned = handle_to(item);  // while we allocate
  ItemFields fields = item->fields();
  fields.value_length = static_cast<std::uint32_t>(fits ? item->value_length() : length);
  fields.cas = 0;
  // In place, memcached keeps the item's marks and access time; a new item starts afresh.
  fields.state = static_cast<std::uint8_t>(fields.state & (fits ? ~kItemLinked : kItemKeyBinary));
  const Chunk fresh = allocate(fields);
  if (fresh.item == nullptr) return {DeltaResult::kOutOfMemory};
  std::memcpy(fresh.item->value_data(), digits, length);
  std::memset(fresh.item->value_data() + length, ' ', fields.value_length - length);
  link_or_replace(found.chunk, fresh, found.hash);
  if (fits) {
    fresh.item->set_last_access(fields.last_access);
  } else {
    ++stats_.total_items;  // memcached links a new item
  }
  return {DeltaResult::kOk, value, cas_of(*fresh.item)};
}
//! [delta]

}  // namespace mc::server

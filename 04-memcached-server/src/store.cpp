// The store's lookups, expiry, flush_all and statistics. The write paths (storage commands,
// incr/decr) are in store_update.cpp, memory (allocation, eviction, linking) in store_memory.cpp.
#include "mc/server/store.hpp"

namespace mc::server {

namespace {
bool valid_key(std::string_view key) { return !key.empty() && key.size() <= kMaxKeyLength; }

}  // namespace

Store::Store(const StoreOptions& options, const Clock& clock)
    : options_(options),
      clock_(clock),
      own_pool_(
          std::make_unique<SegmentPool>(options.memory_limit, largest_item_footprint(options))),
      pool_(*own_pool_),
      table_(pool_),
      class_stats_(SizeClasses::kCount) {
  released_.cas_enabled = options.cas_enabled;
}

Store::Store(const StoreOptions& options, const Clock& clock, SegmentPool& pool)
    : options_(options),
      clock_(clock),
      pool_(pool),
      table_(pool_),
      class_stats_(SizeClasses::kCount) {
  released_.cas_enabled = options.cas_enabled;
}

Store::~Store() {
  free_released();
  pool_.release_all_of(this);
}

bool Store::is_dead(const Item& item) const {
  // Flushed: stored before the last flush_all took effect (see flush_all()).
  if (item.cas < oldest_live_cas_) return true;
  return item.exptime != 0 && item.exptime <= clock_.now();
}

void Store::apply_pending_flush() {
  if (pending_flush_ != 0 && pending_flush_ <= clock_.now()) {
    oldest_live_cas_ = pool_.last_cas() + 1;
    pending_flush_ = 0;
  }
}

Store::Lookup Store::lookup(std::string_view key) {
  apply_pending_flush();
  Lookup result;
  result.hash = HashTable::hash(key);
  const Chunk chunk = table_.find(key, result.hash);
  if (chunk.item == nullptr) return result;
  // Lazy expiry: a dead item is removed by whoever finds it. memcached counts these on every
  // kind of lookup, not only on get.
  if (chunk.item->cas < oldest_live_cas_) {
    ++stats_.get_flushed;
    result.miss = Miss::kFlushed;
    unlink(chunk, result.hash);
  } else if (is_dead(*chunk.item)) {
    ++stats_.get_expired;
    result.miss = Miss::kExpired;
    unlink(chunk, result.hash);
  } else {
    result.chunk = chunk;
    result.miss = Miss::kNone;
  }
  return result;
}

ItemHandle Store::handle_to(Item* item) {
  // The store's thread may count up without ordering: the item cannot be freed meanwhile.
  item->refcount.fetch_add(1, std::memory_order_relaxed);
  return ItemHandle(item, &released_);
}

//! [get]
void Store::prefetch(std::string_view key, int stage) const {
  const std::uint64_t hash = HashTable::hash(key);
  if (stage == 0) {
    table_.prefetch_bucket(hash);
  } else {
    table_.prefetch_first_item(hash);
  }
}

ItemHandle Store::get(std::string_view key) {
  ++stats_.cmd_get;
  if (!valid_key(key)) {
    ++stats_.get_misses;
    return {};
  }
  const Lookup found = lookup(key);
  if (found.chunk.item == nullptr) {
    ++stats_.get_misses;
    return {};
  }
  ++stats_.get_hits;
  bump(*found.chunk.item);
  return handle_to(found.chunk.item);
}
//! [get]

void Store::bump(Item& item) {
  // The CLOCK bit and the access time: the one write a hit makes, to a cache line the key
  // compare has just read.
  item.state |= kItemReferenced | kItemFetched;
  item.last_access = static_cast<AccessTime>(clock_.now());
  pool_.count_hit(pool_.segment_of(&item));
}

ItemHandle Store::gat(std::string_view key, std::int64_t exptime) {
  ++stats_.cmd_touch;
  const Lookup found = valid_key(key) ? lookup(key) : Lookup{};
  if (found.chunk.item == nullptr) {
    ++stats_.touch_misses;
    return {};
  }
  ++stats_.touch_hits;
  Item* item = found.chunk.item;
  expire_at(*item, clock_.exptime_to_rel(exptime));
  bump(*item);
  return handle_to(item);
}

bool Store::touch(std::string_view key, std::int64_t exptime) { return bool(gat(key, exptime)); }

bool Store::remove(std::string_view key) {
  const Lookup found = valid_key(key) ? lookup(key) : Lookup{};
  if (found.chunk.item == nullptr) {
    ++stats_.delete_misses;
    return false;
  }
  ++stats_.delete_hits;
  unlink(found.chunk, found.hash);
  return true;
}

//! [flush-all]
void Store::flush_all(std::int64_t delay) {
  // memcached 1.6: items stored up to one second before realtime(delay) are invalid once the
  // clock gets there; a delay of 0 or 1 means now. We mark the moment by the CAS counter, so
  // an item needs no timestamp of its own: everything stored before the flush takes effect
  // has a smaller CAS unique.
  const RelTime at = (delay > 0 ? clock_.exptime_to_rel(delay) : clock_.now()) - 1;
  pending_flush_ = at;
  // memcached takes a time that maps to 0 (an absolute time already past) as "no flush".
  if (at == 0) return;
  apply_pending_flush();
}
//! [flush-all]

std::size_t Store::expire_some(std::size_t max_items) {
  apply_pending_flush();
  free_released();
  std::size_t work = 0;
  std::size_t removed = 0;
  const std::size_t buckets = table_.bucket_count();
  for (std::size_t visited = 0; work < max_items && visited < buckets; ++visited) {
    sweep_scratch_.clear();
    table_.collect_bucket(sweep_bucket_ & (table_.bucket_count() - 1), sweep_scratch_);
    sweep_bucket_ = (sweep_bucket_ + 1) & (table_.bucket_count() - 1);
    work += 1 + sweep_scratch_.size();
    stats_.crawler_items_checked += sweep_scratch_.size();
    for (const Chunk& chunk : sweep_scratch_) {
      Item& item = *chunk.item;
      if (!is_dead(item)) {
        keep_idle_time(item);
        continue;
      }
      count_reclaimed(item, /*crawling=*/true);
      unlink(chunk, HashTable::hash(item.key()));
      ++removed;
    }
  }
  return removed;
}

void Store::keep_idle_time(Item& item) const {
  // The access time has 16 bits, so an age read modulo 2^16 would restart at 0 after 18
  // hours. The sweep passes every item far more often than that and holds long-idle ones at
  // 2^15 seconds: `mg l` and `me la=` then report about 9 hours for anything idle longer.
  constexpr std::uint32_t kLongIdle = 1u << 15;
  if (idle_seconds(item) > kLongIdle) {
    item.last_access = static_cast<AccessTime>(clock_.now() - kLongIdle);
  }
}

std::vector<SlabClassStats> Store::slab_stats() const {
  std::vector<SlabClassStats> result = class_stats_;
  for (std::size_t i = 0; i < result.size(); ++i) {
    result[i].slab.chunk_size = SizeClasses::chunk_size(i);
    result[i].slab.chunks_per_page =
        static_cast<std::uint32_t>(SizeClasses::kPageSize / result[i].slab.chunk_size);
  }
  return result;
}

void Store::reset_stats() {
  const StoreStats gauges = stats_;
  stats_ = StoreStats{};
  stats_.curr_items = gauges.curr_items;
  stats_.bytes = gauges.bytes;
  for (SlabClassStats& cls : class_stats_) {
    SlabClassStats fresh;
    fresh.number = cls.number;
    fresh.mem_requested = cls.mem_requested;
    cls = fresh;
  }
}

}  // namespace mc::server

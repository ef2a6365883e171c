// The store's lookups, expiry, flush_all and statistics. The write paths (storage commands,
// incr/decr) are in store_update.cpp, memory (allocation, eviction, linking) in store_memory.cpp.
#include "mc/server/store.hpp"

namespace mc::server {

Store::Store(const StoreOptions& options, const Clock& clock)
    : options_(options),
      clock_(clock),
      own_pool_(std::make_unique<SegmentPool>(options.memory_limit, largest_item_footprint(options),
                                              options.cas_enabled)),
      pool_(*own_pool_),
      table_(pool_),
      class_stats_(SizeClasses::kCount) {}

Store::Store(const StoreOptions& options, const Clock& clock, SegmentPool& pool)
    : options_(options),
      clock_(clock),
      pool_(pool),
      table_(pool_),
      class_stats_(SizeClasses::kCount) {}

Store::~Store() { pool_.release_all_of(this); }

bool Store::is_dead(const Item& item) const {
  // Flushed: stored before the last flush_all took effect (see flush_all()).
  if (is_flushed(item)) return true;
  const RelTime exptime = item.exptime();
  return exptime != 0 && exptime <= clock_.now();
}

void Store::apply_pending_flush() {
  if (pending_flush_ != 0 && pending_flush_ <= clock_.now()) {
    oldest_live_cas_ = pool_.last_cas() + 1;
    pending_flush_ = 0;
    // The active segments' items take their uniques from ranges handed out before the flush:
    // they are all flushed, and the items written next must come after the flush.
    // So they are sealed (their items go as they are found, swept or evicted), or restarted
    // with a fresh range if empty.
    for (Lane lane = 0; lane < kLanes; ++lane) {
      const SegmentId id = active_[lane];
      if (id == kNoSegment) continue;
      if (pool_.segment(id).used == 0 && pool_.unread(id)) {
        pool_.restart(id);
      } else {
        seal_active(lane);
      }
    }
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
  if (is_flushed(*chunk.item)) {
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
  pool_.add_reader(item);
  return ItemHandle(item, &pool_);
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
  item.add_state(kItemReferenced | kItemFetched);
  item.set_last_access(static_cast<AccessTime>(clock_.now()));
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
  ItemHandle item = handle_to(found.chunk.item);
  set_exptime(item, clock_.exptime_to_rel(exptime));
  bump(*item.item_);
  return item;
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
  std::size_t work = 0;
  std::size_t removed = 0;
  const std::size_t buckets = table_.bucket_count();
  for (std::size_t visited = 0; work < max_items && visited < buckets; ++visited) {
    sweep_scratch_.clear();
    if (sweep_bucket_ >= buckets) sweep_bucket_ = 0;  // the table grew or is new
    table_.collect_bucket(sweep_bucket_++, sweep_scratch_);
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
    item.set_last_access(static_cast<AccessTime>(clock_.now() - kLongIdle));
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

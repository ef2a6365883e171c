#include "mc/server/store_stats.hpp"

namespace mc::server {

StoreStats& StoreStats::operator+=(const StoreStats& other) {
  curr_items += other.curr_items;
  bytes += other.bytes;
  total_items += other.total_items;
  cmd_get += other.cmd_get;
  cmd_set += other.cmd_set;
  cmd_touch += other.cmd_touch;
  get_hits += other.get_hits;
  get_misses += other.get_misses;
  get_expired += other.get_expired;
  get_flushed += other.get_flushed;
  delete_hits += other.delete_hits;
  delete_misses += other.delete_misses;
  incr_hits += other.incr_hits;
  incr_misses += other.incr_misses;
  decr_hits += other.decr_hits;
  decr_misses += other.decr_misses;
  cas_hits += other.cas_hits;
  cas_misses += other.cas_misses;
  cas_badval += other.cas_badval;
  touch_hits += other.touch_hits;
  touch_misses += other.touch_misses;
  evictions += other.evictions;
  evicted_unfetched += other.evicted_unfetched;
  expired_unfetched += other.expired_unfetched;
  reclaimed += other.reclaimed;
  crawler_reclaimed += other.crawler_reclaimed;
  crawler_items_checked += other.crawler_items_checked;
  slabs_moved += other.slabs_moved;
  segments_evicted += other.segments_evicted;
  items_kept += other.items_kept;
  return *this;
}

}  // namespace mc::server

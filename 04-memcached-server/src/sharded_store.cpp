#include "mc/server/sharded_store.hpp"

#include <algorithm>
#include <functional>

namespace mc::server {

ShardedStore::ShardedStore(const StoreOptions& options, const Clock& clock, std::size_t shards)
    : pool_(options.memory_limit, largest_item_footprint(options), options.cas_enabled) {
  for (std::size_t i = 0; i < std::max<std::size_t>(shards, 1); ++i) {
    shards_.push_back(std::make_unique<Shard>(options, clock, pool_));
  }
}

std::size_t ShardedStore::shards_for(unsigned threads, const StoreOptions& options) {
  // Every shard fills up to Store::kLanes segments at a time; together they stay within a
  // sixteenth of the memory.
  constexpr std::size_t kActiveShare = 16;
  const std::size_t by_memory =
      options.memory_limit / (kActiveShare * Store::kLanes * SegmentPool::kUnit);
  return std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(by_memory, 1));
}

ShardedStore::Shard& ShardedStore::shard_for(std::string_view key) {
  if (shards_.size() == 1) return *shards_.front();
  // The store hashes the key again with XXH3 for its table; a different hash here keeps the
  // shard choice independent of the bucket choice.
  return *shards_[std::hash<std::string_view>{}(key) % shards_.size()];
}

}  // namespace mc::server

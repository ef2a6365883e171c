/// \file
/// \brief The store's index split into shards, each guarded by its own mutex, so that several
/// I/O threads can serve requests without handing them to another thread; the memory is one
/// pool for all of them.

#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "mc/server/clock.hpp"
#include "mc/server/store.hpp"

namespace mc::server {

/// \brief The storage engine: N stores over one SegmentPool; a key always lives in the same
/// one.
///
/// This class is the whole boundary between the protocol and the cache. The handler
/// (handler*.cpp, meta_update.cpp, key_dump.cpp, stats_report.cpp) calls:
/// - with_shard(), and inside it the Store operations on one key: Store::store(),
///   Store::get(), Store::gat(), Store::touch(), Store::remove(), Store::remove_quietly(),
///   Store::delta(), Store::meta_get(), Store::meta_delete(), Store::meta_delta(),
///   Store::set_exptime(), Store::mark(), Store::peek() and Store::describe();
/// - prefetch(), before the lookups of a multi-key get;
/// - for_each(), for what spans the cache: Store::flush_all(), Store::stats(),
///   Store::slab_stats(), Store::reset_stats(), Store::visit_items(),
///   Store::hash_table_bytes(), and the maintenance thread's Store::expire_segments() and
///   Store::expire_some();
/// - memory_in_use() and set_memory_limit().
///
/// Everything crosses as plain values: keys and values as string views, client flags and
/// exptimes as numbers, outcomes as enums (StoreResult, DeltaResult, MetaDeleteResult) or small
/// structs, items as ItemHandle. No codec type, reply text or flag letter enters the store: it
/// keeps the meta commands' marks (kCallerMarks) and the handler decides what they mean.
///
/// Threads shard the index, never the memory: every shard appends to segments of the same
/// pool, and whichever needs room evicts the oldest segment of all, taking its owner's lock
/// without waiting (see Store::set_guard()). A -t 4 server holds as much as a -t 1 server.
///
/// Why a mutex per shard rather than one thread per shard: a connection's requests are then
/// answered on the connection's own thread, in order, with no cross-thread hop; the lock is
/// held for the few hundred nanoseconds a store operation takes and is almost never contended
/// with as many shards as threads. memcached protects its items the same way (item locks
/// striped over the hash table). Chapter 4 ("Threads and shards") weighs the two designs.
class ShardedStore {
 public:
  /// \brief `shards` stores sharing one pool of `options.memory_limit` bytes.
  ShardedStore(const StoreOptions& options, const Clock& clock, std::size_t shards);

  // [with-shard]
  /// \brief Runs `operation(Store&)` on the key's shard, under its lock, and returns its result.
  template <typename Operation>
  decltype(auto) with_shard(std::string_view key, Operation&& operation) {
    Shard& shard = shard_for(key);
    std::lock_guard lock(shard.mutex);
    return operation(shard.store);
  }
  // [with-shard]

  /// \brief Starts loading, for every key of a multi-key get, the memory its lookup will
  /// read, before the first lookup waits for any of it.
  ///
  /// A lookup in a large cache is two cache misses in a row: the hash bucket, then the item.
  /// One key after another, a 10-key get waits for 20 misses; with these hints the misses of all
  /// ten keys overlap. Two passes, because the item's address is in the bucket.
  void prefetch(std::span<const std::string_view> keys) {
    for (const int stage : {0, 1}) {
      for (const std::string_view key : keys) {
        with_shard(key, [&](Store& store) { store.prefetch(key, stage); });
      }
    }
  }

  /// \brief Runs `operation(Store&)` on every shard in turn, each under its lock.
  template <typename Operation>
  void for_each(Operation&& operation) {
    for (auto& shard : shards_) {
      std::lock_guard lock(shard->mutex);
      operation(shard->store);
    }
  }

  /// \brief How many shards there are.
  std::size_t size() const { return shards_.size(); }

  /// \brief The memory every shard shares.
  SegmentPool& pool() { return pool_; }

  /// \brief Memory in segments, every shard's (`total_malloced`).
  std::size_t memory_in_use() const { return pool_.memory_in_use(); }

  /// \brief `cache_memlimit`: a new memory limit for every shard; false if it cannot be applied.
  bool set_memory_limit(std::size_t bytes) { return pool_.set_memory_limit(bytes); }

  /// \brief How many shards to use for `threads` I/O threads: one per thread, but never so
  /// many that the segments they are filling would be more than a sixteenth of the memory.
  static std::size_t shards_for(unsigned threads, const StoreOptions& options);

 private:
  struct Shard {
    Shard(const StoreOptions& options, const Clock& clock, SegmentPool& pool)
        : store(options, clock, pool) {
      store.set_guard(&mutex);
    }
    std::mutex mutex;
    Store store;
  };

  Shard& shard_for(std::string_view key);

  SegmentPool pool_;  // first: the stores give their segments back to it as they go
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace mc::server

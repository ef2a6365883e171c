// Google Benchmark: mc::server::Store alone, without the network, at 10^3..10^6 items.
// Run the release build: build/release/bin/bench_store (or `make bench`).
//
// Item counts matter because of caches: a thousand items fit in L1/L2, a million do not, so
// the larger sizes show the cost of a cache miss per hash chain and per item header.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mc/server/clock.hpp"
#include "mc/server/store.hpp"

namespace {

using mc::server::Store;
using mc::server::StoreMode;

constexpr std::size_t kValueSize = 32;

std::vector<std::string> make_keys(std::int64_t count, const char* prefix) {
  std::vector<std::string> keys;
  keys.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) keys.push_back(prefix + std::to_string(i));
  return keys;
}

// A store holding `keys`, each with `value`, with memory to spare (no eviction).
struct Filled {
  explicit Filled(std::int64_t count, const std::string& value, std::size_t memory = 1u << 30)
      : keys(make_keys(count, "key:")),
        store(mc::server::StoreOptions{.memory_limit = memory}, clock) {
    for (const auto& key : keys) store.store(StoreMode::kSet, key, value, 0, 0);
  }
  mc::server::Clock clock;
  std::vector<std::string> keys;
  Store store;
};

// Visits keys in a scrambled order (a large odd stride), so that consecutive lookups do not
// touch neighbouring memory as a sequential walk would.
class Cursor {
 public:
  explicit Cursor(std::size_t size) : size_(size) {}
  std::size_t next() {
    position_ = (position_ + 7919) % size_;
    return position_;
  }

 private:
  std::size_t size_;
  std::size_t position_ = 0;
};

void items_and_bytes(benchmark::State& state, std::size_t bytes_per_item) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes_per_item));
}

void BM_StoreGetHit(benchmark::State& state) {
  const std::string value(kValueSize, 'v');
  Filled filled(state.range(0), value);
  Cursor cursor(filled.keys.size());
  for (auto _ : state) {
    auto handle = filled.store.get(filled.keys[cursor.next()]);
    benchmark::DoNotOptimize(handle);
  }
  if (filled.store.stats().get_misses != 0) state.SkipWithError("a get missed");
  items_and_bytes(state, kValueSize);
}
BENCHMARK(BM_StoreGetHit)->RangeMultiplier(10)->Range(1'000, 1'000'000);

void BM_StoreGetMiss(benchmark::State& state) {
  const std::string value(kValueSize, 'v');
  Filled filled(state.range(0), value);
  const auto absent = make_keys(state.range(0), "absent:");
  Cursor cursor(absent.size());
  for (auto _ : state) {
    auto handle = filled.store.get(absent[cursor.next()]);
    benchmark::DoNotOptimize(handle);
  }
  if (filled.store.stats().get_hits != 0) state.SkipWithError("a get hit");
  items_and_bytes(state, 0);
}
BENCHMARK(BM_StoreGetMiss)->RangeMultiplier(10)->Range(1'000, 1'000'000);

// Overwrites present keys: allocate a chunk, copy, swap it into the chain, free the old one.
void BM_StoreSet(benchmark::State& state) {
  const std::string value(kValueSize, 'w');
  Filled filled(state.range(0), value);
  Cursor cursor(filled.keys.size());
  for (auto _ : state) {
    auto outcome = filled.store.store(StoreMode::kSet, filled.keys[cursor.next()], value, 0, 0);
    benchmark::DoNotOptimize(outcome);
  }
  items_and_bytes(state, kValueSize);
}
BENCHMARK(BM_StoreSet)->RangeMultiplier(10)->Range(1'000, 1'000'000);

// New keys into a full store: every set first evicts the item the CLOCK hand reaches.
void BM_StoreSetEvicting(benchmark::State& state) {
  const std::string value(kValueSize, 'e');
  const auto resident = state.range(0);
  // Room for about `resident` items; the store never has less than a few pages, so small
  // sizes hold more (the counter `resident_items` says how many).
  const std::size_t memory =
      static_cast<std::size_t>(resident) * mc::server::Item::plain_size(12, kValueSize);
  Filled filled(resident, value, memory);
  const auto fresh = make_keys(4 * resident + 100'000, "new:");
  std::size_t next = 0;
  for (auto _ : state) {
    auto outcome = filled.store.store(StoreMode::kSet, fresh[next], value, 0, 0);
    benchmark::DoNotOptimize(outcome);
    next = next + 1 == fresh.size() ? 0 : next + 1;
  }
  state.counters["resident_items"] = static_cast<double>(filled.store.stats().curr_items);
  state.counters["evictions_per_set"] =
      static_cast<double>(filled.store.stats().evictions) / static_cast<double>(state.iterations());
  items_and_bytes(state, kValueSize);
}
BENCHMARK(BM_StoreSetEvicting)->RangeMultiplier(10)->Range(1'000, 1'000'000);

// incr of counters that keep their length, so the value is rewritten in place.
void BM_StoreIncr(benchmark::State& state) {
  Filled filled(state.range(0), "1000000000");
  Cursor cursor(filled.keys.size());
  for (auto _ : state) {
    auto outcome = filled.store.delta(filled.keys[cursor.next()], true, 1);
    benchmark::DoNotOptimize(outcome);
  }
  if (filled.store.stats().incr_misses != 0) state.SkipWithError("an incr missed");
  items_and_bytes(state, 0);
}
BENCHMARK(BM_StoreIncr)->RangeMultiplier(10)->Range(1'000, 1'000'000);

}  // namespace

BENCHMARK_MAIN();

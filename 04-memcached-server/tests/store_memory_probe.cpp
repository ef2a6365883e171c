// Measures what one item costs in resident memory: fills a store with 1,000,000 items of
// 16-byte keys and 100-byte values and reports the growth of VmRSS per item.
// Run from a release build: build/store-release/bin/store_memory_probe [items]
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "mc/server/store.hpp"

namespace {

long resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6) * 1024;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  const long items = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  mc::server::Clock clock;
  mc::server::StoreOptions options;
  options.memory_limit = std::size_t{1024} << 20;  // as memcached -m 1024: nothing is evicted
  mc::server::Store store(options, clock);

  const std::string value(100, 'v');
  char key[32];
  const long before = resident_bytes();
  for (long i = 0; i < items; ++i) {
    std::snprintf(key, sizeof key, "key:%012ld", i % 1'000'000'000'000);  // 16 bytes
    store.store(mc::server::StoreMode::kSet, std::string_view(key, 16), value, 0, 0);
  }
  const long after = resident_bytes();

  const auto& stats = store.stats();
  fmt::print("items {} (stored {}, evicted {})\n", items, stats.curr_items, stats.evictions);
  fmt::print("item bytes {} ({} per item), segments {} MiB, hash table {} KiB\n", stats.bytes,
             stats.bytes / static_cast<std::uint64_t>(items), store.memory_in_use() >> 20,
             store.hash_table_bytes() >> 10);
  fmt::print("rss before {} after {} growth {} bytes/item {:.1f}\n", before, after, after - before,
             static_cast<double>(after - before) / static_cast<double>(items));
  return stats.curr_items == static_cast<std::uint64_t>(items) ? 0 : 1;
}

// Cost of key placement: building the ketama ring (what an ejection or a restore costs) and
// looking keys up, next to the modulo option and the bare hash functions.

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "mc/client/hash.hpp"
#include "mc/client/locator.hpp"

namespace {

using mc::client::Continuum;
using mc::client::Distribution;
using mc::client::Locator;
using mc::client::ServerAddress;

std::vector<ServerAddress> servers(std::int64_t count) {
  std::vector<ServerAddress> list;
  for (std::int64_t i = 0; i < count; ++i) {
    list.push_back({fmt::format("10.0.{}.{}", i / 250, i % 250 + 1), 11211,
                    static_cast<std::uint32_t>(1 + i % 5)});
  }
  return list;
}

// Typical keys, built up front so the loop measures placement only.
std::vector<std::string> keys() {
  std::vector<std::string> list;
  for (int i = 0; i < 4096; ++i) list.push_back(fmt::format("user:{}:profile", i * 7919));
  return list;
}

void BM_KetamaBuild(benchmark::State& state) {
  const auto list = servers(state.range(0));
  for (auto _ : state) {
    auto ring = Continuum::build(list);
    benchmark::DoNotOptimize(ring);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["points"] = static_cast<double>(Continuum::build(list).points().size());
}
BENCHMARK(BM_KetamaBuild)->Arg(8)->Arg(64)->Arg(512)->Unit(benchmark::kMicrosecond);

void BM_KetamaLocate(benchmark::State& state) {
  const Locator locator(servers(state.range(0)), Distribution::kKetama);
  const auto list = keys();
  std::size_t i = 0;
  for (auto _ : state) {
    auto server = locator.locate(list[i++ % list.size()]);
    benchmark::DoNotOptimize(server);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KetamaLocate)->Arg(8)->Arg(64)->Arg(512);

// The ring search alone, with the MD5 key hash taken out of the loop.
void BM_KetamaRingSearch(benchmark::State& state) {
  const auto ring = Continuum::build(servers(state.range(0)));
  std::vector<std::uint32_t> hashes;
  for (const auto& key : keys()) hashes.push_back(mc::client::md5_hash(key));
  std::size_t i = 0;
  for (auto _ : state) {
    auto server = ring.server_for(hashes[i++ % hashes.size()]);
    benchmark::DoNotOptimize(server);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KetamaRingSearch)->Arg(8)->Arg(64)->Arg(512);

void BM_ModuloLocate(benchmark::State& state) {
  const Locator locator(servers(state.range(0)), Distribution::kModulo);
  const auto list = keys();
  std::size_t i = 0;
  for (auto _ : state) {
    auto server = locator.locate(list[i++ % list.size()]);
    benchmark::DoNotOptimize(server);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ModuloLocate)->Arg(8);

void BM_Md5Hash(benchmark::State& state) {
  const auto list = keys();
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const auto& key = list[i++ % list.size()];
    auto hash = mc::client::md5_hash(key);
    benchmark::DoNotOptimize(hash);
    bytes += static_cast<std::int64_t>(key.size());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_Md5Hash);

}  // namespace

BENCHMARK_MAIN();

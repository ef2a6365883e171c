// Google Benchmark: how fast the codec parses requests and composes replies.
// Run the release build: build/codec-release/bin/bench_codec

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "mc/codec/memcached_codec.hpp"

namespace {

// Parses `wire` (one request) once per iteration.
void parse_one(benchmark::State& state, const std::string& wire) {
  mc::codec::RequestParser parser;
  for (auto _ : state) {
    auto result = parser.parse(wire);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(wire.size()));
}

void BM_ParseGet(benchmark::State& state) { parse_one(state, "get 0123456789abcdef\r\n"); }
BENCHMARK(BM_ParseGet);

void BM_ParseSet(benchmark::State& state) {
  parse_one(state, "set 0123456789abcdef 0 0 32\r\n0123456789abcdef0123456789abcdef\r\n");
}
BENCHMARK(BM_ParseSet);

void BM_ParseMetaGet(benchmark::State& state) {
  parse_one(state, "mg 0123456789abcdef v t f k O1234\r\n");
}
BENCHMARK(BM_ParseMetaGet);

// A get of `state.range(0)` keys; items are keys, so the rate compares with single gets.
void BM_ParseMultiGet(benchmark::State& state) {
  std::string wire = "get";
  for (int64_t i = 0; i < state.range(0); ++i) wire += fmt::format(" key:{:012}", i);
  wire += "\r\n";
  mc::codec::RequestParser parser;
  for (auto _ : state) {
    auto result = parser.parse(wire);
    std::size_t keys = 0;
    for (auto key : std::get<mc::codec::RetrievalRequest>(result.message).keys()) {
      benchmark::DoNotOptimize(key);
      ++keys;
    }
    benchmark::DoNotOptimize(keys);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(wire.size()));
}
BENCHMARK(BM_ParseMultiGet)->Arg(10)->Arg(100);

// A pipeline of get requests, parsed the way a connection drains its buffer.
void BM_ParsePipelinedGets(benchmark::State& state) {
  std::string wire;
  for (int i = 0; i < 100; ++i) wire += fmt::format("get key:{:012}\r\n", i);
  mc::codec::RequestParser parser;
  for (auto _ : state) {
    std::string_view input = wire;
    while (!input.empty()) {
      auto result = parser.parse(input);
      benchmark::DoNotOptimize(result);
      input.remove_prefix(result.consumed);
    }
  }
  state.SetItemsProcessed(state.iterations() * 100);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(wire.size()));
}
BENCHMARK(BM_ParsePipelinedGets);

// A VALUE reply viewing a 32-byte stored value, encoded into reused gather buffers.
void BM_ComposeValueReply(benchmark::State& state) {
  auto item = std::make_shared<const std::string>(32, 'v');
  const std::shared_ptr<const void> owner = item;
  mc::codec::MemcachedServerCodec<> codec;
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(8);
  std::size_t bytes = 0;
  for (auto _ : state) {
    buffers.clear();
    const auto reply = mc::codec::compose_reply(
        mc::codec::ValueResponse{"0123456789abcdef", 0, false, 0, *item}, owner);
    bytes = codec.encode(reply, buffers);
    benchmark::DoNotOptimize(buffers.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ComposeValueReply);

void BM_ParseValueResponse(benchmark::State& state) {
  const std::string wire = "VALUE 0123456789abcdef 0 32\r\n" + std::string(32, 'v') + "\r\n";
  const mc::codec::ResponseParser parser;
  for (auto _ : state) {
    auto result = parser.parse(wire);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(wire.size()));
}
BENCHMARK(BM_ParseValueResponse);

}  // namespace

BENCHMARK_MAIN();

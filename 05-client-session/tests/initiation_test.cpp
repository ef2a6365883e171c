// Calls that fail while they are being made (no connection, a bad key, no live server) complete
// through the executor's queue, never from inside the call: a coroutine or a callback chain
// that loops on such calls must run in constant stack. Each test makes 100,000 calls and
// checks how far the stack moved between the first completion and the last.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <future>
#include <limits>

#include "mc/client/cluster.hpp"
#include "mc/client/session.hpp"
#include "mc/testing/net.hpp"
#include "support.hpp"

namespace mc::client {
namespace {

using namespace std::chrono_literals;

constexpr int kCalls = 100'000;

// Before the fix one failing call added about 2 KiB of frames; this bound is far below
// 100,000 of those and far above one turn of the event loop, even under ASan.
constexpr std::uintptr_t kStackBound = 256 * 1024;

// The address of a frame on the current thread's stack (coroutine frames live on the heap,
// so the caller of this function is what we measure).
[[gnu::noinline]] std::uintptr_t stack_position() {
  return reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
}

// Lowest and highest stack position seen.
struct StackSpan {
  std::uintptr_t low = std::numeric_limits<std::uintptr_t>::max();
  std::uintptr_t high = 0;
  void record() {
    const auto at = stack_position();
    low = std::min(low, at);
    high = std::max(high, at);
  }
  [[nodiscard]] std::uintptr_t size() const { return high - low; }
};

SessionOptions down_options() {
  SessionOptions options;
  options.heartbeat_interval = 0ms;
  options.heartbeat_timeout = 0ms;
  return options;
}

ServerAddress nobody_listening() { return {"127.0.0.1", mc::testing::free_port()}; }

TEST(CallsThatFailAtOnce, HundredThousandAwaitedGetsOnADownServerRunInConstantStack) {
  testing::IoThread io;
  Session session(io.io(), nobody_listening(), down_options());
  const auto [failed, span] = io.run([&]() -> asio::awaitable<std::pair<int, StackSpan>> {
    int failed = 0;
    StackSpan span;
    for (int i = 0; i < kCalls; ++i) {
      const auto item = co_await session.get("k");
      span.record();
      if (!item && is_unreachable(item.error())) ++failed;
    }
    co_return std::pair{failed, span};
  }());
  EXPECT_EQ(failed, kCalls);
  EXPECT_LT(span.size(), kStackBound) << fmt::format("the stack moved {} bytes", span.size());
}

TEST(CallsThatFailAtOnce, HundredThousandChainedCallbacksOnADownServerRunInConstantStack) {
  testing::IoThread io;
  Session session(io.io(), nobody_listening(), down_options());
  int calls = 0;
  int failed = 0;
  StackSpan span;
  std::promise<void> finished;
  // Each callback makes the next call, as a retry loop written with callbacks would.
  std::function<void(Result<std::optional<Item>>)> next = [&](Result<std::optional<Item>> item) {
    span.record();
    if (!item && is_unreachable(item.error())) ++failed;
    if (++calls == kCalls) {
      finished.set_value();
      return;
    }
    session.get("k", {}, next);
  };
  asio::post(io.io(), [&] { session.get("k", {}, next); });
  ASSERT_EQ(finished.get_future().wait_for(120s), std::future_status::ready);
  EXPECT_EQ(failed, kCalls);
  EXPECT_LT(span.size(), kStackBound) << fmt::format("the stack moved {} bytes", span.size());
}

TEST(CallsThatFailAtOnce, HundredThousandAwaitedBadKeysRunInConstantStack) {
  testing::IoThread io;
  Session session(io.io(), nobody_listening(), down_options());
  const auto [failed, span] = io.run([&]() -> asio::awaitable<std::pair<int, StackSpan>> {
    int failed = 0;
    StackSpan span;
    for (int i = 0; i < kCalls; ++i) {
      const auto item = co_await session.get("a key with spaces");
      span.record();
      if (item.error() == Error::kBadKey) ++failed;
    }
    co_return std::pair{failed, span};
  }());
  EXPECT_EQ(failed, kCalls);
  EXPECT_LT(span.size(), kStackBound) << fmt::format("the stack moved {} bytes", span.size());
}

// What crashed bench_session: a cluster of down servers, ejected after a few failures, so that
// every later call fails in the cluster itself (no live server) before reaching a session.
TEST(CallsThatFailAtOnce, HundredThousandAwaitedClusterCallsOnDownServersRunInConstantStack) {
  testing::IoThread io;
  ClusterOptions options;
  options.session = down_options();
  options.retry_after = 1h;  // once out, they stay out
  Cluster cluster(io.io(), {nobody_listening(), nobody_listening()}, options);
  const std::string_view keys[] = {"a", "b", "c", "d"};
  const auto [answered, span] = io.run([&]() -> asio::awaitable<std::pair<int, StackSpan>> {
    int answered = 0;
    StackSpan span;
    for (int i = 0; i < kCalls; ++i) {
      const auto hits = co_await cluster.get_multi(keys);
      const auto one = co_await cluster.get("k");
      span.record();
      // Nothing is found: a multi-get fails or (servers ejected) misses, a get fails.
      if ((!hits || hits->empty()) && !one) ++answered;
    }
    cluster.close();  // on its own thread: the retry timers are not thread-safe
    co_return std::pair{answered, span};
  }());
  EXPECT_EQ(answered, kCalls);
  EXPECT_EQ(cluster.locator().live_count(), 0u);
  EXPECT_LT(span.size(), kStackBound) << fmt::format("the stack moved {} bytes", span.size());
}

}  // namespace
}  // namespace mc::client

// Proves the claims of the chapter: parsing get and set requests allocates nothing, and neither
// does composing a get's VALUE line or a meta reply. This test
// binary replaces the global operator new with a counting one, so it runs on its own.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "mc/codec/reply_text.hpp"
#include "mc/codec/request_parser.hpp"

namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

// None of the three is inlined: g++ -O2 would otherwise see malloc() or free() at a call site
// and warn (-Wmismatched-new-delete), although the operators are ours and match.
[[gnu::noinline]] void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

// Parses `wire` `rounds` times and returns how many allocations that took.
std::size_t allocations_while_parsing(const std::string& wire, int rounds) {
  mc::codec::RequestParser parser;
  std::size_t parsed = 0;
  const std::size_t before = g_allocations.load();
  for (int i = 0; i < rounds; ++i) {
    std::string_view input = wire;
    while (!input.empty()) {
      const auto result = parser.parse(input);
      if (result.status != mc::net::DecodeStatus::kMessage) break;
      input.remove_prefix(result.consumed);
      ++parsed;
    }
  }
  const std::size_t after = g_allocations.load();
  EXPECT_GT(parsed, 0u);
  return after - before;
}

TEST(Allocation, CountingAllocatorSeesAllocations) {
  const std::size_t before = g_allocations.load();
  auto* p =
      new std::string(100, 'x');  // the counter must see this, or the tests below prove nothing
  delete p;
  EXPECT_GT(g_allocations.load(), before);
}

TEST(Allocation, ParsingGetAndSetAllocatesNothing) {
  EXPECT_EQ(allocations_while_parsing("get 0123456789abcdef\r\n", 1000), 0u);
  EXPECT_EQ(allocations_while_parsing("set 0123456789abcdef 0 0 32\r\n"
                                      "0123456789abcdef0123456789abcdef\r\n",
                                      1000),
            0u);
  EXPECT_EQ(allocations_while_parsing("get a b c d e f g h i j k l m n o p q r s t u v w x y z\r\n"
                                      "mg 0123456789abcdef v t f k O1\r\n",
                                      1000),
            0u);
}

TEST(Allocation, ComposingAValueOrAMetaReplyAllocatesNothing) {
  // The get path and mg: a VALUE line or a meta line with a 60-byte key fits the reply's
  // inline line buffer, and both are formatted on the stack.
  const std::string key(60, 'k');
  const std::size_t before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) {
    mc::codec::ReplyBytes value;
    mc::codec::compose_value({key, 5, true, 123456789, "value"}, value);
    mc::codec::ReplyBytes meta;
    mc::codec::MetaLine line(mc::codec::MetaStatus::kHd);
    line.number('c', 123456789);
    line.signed_number('t', -1);
    line.finish(meta);
  }
  EXPECT_EQ(g_allocations.load() - before, 0u);
}

}  // namespace

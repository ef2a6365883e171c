// Handles keep an item's bytes alive after it leaves the table, on any thread.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "mc/server/store.hpp"

namespace mc::server {
namespace {

class StoreHandleTest : public ::testing::Test {
 protected:
  Clock clock_{1'700'000'000};
  Store store_{StoreOptions{}, clock_};
};

TEST_F(StoreHandleTest, HandleOutlivesDelete) {
  store_.store(StoreMode::kSet, "k", "original", 5, 0);
  const ItemHandle held = store_.get("k");
  ASSERT_TRUE(store_.remove("k"));
  // Refill the freed memory as much as we can: the held item must not be reused.
  for (int i = 0; i < 1000; ++i) store_.store(StoreMode::kSet, "k", "overwrite", 0, 0);
  EXPECT_EQ(held.value_with_crlf(), "original\r\n");
  EXPECT_EQ(held.key(), "k");
  EXPECT_EQ(held.flags(), 5u);
}

TEST_F(StoreHandleTest, HandleOutlivesReplaceAppendAndFlush) {
  store_.store(StoreMode::kSet, "k", "one", 0, 0);
  const ItemHandle first = store_.get("k");
  store_.store(StoreMode::kSet, "k", "two", 0, 0);
  const ItemHandle second = store_.get("k");
  store_.store(StoreMode::kAppend, "k", "+", 0, 0);
  store_.flush_all();
  EXPECT_FALSE(store_.get("k"));
  EXPECT_EQ(first.value(), "one");
  EXPECT_EQ(second.value(), "two");
}

TEST_F(StoreHandleTest, CopiesAndMovesCountReferences) {
  store_.store(StoreMode::kSet, "k", "v", 0, 0);
  ItemHandle a = store_.get("k");
  const Item* item = a.get();
  EXPECT_EQ(item->refcount.load(), 2u);  // the table and a
  {
    const ItemHandle b = a;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_EQ(item->refcount.load(), 3u);
  }
  ItemHandle c = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from handles are empty
  EXPECT_EQ(item->refcount.load(), 2u);
  c.reset();
  EXPECT_EQ(item->refcount.load(), 1u);
}

TEST_F(StoreHandleTest, MemoryComesBackOnceTheLastHandleIsGone) {
  const std::string value(1000, 'v');
  store_.store(StoreMode::kSet, "k", value, 0, 0);
  ItemHandle held = store_.get("k");
  store_.remove("k");
  const std::uint64_t bytes_before = store_.stats().bytes;
  EXPECT_EQ(bytes_before, 0u);  // no longer counted as stored data...
  const Item* item = held.get();
  EXPECT_EQ(item->refcount.load(), 1u);  // ...but still readable through the handle
  held.reset();  // the last reference: the store learns of it before it next allocates
  store_.store(StoreMode::kSet, "k2", value, 0, 0);
  EXPECT_EQ(store_.stats().curr_items, 1u);
}

TEST_F(StoreHandleTest, HandlesMayBeReleasedOnOtherThreads) {
  // A shard hands items to connection threads, which release them after writing.
  constexpr int kItems = 2000;
  std::vector<ItemHandle> handles;
  for (int i = 0; i < kItems; ++i) {
    const std::string key = fmt::format("k{}", i);
    store_.store(StoreMode::kSet, key, fmt::format("value{}", i), 0, 0);
    handles.push_back(store_.get(key));
    handles.push_back(handles.back());  // two references each
    store_.remove(key);                 // the handles now hold the only references
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&handles, t] {
      for (std::size_t i = static_cast<std::size_t>(t); i < handles.size(); i += 4) {
        if (handles[i].value() != fmt::format("value{}", i / 2)) std::abort();
        handles[i].reset();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  // Every item went back through the release list; nothing is left but the next one.
  store_.store(StoreMode::kSet, "after", "x", 0, 0);
  EXPECT_EQ(store_.stats().curr_items, 1u);
  EXPECT_EQ(store_.memory_in_use(), SegmentPool::kUnit);
}

}  // namespace
}  // namespace mc::server

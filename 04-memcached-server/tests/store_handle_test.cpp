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
  EXPECT_EQ(held.value(), "original");
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

// The readers of the segment that holds `handle`'s item: the owner's 1 plus one per handle.
std::uint32_t readers_of(const SegmentPool& pool, const ItemHandle& handle) {
  return pool.segment(pool.segment_of(handle.get())).readers;
}

TEST(StoreHandle, CopiesAndMovesCountReferencesOnTheSegment) {
  Clock clock{1'700'000'000};
  SegmentPool pool(std::size_t{4} * SegmentPool::kUnit, SegmentPool::kUnit);
  Store store(StoreOptions{}, clock, pool);
  store.store(StoreMode::kSet, "k", "v", 0, 0);
  store.store(StoreMode::kSet, "other", "v", 0, 0);  // same segment, same count
  ItemHandle a = store.get("k");
  EXPECT_EQ(readers_of(pool, a), 2u);  // the owner and a
  {
    const ItemHandle b = a;  // NOLINT(performance-unnecessary-copy-initialization)
    const ItemHandle other = store.get("other");
    EXPECT_EQ(readers_of(pool, a), 4u);
  }
  ItemHandle c = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from handles are empty
  EXPECT_EQ(readers_of(pool, c), 2u);
  c.reset();
  EXPECT_EQ(pool.segment(0).readers, 1u);
}

TEST(StoreHandle, SegmentComesBackOnceTheLastHandleIsGone) {
  Clock clock{1'700'000'000};
  SegmentPool pool(std::size_t{4} * SegmentPool::kUnit, SegmentPool::kUnit);
  Store store(StoreOptions{}, clock, pool);
  const std::string value(100'000, 'v');  // two to a segment
  store.store(StoreMode::kSet, "a", value, 0, 0);
  store.store(StoreMode::kSet, "b", value, 0, 0);
  store.store(StoreMode::kSet, "c", value, 0, 0);  // seals the first segment
  ItemHandle held = store.get("a");
  store.remove("a");
  store.remove("b");
  // The first segment holds no item any more, but a reply still reads "a".
  EXPECT_EQ(store.stats().bytes, Item::plain_size(1, 100'000));
  EXPECT_EQ(pool.memory_in_use(), 2 * SegmentPool::kUnit);
  EXPECT_EQ(held.value(), value);
  held.reset();  // the last reader frees it, on whatever thread it runs
  EXPECT_EQ(pool.memory_in_use(), SegmentPool::kUnit);
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
  // Every handle is gone; the store goes on filling the same segment.
  store_.store(StoreMode::kSet, "after", "x", 0, 0);
  EXPECT_EQ(store_.stats().curr_items, 1u);
  EXPECT_EQ(store_.memory_in_use(), SegmentPool::kUnit);
}

}  // namespace
}  // namespace mc::server

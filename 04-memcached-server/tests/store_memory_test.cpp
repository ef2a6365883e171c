// The memory limit: CLOCK eviction order, counting, and pages moving between size classes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "mc/server/store.hpp"

namespace mc::server {
namespace {

constexpr std::size_t kPage = std::size_t{1} << 20;

std::string key_of(int i) { return fmt::format("key{}", i); }

class StoreMemoryTest : public ::testing::Test {
 protected:
  Clock clock_{1'700'000'000};

  static StoreOptions pages(std::size_t count) {
    StoreOptions options;
    options.memory_limit = count * kPage;
    return options;
  }
  // How many items with 1000-byte values fit in one page (their chunks are all one class).
  static int per_page(const Store& store) {
    const std::size_t size = Item::total_size(key_of(0).size(), 1000);
    for (const SlabClassStats& cls : store.slab_stats()) {
      if (cls.slab.chunk_size >= size) return static_cast<int>(kPage / cls.slab.chunk_size);
    }
    return 0;
  }
};

TEST_F(StoreMemoryTest, EvictsToStayWithinTheLimit) {
  Store store(pages(2), clock_);
  const std::string value(1000, 'v');
  const int capacity = 2 * per_page(store);
  for (int i = 0; i < 3 * capacity; ++i) {
    ASSERT_EQ(store.store(StoreMode::kSet, key_of(i), value, 0, 0).result, StoreResult::kStored);
    ASSERT_LE(store.memory_in_use(), store.memory_limit());
  }
  EXPECT_EQ(store.stats().curr_items, static_cast<std::uint64_t>(capacity));
  EXPECT_EQ(store.stats().evictions, static_cast<std::uint64_t>(2 * capacity));
  EXPECT_EQ(store.stats().evicted_unfetched, store.stats().evictions);
  EXPECT_TRUE(store.get(key_of(3 * capacity - 1)));  // the newest survive
  EXPECT_FALSE(store.get(key_of(0)));                // the oldest went first
}

TEST_F(StoreMemoryTest, RecentlyReadItemsGetASecondChance) {
  Store store(pages(1), clock_);
  const std::string value(1000, 'v');
  const int capacity = per_page(store);
  for (int i = 0; i < capacity; ++i) store.store(StoreMode::kSet, key_of(i), value, 0, 0);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store.get(key_of(i)));  // sets the CLOCK bit
  for (int i = 0; i < 10; ++i) {
    store.store(StoreMode::kSet, fmt::format("new{}", i), value, 0, 0);
  }
  // The hand skipped the ten read items (clearing their bits) and evicted the next ten.
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(store.get(key_of(i))) << i;
  for (int i = 10; i < 20; ++i) EXPECT_FALSE(store.get(key_of(i))) << i;
  for (int i = 20; i < capacity; ++i) EXPECT_TRUE(store.get(key_of(i))) << i;
  EXPECT_EQ(store.stats().evictions, 10u);
}

TEST_F(StoreMemoryTest, ExpiredItemsAreReclaimedBeforeLiveOnes) {
  Store store(pages(1), clock_);
  const std::string value(1000, 'v');
  const int capacity = per_page(store);
  for (int i = 0; i < capacity; ++i) {
    // Every other item expires in 10 seconds.
    store.store(StoreMode::kSet, key_of(i), value, 0, i % 2 == 0 ? 10 : 0);
  }
  clock_.advance(10);
  store.store(StoreMode::kSet, "new", value, 0, 0);
  EXPECT_EQ(store.stats().reclaimed, 1u);
  EXPECT_EQ(store.stats().expired_unfetched, 1u);
  EXPECT_EQ(store.stats().evictions, 0u);
  EXPECT_TRUE(store.get(key_of(1)));
}

TEST_F(StoreMemoryTest, AnItemInUseIsNotEvicted) {
  Store store(pages(1), clock_);
  const std::string value(1000, 'v');
  const int capacity = per_page(store);
  for (int i = 0; i < capacity; ++i) store.store(StoreMode::kSet, key_of(i), value, 0, 0);
  const ItemHandle held = store.get(key_of(0));  // pins key0 for as long as it lives
  // More than a full turn of the hand: everything else is evicted, key0 is skipped.
  for (int i = 0; i < capacity + 1; ++i) {
    store.store(StoreMode::kSet, fmt::format("n{}", i), value, 0, 0);
  }
  EXPECT_TRUE(store.get(key_of(0)));
  EXPECT_EQ(held.value(), value);
}

TEST_F(StoreMemoryTest, ASizeClassWithoutPagesTakesOneFromAnother) {
  Store store(pages(2), clock_);
  const std::string small(1000, 's');
  const int capacity = 2 * per_page(store);
  for (int i = 0; i < capacity + 5; ++i) store.store(StoreMode::kSet, key_of(i), small, 0, 0);
  // Every page belongs to the small items' class; a large item still finds room.
  const std::string large(100'000, 'L');
  EXPECT_EQ(store.store(StoreMode::kSet, "large", large, 0, 0).result, StoreResult::kStored);
  EXPECT_EQ(store.get("large").value(), large);
  EXPECT_EQ(store.stats().slabs_moved, 1u);
  EXPECT_LE(store.memory_in_use(), store.memory_limit());
  EXPECT_EQ(store.stats().curr_items, static_cast<std::uint64_t>(capacity / 2 + 1));
}

TEST_F(StoreMemoryTest, SlabStatsDescribeEveryClass) {
  Store store(pages(4), clock_);
  store.store(StoreMode::kSet, "a", std::string(100, 'v'), 0, 0);
  store.store(StoreMode::kSet, "b", std::string(100, 'v'), 0, 0);
  const std::vector<SlabClassStats> classes = store.slab_stats();
  ASSERT_FALSE(classes.empty());
  std::uint64_t items = 0;
  std::size_t previous = 0;
  for (const SlabClassStats& cls : classes) {
    EXPECT_GT(cls.slab.chunk_size, previous);  // strictly growing sizes
    previous = cls.slab.chunk_size;
    items += cls.number;
    if (cls.number > 0) {
      EXPECT_EQ(cls.slab.total_pages, 1u);
      EXPECT_EQ(cls.slab.free_chunks, cls.slab.chunks_per_page - 2);
      EXPECT_EQ(cls.mem_requested, 2 * Item::total_size(1, 100));
    }
  }
  EXPECT_EQ(items, 2u);
  EXPECT_EQ(store.stats().bytes, 2 * Item::total_size(1, 100));
  EXPECT_EQ(store.memory_limit(), 4 * kPage);
}

TEST_F(StoreMemoryTest, SmallItemsUseEightByteSteps) {
  Store store(pages(1), clock_);
  store.store(StoreMode::kSet, std::string(16, 'k'), std::string(100, 'v'), 0, 0);
  for (const SlabClassStats& cls : store.slab_stats()) {
    if (cls.number == 1) {
      EXPECT_EQ(cls.slab.chunk_size, 152u);  // 32 + 16 + 100 + 2 = 150
    }
  }
}

}  // namespace
}  // namespace mc::server

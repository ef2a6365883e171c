// The memory limit: segments evicted oldest first with a second chance for items read since
// they were written, one pool for every shard, items held by replies, large items, and whole
// segments reclaimed when their items expire.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "mc/server/sharded_store.hpp"
#include "mc/server/store.hpp"

namespace mc::server {
namespace {

constexpr std::size_t kUnit = SegmentPool::kUnit;

std::string key_of(int i) { return fmt::format("key{:06}", i); }  // all one length

StoreOptions segments(std::size_t count) {
  StoreOptions options;
  options.memory_limit = count * kUnit;
  return options;
}

StoreOptions mebibytes(std::size_t count) {
  StoreOptions options;
  options.memory_limit = count << 20;
  return options;
}

// How many items of 1000-byte values fill one segment (an item that expires has 4 bytes more).
int per_segment(bool expiring = false) {
  const std::size_t size = Item::plain_size(key_of(0).size(), 1000) + (expiring ? 4 : 0);
  return static_cast<int>(kUnit / ((size + 1) / 2 * 2));
}

class StoreMemoryTest : public ::testing::Test {
 protected:
  Clock clock_{1'700'000'000};
  const std::string value_ = std::string(1000, 'v');
};

TEST_F(StoreMemoryTest, EvictsToStayWithinTheLimit) {
  Store store(segments(4), clock_);
  const int total = 12 * per_segment();
  for (int i = 0; i < total; ++i) {
    ASSERT_EQ(store.store(StoreMode::kSet, key_of(i), value_, 0, 0).result, StoreResult::kStored);
    ASSERT_LE(store.memory_in_use(), store.memory_limit());
  }
  const StoreStats& stats = store.stats();
  EXPECT_EQ(stats.curr_items + stats.evictions, static_cast<std::uint64_t>(total));
  EXPECT_GE(stats.curr_items, static_cast<std::uint64_t>(3 * per_segment()));
  EXPECT_EQ(stats.evicted_unfetched, stats.evictions);
  EXPECT_TRUE(store.get(key_of(total - 1)));  // the newest survive
  EXPECT_FALSE(store.get(key_of(0)));         // the oldest went first
}

TEST_F(StoreMemoryTest, ItemsReadSinceTheyWereWrittenOutliveTheirSegment) {
  Store store(segments(4), clock_);
  const int n = per_segment();
  for (int i = 0; i < 4 * n; ++i) store.store(StoreMode::kSet, key_of(i), value_, 0, 0);
  // Ten reads in every segment: the oldest has had the most time to earn them, so it goes.
  for (int segment = 0; segment < 4; ++segment) {
    for (int i = segment * n; i < segment * n + 10; ++i) ASSERT_TRUE(store.get(key_of(i)));
  }
  // Most of a segment more: the oldest segment goes, but its ten read items move on.
  for (int i = 0; i < n - 100; ++i) store.store(StoreMode::kSet, key_of(10 * n + i), value_, 0, 0);
  EXPECT_EQ(store.stats().items_kept, 10u);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(store.get(key_of(i))) << i;
  for (int i = 10; i < n; ++i) EXPECT_FALSE(store.get(key_of(i))) << i;
  for (int i = n; i < 4 * n; ++i) EXPECT_TRUE(store.get(key_of(i))) << i;
  EXPECT_EQ(store.stats().evictions, static_cast<std::uint64_t>(n - 10));
}

TEST_F(StoreMemoryTest, OfTheOldestSegmentsTheLeastReadGoesFirst) {
  Store store(segments(40), clock_);
  const int n = per_segment();
  for (int i = 0; i < 40 * n; ++i) store.store(StoreMode::kSet, key_of(i), value_, 0, 0);
  // The oldest segment's items are read; the second's are not.
  for (int i = 0; i < n; ++i) ASSERT_TRUE(store.get(key_of(i)));
  for (int i = 0; i < n - 100; ++i) store.store(StoreMode::kSet, key_of(50 * n + i), value_, 0, 0);
  EXPECT_EQ(store.stats().evictions, static_cast<std::uint64_t>(n));
  EXPECT_EQ(store.stats().items_kept, 0u);
  EXPECT_TRUE(store.get(key_of(0)));
  EXPECT_FALSE(store.get(key_of(n)));
  EXPECT_TRUE(store.get(key_of(2 * n)));
}

TEST_F(StoreMemoryTest, ExpiredItemsAreReclaimedNotEvicted) {
  Store store(segments(2), clock_);
  const int n = per_segment(/*expiring=*/true);
  for (int i = 0; i < n; ++i) store.store(StoreMode::kSet, key_of(i), value_, 0, 10);
  for (int i = n; i < n + per_segment(); ++i) store.store(StoreMode::kSet, key_of(i), value_, 0, 0);
  clock_.advance(10);
  store.store(StoreMode::kSet, "new", value_, 0, 0);
  EXPECT_EQ(store.stats().reclaimed, static_cast<std::uint64_t>(n));
  EXPECT_EQ(store.stats().expired_unfetched, static_cast<std::uint64_t>(n));
  EXPECT_EQ(store.stats().evictions, 0u);
  EXPECT_TRUE(store.get(key_of(n)));
}

TEST_F(StoreMemoryTest, ASegmentWhoseItemsAllExpiredIsReclaimedWhole) {
  Store store(segments(8), clock_);
  const int n = per_segment(/*expiring=*/true);
  // Items that expire share segments only with items that expire.
  for (int i = 0; i < 4 * n; ++i) {
    store.store(StoreMode::kSet, key_of(i), value_, 0, 2);
    if (i == n) store.store(StoreMode::kSet, "lasting", value_, 0, 0);
  }
  const std::size_t before = store.memory_in_use();
  clock_.advance(2);
  // Four segments held nothing but expired items: the three sealed ones go back to the pool
  // at once, without a look at the hash table, and the active one starts again.
  EXPECT_EQ(store.expire_segments(), 4u);
  EXPECT_EQ(store.memory_in_use(), before - 3 * kUnit);
  EXPECT_EQ(store.stats().crawler_reclaimed, static_cast<std::uint64_t>(4 * n));
  EXPECT_EQ(store.stats().curr_items, 1u);
  EXPECT_TRUE(store.get("lasting"));
}

TEST_F(StoreMemoryTest, AnExpiredActiveSegmentHeldByAReplyDoesNotStallWrites) {
  Store store(segments(2), clock_);
  const int n = per_segment(/*expiring=*/true);
  for (int i = 0; i < n + n / 2; ++i) store.store(StoreMode::kSet, key_of(i), value_, 0, 10);
  const ItemHandle held = store.get(key_of(n + 1));  // in the active segment
  clock_.advance(10);
  for (int i = 0; i < 2 * n; ++i) {
    ASSERT_EQ(store.store(StoreMode::kSet, fmt::format("n{}", i), value_, 0, 0).result,
              StoreResult::kStored);
  }
  EXPECT_EQ(held.value(), value_);
  EXPECT_EQ(store.stats().evictions + store.stats().curr_items, static_cast<std::uint64_t>(2 * n));
}

TEST_F(StoreMemoryTest, AnItemHeldByAReplyStaysReadableAfterEviction) {
  Store store(segments(2), clock_);
  const int n = per_segment();
  for (int i = 0; i < n; ++i) store.store(StoreMode::kSet, key_of(i), value_, 0, 0);
  ItemHandle held = store.get(key_of(0));
  // Writes go on, and key0's segment is evicted though a reply still reads it.
  for (int i = 0; i < 3 * n; ++i) {
    ASSERT_EQ(store.store(StoreMode::kSet, fmt::format("n{}", i), value_, 0, 0).result,
              StoreResult::kStored);
  }
  EXPECT_EQ(held.value(), value_);
  EXPECT_EQ(held.key(), key_of(0));
  // Its memory comes back once the reply is done.
  held.reset();
  for (int i = 0; i < n; ++i) store.store(StoreMode::kSet, fmt::format("m{}", i), value_, 0, 0);
  EXPECT_LE(store.memory_in_use(), store.memory_limit());
}

TEST_F(StoreMemoryTest, LargeValuesAfterSmallOnesFindRoom) {
  // No size classes to calcify: memory filled by small items serves large ones, and back.
  Store store(mebibytes(8), clock_);
  for (int i = 0; i < 100'000; ++i) {
    ASSERT_EQ(store.store(StoreMode::kSet, key_of(i), std::string(100, 's'), 0, 0).result,
              StoreResult::kStored);
  }
  const std::string large(500'000, 'L');
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(store.store(StoreMode::kSet, fmt::format("large{}", i), large, 0, 0).result,
              StoreResult::kStored);
  }
  EXPECT_EQ(store.get("large19").value(), large);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(store.store(StoreMode::kSet, fmt::format("small{}", i), "s", 0, 0).result,
              StoreResult::kStored);
  }
  EXPECT_LE(store.memory_in_use(), store.memory_limit());
}

TEST_F(StoreMemoryTest, ReplacingABigItemInATinyCacheIsStored) {
  // memcached -m 2: two 900 KB items fill it; setting one again must evict, not fail.
  Store store(mebibytes(2), clock_);
  EXPECT_EQ(store.store(StoreMode::kSet, "B0", std::string(900'000, 'a'), 0, 0).result,
            StoreResult::kStored);
  EXPECT_EQ(store.store(StoreMode::kSet, "B1", std::string(900'000, 'b'), 0, 0).result,
            StoreResult::kStored);
  EXPECT_EQ(store.store(StoreMode::kSet, "B0", std::string(600'000, 'c'), 0, 0).result,
            StoreResult::kStored);
  EXPECT_EQ(store.get("B0").value(), std::string(600'000, 'c'));
}

TEST_F(StoreMemoryTest, UnreadRepliesNeverMakeWritesFail) {
  Store store(mebibytes(8), clock_);
  for (int i = 0; i < 12; ++i) {
    store.store(StoreMode::kSet, fmt::format("B{}", i), std::string(900'000, 'x'), 0, 0);
  }
  const std::string present = store.get("B11") ? "B11" : "B10";
  std::vector<ItemHandle> unread;
  for (int i = 0; i < 20; ++i) unread.push_back(store.get(present));
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(
        store.store(StoreMode::kSet, fmt::format("N{}", i), std::string(600'000, 'y'), 0, 0).result,
        StoreResult::kStored);
    EXPECT_EQ(
        store.store(StoreMode::kSet, fmt::format("s{}", i), std::string(100, 'z'), 0, 0).result,
        StoreResult::kStored);
  }
  for (const ItemHandle& handle : unread) EXPECT_EQ(handle.value(), std::string(900'000, 'x'));
  unread.clear();
  store.store(StoreMode::kSet, "after", std::string(600'000, 'y'), 0, 0);
  EXPECT_LE(store.memory_in_use(), store.memory_limit());
}

TEST_F(StoreMemoryTest, ItemsLargerThanASegmentSpanSeveral) {
  StoreOptions options = mebibytes(32);
  options.item_size_max = std::size_t{8} << 20;
  Store store(options, clock_);
  std::string big(5'000'000, 'b');
  big[0] = 'x';
  ASSERT_EQ(store.store(StoreMode::kSet, "big", big, 0, 0).result, StoreResult::kStored);
  EXPECT_EQ(store.get("big").value(), big);
  ASSERT_EQ(store.store(StoreMode::kAppend, "big", "tail", 0, 0).result, StoreResult::kStored);
  EXPECT_EQ(store.get("big").value(), big + "tail");
  ASSERT_EQ(store.store(StoreMode::kPrepend, "big", "head", 0, 0).result, StoreResult::kStored);
  EXPECT_EQ(store.get("big").value().substr(0, 5), "headx");
  // Enough of them to evict each other, within the limit.
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(store.store(StoreMode::kSet, fmt::format("big{}", i), big, 0, 0).result,
              StoreResult::kStored);
    ASSERT_LE(store.memory_in_use(), store.memory_limit());
  }
}

TEST_F(StoreMemoryTest, WithoutEvictionsAFullStoreSaysOutOfMemory) {
  StoreOptions options = segments(2);
  options.evictions = false;
  Store store(options, clock_);
  int stored = 0;
  while (store.store(StoreMode::kSet, key_of(stored), value_, 0, 0).result ==
         StoreResult::kStored) {
    ASSERT_LT(++stored, 10 * per_segment());
  }
  EXPECT_GE(stored, 2 * per_segment() - 1);
  EXPECT_EQ(store.stats().evictions, 0u);
  for (int i = 0; i < stored; ++i) ASSERT_TRUE(store.get(key_of(i))) << i;
}

TEST_F(StoreMemoryTest, SlabStatsGroupItemsByMemcachedClasses) {
  Store store(segments(4), clock_);
  store.store(StoreMode::kSet, "a", std::string(100, 'v'), 0, 0);
  store.store(StoreMode::kSet, "b", std::string(100, 'v'), 0, 0);
  store.store(StoreMode::kSet, "c", std::string(100'000, 'v'), 0, 0);
  const std::vector<SlabClassStats> classes = store.slab_stats();
  ASSERT_EQ(classes.size(), SizeClasses::kCount);
  EXPECT_EQ(classes.front().slab.chunk_size, 96u);  // memcached's first class
  EXPECT_EQ(classes.back().slab.chunk_size, 512u * 1024);
  std::uint64_t items = 0;
  std::size_t previous = 0;
  for (const SlabClassStats& cls : classes) {
    EXPECT_GT(cls.slab.chunk_size, previous);
    previous = cls.slab.chunk_size;
    items += cls.number;
  }
  EXPECT_EQ(items, 3u);
  const auto small = static_cast<std::size_t>(SizeClasses::of(Item::plain_size(1, 100)));
  EXPECT_EQ(classes[small].number, 2u);
  EXPECT_EQ(classes[small].mem_requested, 2 * Item::plain_size(1, 100));
  EXPECT_EQ(store.memory_limit(), 4 * kUnit);
}

TEST_F(StoreMemoryTest, ItemsArePackedInTwoByteSteps) {
  Store store(segments(16), clock_);
  const std::size_t items = 10'000;
  for (std::size_t i = 0; i < items; ++i) {
    store.store(StoreMode::kSet, fmt::format("{:016}", i), std::string(100, 'v'), 0, 0);
  }
  // A 10-byte header (9 + 1 for the value's length), 16 + 100 bytes of key and value, and no
  // other space lost but a segment's last few bytes.
  EXPECT_EQ(Item::plain_size(16, 100), 126u);
  const std::size_t per_segment = kUnit / 126;
  EXPECT_EQ(store.memory_in_use(), (items + per_segment - 1) / per_segment * kUnit);
}

TEST_F(StoreMemoryTest, ASetWhoseOldItemMovesOnWhileMakingRoomReplacesTheMovedCopy) {
  Store store(segments(3), clock_);
  store.store(StoreMode::kSet, "expiring", "e", 0, 1000);  // a lane with room to keep items in
  const int n = per_segment();
  for (int i = 0; i < 2 * n; ++i) store.store(StoreMode::kSet, key_of(i), value_, 0, 0);
  ASSERT_TRUE(store.get(key_of(0)));  // read since written: it moves on if its segment goes
  // No room left: making room for the new value evicts key0's segment, and key0's old value
  // moves on, kept, while the set is under way. The new value must replace that copy.
  ASSERT_EQ(store.store(StoreMode::kSet, key_of(0), "new", 0, 0).result, StoreResult::kStored);
  EXPECT_EQ(store.get(key_of(0)).value(), "new");
  ASSERT_TRUE(store.remove(key_of(0)));
  EXPECT_FALSE(store.get(key_of(0)));  // no second, older copy left behind
}

TEST_F(StoreMemoryTest, ATouchThatEvictsItsOwnItemStillKeepsIt) {
  Store store(segments(2), clock_);
  // Two segments of items without an exptime: the first sealed, the second active.
  const int n = per_segment();
  for (int i = 0; i < n + 1; ++i) store.store(StoreMode::kSet, key_of(i), value_, 0, 0);
  const std::uint64_t cas = store.peek(key_of(0)).cas();
  // The copy with room for an exptime needs a segment of its own lane: the only one to
  // evict is the one that holds the item being touched.
  const ItemHandle touched = store.gat(key_of(0), 100);
  ASSERT_TRUE(touched);
  EXPECT_EQ(touched.value(), value_);
  const ItemHandle now = store.peek(key_of(0));
  ASSERT_TRUE(now);
  EXPECT_EQ(now.cas(), cas);
  EXPECT_EQ(clock_.seconds_left(now.exptime()), 100);
  EXPECT_GE(store.stats().evictions, 1u);
}

TEST_F(StoreMemoryTest, OptionalFieldsCostOnlyTheItemsThatUseThem) {
  Store store(segments(4), clock_);
  store.store(StoreMode::kSet, "plain", "v", 0, 0);
  store.store(StoreMode::kSet, "flagged", "v", 7, 0);
  store.store(StoreMode::kSet, "expiring", "v", 0, 100);
  const auto size = [&](std::string_view key) { return store.peek(key).get()->total_size(); };
  EXPECT_EQ(size("plain"), Item::plain_size(5, 1));
  EXPECT_EQ(size("flagged"), Item::plain_size(7, 1) + 4);
  EXPECT_EQ(size("expiring"), Item::plain_size(8, 1) + 4);
  // A touch that gives a plain item an exptime moves it to a copy with room for one, under
  // the same CAS unique.
  const std::uint64_t cas = store.peek("plain").cas();
  ASSERT_TRUE(store.touch("plain", 100));
  EXPECT_EQ(size("plain"), Item::plain_size(5, 1) + 4 + 8);
  EXPECT_EQ(store.peek("plain").cas(), cas);
  EXPECT_EQ(store.peek("plain").value(), "v");
  EXPECT_EQ(store.stats().curr_items, 3u);
}

TEST_F(StoreMemoryTest, CasUniquesAreDistinctAcrossShardsAndThreads) {
  ShardedStore shards(mebibytes(64), clock_, 4);
  constexpr int kThreads = 4;
  constexpr int kKeys = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&shards, t] {
      for (int i = 0; i < kKeys; ++i) {
        const std::string key = fmt::format("t{}k{}", t, i);
        shards.with_shard(key, [&](Store& s) { s.store(StoreMode::kSet, key, "v", 0, 0); });
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::uint64_t> uniques;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kKeys; ++i) {
      const std::string key = fmt::format("t{}k{}", t, i);
      uniques.insert(shards.with_shard(key, [&](Store& s) { return s.get(key).cas(); }));
    }
  }
  EXPECT_EQ(uniques.size(), static_cast<std::size_t>(kThreads * kKeys));
}

TEST_F(StoreMemoryTest, FourShardsHoldAsMuchAsOne) {
  const auto fill = [&](std::size_t shard_count) {
    ShardedStore shards(mebibytes(16), clock_, shard_count);
    for (int i = 0; i < 200'000; ++i) {
      const std::string key = key_of(i);
      shards.with_shard(key, [&](Store& s) {
        EXPECT_EQ(s.store(StoreMode::kSet, key, std::string(100, 'v'), 0, 0).result,
                  StoreResult::kStored);
      });
    }
    std::uint64_t items = 0;
    shards.for_each([&](Store& s) {
      items += s.stats().curr_items;
      EXPECT_LE(s.memory_in_use(), s.memory_limit());
    });
    return items;
  };
  const std::uint64_t one = fill(1);
  const std::uint64_t four = fill(4);
  EXPECT_GT(one, 90'000u);
  EXPECT_GE(four, one * 9 / 10);
}

}  // namespace
}  // namespace mc::server

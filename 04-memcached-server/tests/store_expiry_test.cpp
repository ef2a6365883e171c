// Expiry with an injected clock: relative, absolute, negative, flush_all and the sweep.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "mc/server/store.hpp"

namespace mc::server {
namespace {

constexpr std::int64_t kStart = 1'700'000'000;

class StoreExpiryTest : public ::testing::Test {
 protected:
  Clock clock_{kStart};
  Store store_{StoreOptions{}, clock_};

  void set(std::string_view key, std::int64_t exptime) {
    ASSERT_EQ(store_.store(StoreMode::kSet, key, "v", 0, exptime).result, StoreResult::kStored);
  }
  bool present(std::string_view key) { return bool(store_.get(key)); }
};

TEST_F(StoreExpiryTest, ZeroNeverExpires) {
  set("k", 0);
  clock_.advance(365 * 24 * 3600);
  EXPECT_TRUE(present("k"));
}

TEST_F(StoreExpiryTest, RelativeExptimeExpiresAfterThatManySeconds) {
  set("k", 10);
  clock_.advance(9);
  EXPECT_TRUE(present("k"));
  clock_.advance(1);
  EXPECT_FALSE(present("k"));
  EXPECT_EQ(store_.stats().get_expired, 1u);
  EXPECT_EQ(store_.stats().get_misses, 1u);
  EXPECT_EQ(store_.stats().curr_items, 0u);
}

TEST_F(StoreExpiryTest, ThirtyDaysIsStillRelative) {
  set("k", kMaxRelativeExptime);
  clock_.advance(kMaxRelativeExptime - 1);
  EXPECT_TRUE(present("k"));
  clock_.advance(1);
  EXPECT_FALSE(present("k"));
}

TEST_F(StoreExpiryTest, LargerValuesAreAbsoluteUnixTimes) {
  set("future", kStart + 100);
  set("past", kStart - 100);
  set("just-over-30-days", kMaxRelativeExptime + 1);  // 1970: long gone
  EXPECT_FALSE(present("past"));
  EXPECT_FALSE(present("just-over-30-days"));
  clock_.set_unix_time(kStart + 99);
  EXPECT_TRUE(present("future"));
  clock_.set_unix_time(kStart + 100);
  EXPECT_FALSE(present("future"));
}

TEST_F(StoreExpiryTest, NegativeExptimeIsExpiredAtOnce) {
  set("k", -1);
  EXPECT_FALSE(present("k"));
  EXPECT_EQ(store_.stats().total_items, 1u);  // stored, as memcached answers STORED
}

TEST_F(StoreExpiryTest, TouchAndGatMoveTheExptime) {
  set("k", 5);
  EXPECT_TRUE(store_.touch("k", 100));
  clock_.advance(50);
  EXPECT_TRUE(present("k"));
  EXPECT_TRUE(store_.gat("k", -1));  // gat returns the item, then it is expired
  EXPECT_FALSE(present("k"));
  EXPECT_FALSE(store_.touch("k", 100));
}

TEST_F(StoreExpiryTest, ExpiredItemsCountAsMissingForEveryCommand) {
  set("k", 1);
  clock_.advance(1);
  EXPECT_EQ(store_.store(StoreMode::kAdd, "k", "new", 0, 0).result, StoreResult::kStored);
  set("gone", 1);
  clock_.advance(1);
  EXPECT_EQ(store_.store(StoreMode::kReplace, "gone", "x", 0, 0).result, StoreResult::kNotStored);
  EXPECT_FALSE(store_.remove("gone"));
  EXPECT_EQ(store_.delta("gone", true, 1).result, DeltaResult::kNotFound);
}

TEST_F(StoreExpiryTest, FlushAllInvalidatesEverythingStoredBefore) {
  set("a", 0);
  set("b", 100);
  store_.flush_all();
  EXPECT_FALSE(present("a"));
  EXPECT_FALSE(present("b"));
  EXPECT_EQ(store_.stats().get_flushed, 2u);
  set("c", 0);  // stored after the flush, in the same second
  EXPECT_TRUE(present("c"));
}

TEST_F(StoreExpiryTest, FlushAllWithDelayTakesEffectOneSecondEarly) {
  // memcached 1.6 sets oldest_live = realtime(delay) - 1.
  set("a", 0);
  store_.flush_all(10);
  clock_.advance(8);
  EXPECT_TRUE(present("a"));
  set("b", 0);
  clock_.advance(1);
  EXPECT_FALSE(present("a"));
  EXPECT_FALSE(present("b"));
  set("c", 0);
  EXPECT_TRUE(present("c"));
}

TEST_F(StoreExpiryTest, FlushAllWithOneSecondIsImmediate) {
  set("a", 0);
  store_.flush_all(1);
  EXPECT_FALSE(present("a"));
}

TEST_F(StoreExpiryTest, ExpireSomeRemovesDeadItemsInBoundedSteps) {
  for (int i = 0; i < 1000; ++i) set(fmt::format("short{}", i), 5);
  for (int i = 0; i < 1000; ++i) set(fmt::format("long{}", i), 0);
  store_.get("short1");  // fetched: not counted as expired_unfetched
  clock_.advance(5);
  const std::size_t first = store_.expire_some(100);
  EXPECT_LE(first, 100u);
  std::size_t removed = first;
  for (int round = 0; round < 10000 && store_.stats().curr_items > 1000; ++round) {
    removed += store_.expire_some(100);
  }
  EXPECT_EQ(removed, 1000u);
  EXPECT_EQ(store_.stats().curr_items, 1000u);
  EXPECT_EQ(store_.stats().crawler_reclaimed, 1000u);
  EXPECT_EQ(store_.stats().expired_unfetched, 999u);
  EXPECT_GE(store_.stats().crawler_items_checked, 2000u);
  EXPECT_TRUE(present("long7"));
}

TEST_F(StoreExpiryTest, ExpireSomeRemovesFlushedItems) {
  for (int i = 0; i < 100; ++i) set(fmt::format("k{}", i), 0);
  store_.flush_all();
  std::size_t removed = 0;
  for (int round = 0; round < 10000 && store_.stats().curr_items > 0; ++round) {
    removed += store_.expire_some(1000);
  }
  EXPECT_EQ(removed, 100u);
  EXPECT_EQ(store_.stats().expired_unfetched, 0u);
}

}  // namespace
}  // namespace mc::server

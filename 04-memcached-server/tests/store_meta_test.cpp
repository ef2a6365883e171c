// What the meta commands need from the store: state before an access, vivify, invalidation,
// stale writes, the 16-bit access time, -M, and the item walk behind the key dumps.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "mc/server/store.hpp"

namespace mc::server {
namespace {

class StoreMetaTest : public ::testing::Test {
 protected:
  Clock clock_{1'700'000'000};
  Store store_{StoreOptions{}, clock_};

  std::uint8_t state_of(std::string_view key) {
    const ItemHandle item = store_.peek(key);
    return item ? item.state() : 0;
  }
};

TEST_F(StoreMetaTest, MetaGetReportsTheStateBeforeTheAccess) {
  store_.store(StoreMode::kSet, "k", "v", 0, 0);
  clock_.advance(5);
  const MetaGetOutcome first = store_.meta_get("k", {});
  ASSERT_TRUE(first.item);
  EXPECT_FALSE(first.fetched_before);
  EXPECT_EQ(first.idle_seconds, 5u);
  clock_.advance(2);
  const MetaGetOutcome second = store_.meta_get("k", {});
  EXPECT_TRUE(second.fetched_before);
  EXPECT_EQ(second.idle_seconds, 2u);  // the first access was recorded
  EXPECT_EQ(store_.stats().get_hits, 2u);
}

TEST_F(StoreMetaTest, MetaGetWithoutBumpLeavesNoTrace) {
  store_.store(StoreMode::kSet, "k", "v", 0, 0);
  clock_.advance(3);
  EXPECT_TRUE(store_.meta_get("k", {.bump = false}).item);
  clock_.advance(1);
  const MetaGetOutcome again = store_.meta_get("k", {.bump = false});
  EXPECT_FALSE(again.fetched_before);
  EXPECT_EQ(again.idle_seconds, 4u);
}

TEST_F(StoreMetaTest, MetaGetCountsATouchWhenAskedTo) {
  store_.store(StoreMode::kSet, "k", "v", 0, 0);
  store_.meta_get("k", {.touch = true});
  store_.meta_get("missing", {.touch = true});  // memcached counts a miss as a get miss
  EXPECT_EQ(store_.stats().touch_hits, 1u);
  EXPECT_EQ(store_.stats().get_misses, 1u);
  EXPECT_EQ(store_.stats().get_hits, 0u);
}

TEST_F(StoreMetaTest, VivifyCreatesAnEmptyItemOnce) {
  const MetaGetOutcome created = store_.meta_get("k", {.vivify = true});
  ASSERT_TRUE(created.item);
  EXPECT_TRUE(created.created);
  EXPECT_EQ(created.item.value(), "");
  EXPECT_EQ(created.item.exptime(), 0u);
  const MetaGetOutcome found = store_.meta_get("k", {.vivify = true});
  EXPECT_FALSE(found.created);
  EXPECT_EQ(found.item.get(), created.item.get());
}

TEST_F(StoreMetaTest, TokenSentAndExptimeChangeTheLinkedItem) {
  store_.store(StoreMode::kSet, "k", "v", 0, 0);
  ItemHandle item = store_.meta_get("k", {}).item;
  const std::uint64_t cas = item.cas();
  store_.mark(item, kItemTokenSent);
  store_.set_exptime(item, clock_.exptime_to_rel(30));  // a copy with room for an exptime
  EXPECT_EQ(item.get(), store_.peek("k").get());
  EXPECT_NE(state_of("k") & kItemTokenSent, 0);
  EXPECT_EQ(clock_.seconds_left(store_.peek("k").exptime()), 30);
  EXPECT_EQ(store_.peek("k").cas(), cas);
  store_.set_exptime(item, clock_.exptime_to_rel(60));  // in place now
  EXPECT_EQ(item.get(), store_.peek("k").get());
  EXPECT_EQ(clock_.seconds_left(item.exptime()), 60);
}

TEST_F(StoreMetaTest, InvalidateMarksStaleWithANewCasInsteadOfDeleting) {
  const std::uint64_t cas = store_.store(StoreMode::kSet, "k", "v", 0, 0).cas;
  store_.mark(store_.peek("k"), kItemTokenSent);
  const MetaDeleteResult result = store_.meta_delete("k", {.invalidate = true,
                                                           .set_marks = kItemStale,
                                                           .clear_marks = kItemTokenSent,
                                                           .exptime = clock_.exptime_to_rel(50)});
  EXPECT_EQ(result, MetaDeleteResult::kDone);
  const ItemHandle item = store_.peek("k");
  ASSERT_TRUE(item);
  EXPECT_GT(item.cas(), cas);
  EXPECT_NE(item.state() & kItemStale, 0);
  EXPECT_EQ(item.state() & kItemTokenSent, 0);  // the next reader may win again
  EXPECT_EQ(clock_.seconds_left(item.exptime()), 50);
}

TEST_F(StoreMetaTest, InvalidateCopiesAnItemAReplyStillReads) {
  const std::uint64_t cas = store_.store(StoreMode::kSet, "k", "value", 3, 0).cas;
  const ItemHandle in_reply = store_.get("k");
  EXPECT_EQ(store_.meta_delete("k", {.invalidate = true, .set_marks = kItemStale}),
            MetaDeleteResult::kDone);
  EXPECT_EQ(in_reply.cas(), cas);  // what the reply reads does not change under it
  const ItemHandle now = store_.peek("k");
  EXPECT_NE(now.get(), in_reply.get());
  EXPECT_EQ(now.value(), "value");
  EXPECT_EQ(now.flags(), 3u);
  EXPECT_NE(now.state() & kItemStale, 0);
}

TEST_F(StoreMetaTest, MetaDeleteComparesCas) {
  const std::uint64_t cas = store_.store(StoreMode::kSet, "k", "v", 0, 0).cas;
  EXPECT_EQ(store_.meta_delete("k", {.cas = cas + 1}), MetaDeleteResult::kExists);
  EXPECT_EQ(store_.meta_delete("k", {.cas = cas}), MetaDeleteResult::kDone);
  EXPECT_EQ(store_.meta_delete("k", {}), MetaDeleteResult::kNotFound);
  EXPECT_EQ(store_.stats().delete_hits, 1u);
  EXPECT_EQ(store_.stats().delete_misses, 2u);  // EX counts as a miss, as in memcached
}

TEST_F(StoreMetaTest, MarksAreTheCallersAndLeaveTheStoresBitsAlone) {
  store_.store(StoreMode::kSet, "k", "v", 0, 0);
  const ItemHandle item = store_.get("k");  // sets kItemFetched, the store's own bit
  store_.mark(item, kItemStale | kItemTokenSent | kItemFetched | kItemLinked);
  EXPECT_EQ(state_of("k") & kCallerMarks, kItemStale | kItemTokenSent);
  store_.mark(item, 0, kItemTokenSent | kItemFetched | kItemLinked);
  EXPECT_EQ(state_of("k") & kCallerMarks, kItemStale);
  EXPECT_NE(state_of("k") & kItemFetched, 0);  // not the caller's to clear
  EXPECT_TRUE(store_.peek("k"));               // still linked
}

TEST_F(StoreMetaTest, StoreMarksSetMarksAndAnExptimeInClockTime) {
  const RelTime exptime = clock_.exptime_to_rel(100);
  store_.store(StoreMode::kSet, "k", "v", 0, 0, 0, {.set = kItemStale, .exptime = exptime});
  const ItemHandle item = store_.peek("k");
  EXPECT_EQ(item.state() & kCallerMarks, kItemStale);
  EXPECT_EQ(item.exptime(), exptime);  // not the client's 0
}

TEST_F(StoreMetaTest, BinaryKeyMarkFollowsTheItem) {
  store_.store(StoreMode::kSet, "k", "v", 0, 0, 0, {.set = kItemKeyBinary});
  EXPECT_NE(state_of("k") & kItemKeyBinary, 0);
  EXPECT_TRUE(store_.describe(*store_.peek("k").get()).key_binary);
  store_.store(StoreMode::kSet, "k", "v", 0, 0);
  EXPECT_EQ(state_of("k") & kItemKeyBinary, 0);
}

TEST_F(StoreMetaTest, MetaDeltaCreatesTheCounterWithItsInitialValue) {
  const MetaDeltaOutcome created =
      store_.meta_delta("n", {.delta = 5, .vivify = true, .initial = 13});
  EXPECT_EQ(created.result, DeltaResult::kOk);
  EXPECT_TRUE(created.created);
  EXPECT_EQ(created.value, 13u);  // the delta is not applied on creation
  EXPECT_EQ(created.item.value(), "13");
  const MetaDeltaOutcome next = store_.meta_delta("n", {.incr = false, .delta = 5, .vivify = true});
  EXPECT_FALSE(next.created);
  EXPECT_EQ(next.value, 8u);
  EXPECT_EQ(next.item.cas(), store_.peek("n").cas());
  EXPECT_EQ(store_.meta_delta("missing", {}).result, DeltaResult::kNotFound);
  EXPECT_EQ(store_.meta_delta("n", {.cas = next.item.cas() + 1}).result, DeltaResult::kExists);
}

TEST_F(StoreMetaTest, IdleTimeSurvivesTheSixteenBitWrapThanksToTheSweep) {
  store_.store(StoreMode::kSet, "k", "v", 0, 0);
  clock_.advance(40'000);
  EXPECT_EQ(store_.describe(*store_.peek("k").get()).idle_seconds, 40'000u);
  store_.expire_some(std::size_t{1} << 20);  // a full pass holds long-idle items at 2^15 s
  EXPECT_EQ(store_.describe(*store_.peek("k").get()).idle_seconds, 32'768u);
  clock_.advance(30'000);  // would wrap past 65,535 without the sweep
  EXPECT_EQ(store_.describe(*store_.peek("k").get()).idle_seconds, 62'768u);
}

TEST_F(StoreMetaTest, DescribeNamesTheSizeClassAndTotalSize) {
  store_.store(StoreMode::kSet, "small", "v", 0, 0);
  store_.store(StoreMode::kSet, "large", std::string(5000, 'v'), 0, 0);
  const ItemInfo small = store_.describe(*store_.peek("small").get());
  const ItemInfo large = store_.describe(*store_.peek("large").get());
  EXPECT_EQ(small.size, Item::plain_size(5, 1));
  EXPECT_EQ(large.size, Item::plain_size(5, 5000));
  EXPECT_LT(small.slab_class, large.slab_class);
  const auto classes = store_.slab_stats();
  EXPECT_EQ(classes[static_cast<std::size_t>(large.slab_class)].number, 1u);
  EXPECT_GE(SizeClasses::chunk_size(static_cast<std::size_t>(large.slab_class)), large.size);
}

TEST_F(StoreMetaTest, VisitItemsListsEveryLiveItemInSlices) {
  for (int i = 0; i < 5000; ++i) store_.store(StoreMode::kSet, fmt::format("k{}", i), "v", 0, 0);
  store_.store(StoreMode::kSet, "expired", "v", 0, -1);
  store_.store(StoreMode::kSet, "due", "v", 0, 10);
  clock_.advance(10);
  std::set<std::string> seen;
  std::size_t slices = 0;
  std::size_t cursor = 0;
  do {
    cursor = store_.visit_items(cursor, 100, [&](const ItemInfo& info) {
      EXPECT_TRUE(seen.insert(std::string(info.key)).second) << info.key;
    });
    ++slices;
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 5000u);
  EXPECT_FALSE(seen.contains("expired"));
  EXPECT_FALSE(seen.contains("due"));
  EXPECT_GT(slices, 1u);
}

TEST(StoreNoEvictions, RefusesToEvictLiveItemsButReclaimsDeadOnes) {
  Clock clock{1'700'000'000};
  StoreOptions options;
  options.memory_limit = std::size_t{2} << 20;
  options.evictions = false;
  Store store(options, clock);
  const std::string value(1000, 'v');
  int stored = 0;
  while (store.store(StoreMode::kSet, fmt::format("k{}", stored), value, 0, 10).result ==
         StoreResult::kStored) {
    ++stored;
    ASSERT_LT(stored, 10'000);
  }
  EXPECT_GT(stored, 0);
  EXPECT_EQ(store.stats().evictions, 0u);
  EXPECT_TRUE(store.get("k0"));
  clock.advance(10);  // everything expires: the hand may now reclaim
  EXPECT_EQ(store.store(StoreMode::kSet, "after", value, 0, 0).result, StoreResult::kStored);
  EXPECT_EQ(store.stats().evictions, 0u);
  EXPECT_GE(store.stats().reclaimed, 1u);
}

}  // namespace
}  // namespace mc::server

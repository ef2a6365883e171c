// The storage commands, get/delete and the item size limit, with memcached 1.6's answers.
#include "mc/server/store.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mc::server {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  Clock clock_{1'700'000'000};
  Store store_{StoreOptions{}, clock_};

  std::string value_of(std::string_view key) {
    const ItemHandle item = store_.get(key);
    return item ? std::string(item.value()) : std::string("<miss>");
  }
};

TEST_F(StoreTest, SetThenGetReturnsValueFlagsAndCrlf) {
  EXPECT_EQ(store_.store(StoreMode::kSet, "k", "hello", 42, 0).result, StoreResult::kStored);
  const ItemHandle item = store_.get("k");
  ASSERT_TRUE(item);
  EXPECT_EQ(item.key(), "k");
  EXPECT_EQ(item.value(), "hello");
  EXPECT_EQ(item.value(), "hello");
  EXPECT_EQ(item.flags(), 42u);
  EXPECT_FALSE(store_.get("other"));
}

TEST_F(StoreTest, EmptyAndBinaryValuesRoundTrip) {
  const std::string binary("a\0b\r\nc", 6);
  store_.store(StoreMode::kSet, "bin", binary, 0, 0);
  store_.store(StoreMode::kSet, "empty", "", 0, 0);
  EXPECT_EQ(value_of("bin"), binary);
  EXPECT_EQ(value_of("empty"), "");
}

TEST_F(StoreTest, AddStoresOnlyWhenAbsent) {
  EXPECT_EQ(store_.store(StoreMode::kAdd, "k", "1", 0, 0).result, StoreResult::kStored);
  EXPECT_EQ(store_.store(StoreMode::kAdd, "k", "2", 0, 0).result, StoreResult::kNotStored);
  EXPECT_EQ(value_of("k"), "1");
}

TEST_F(StoreTest, ReplaceStoresOnlyWhenPresent) {
  EXPECT_EQ(store_.store(StoreMode::kReplace, "k", "1", 0, 0).result, StoreResult::kNotStored);
  store_.store(StoreMode::kSet, "k", "1", 0, 0);
  EXPECT_EQ(store_.store(StoreMode::kReplace, "k", "2", 7, 0).result, StoreResult::kStored);
  EXPECT_EQ(value_of("k"), "2");
  EXPECT_EQ(store_.get("k").flags(), 7u);
}

TEST_F(StoreTest, AppendAndPrependKeepFlagsAndExptime) {
  EXPECT_EQ(store_.store(StoreMode::kAppend, "k", "x", 0, 0).result, StoreResult::kNotStored);
  EXPECT_EQ(store_.store(StoreMode::kPrepend, "k", "x", 0, 0).result, StoreResult::kNotStored);
  store_.store(StoreMode::kSet, "k", "mid", 7, 100);
  EXPECT_EQ(store_.store(StoreMode::kAppend, "k", "-end", 9, 0).result, StoreResult::kStored);
  EXPECT_EQ(store_.store(StoreMode::kPrepend, "k", "start-", 9, 0).result, StoreResult::kStored);
  const ItemHandle item = store_.get("k");
  EXPECT_EQ(item.value(), "start-mid-end");
  EXPECT_EQ(item.flags(), 7u);
  EXPECT_EQ(clock_.seconds_left(item.exptime()), 100);
}

TEST_F(StoreTest, CasStoresOnlyWithTheCurrentUnique) {
  EXPECT_EQ(store_.store(StoreMode::kCas, "k", "v", 0, 0, 1).result, StoreResult::kNotFound);
  const std::uint64_t first = store_.store(StoreMode::kSet, "k", "v1", 0, 0).cas;
  EXPECT_EQ(store_.get("k").cas(), first);
  EXPECT_EQ(store_.store(StoreMode::kCas, "k", "v2", 0, 0, first + 100).result,
            StoreResult::kExists);
  const StoreOutcome stored = store_.store(StoreMode::kCas, "k", "v3", 0, 0, first);
  EXPECT_EQ(stored.result, StoreResult::kStored);
  EXPECT_NE(stored.cas, first);
  EXPECT_EQ(store_.store(StoreMode::kCas, "k", "v4", 0, 0, first).result, StoreResult::kExists);
  EXPECT_EQ(value_of("k"), "v3");
  EXPECT_EQ(store_.stats().cas_misses, 1u);
  EXPECT_EQ(store_.stats().cas_badval, 2u);
  EXPECT_EQ(store_.stats().cas_hits, 1u);
}

TEST_F(StoreTest, EveryModificationGetsANewCasUnique) {
  const std::uint64_t a = store_.store(StoreMode::kSet, "k", "1", 0, 0).cas;
  const std::uint64_t b = store_.store(StoreMode::kAppend, "k", "2", 0, 0).cas;
  const std::uint64_t c = store_.delta("k", true, 1, 0).cas;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(store_.get("k").cas(), c);
  store_.touch("k", 100);  // touch changes the exptime, not the unique (as memcached)
  EXPECT_EQ(store_.get("k").cas(), c);
}

TEST_F(StoreTest, CasDisabledReportsZero) {
  StoreOptions options;
  options.cas_enabled = false;
  Store store(options, clock_);
  EXPECT_EQ(store.store(StoreMode::kSet, "k", "v", 0, 0).cas, 0u);
  EXPECT_EQ(store.get("k").cas(), 0u);
}

TEST_F(StoreTest, DeleteRemovesAndCounts) {
  store_.store(StoreMode::kSet, "k", "v", 0, 0);
  EXPECT_TRUE(store_.remove("k"));
  EXPECT_FALSE(store_.remove("k"));
  EXPECT_FALSE(store_.get("k"));
  EXPECT_EQ(store_.stats().delete_hits, 1u);
  EXPECT_EQ(store_.stats().delete_misses, 1u);
}

TEST_F(StoreTest, CountsLikeMemcached) {
  store_.store(StoreMode::kSet, "a", "1", 0, 0);
  store_.store(StoreMode::kAdd, "a", "1", 0, 0);  // refused, but counted in cmd_set
  store_.get("a");
  store_.get("b");
  store_.touch("a", 10);
  store_.gat("b", 10);
  const StoreStats& s = store_.stats();
  EXPECT_EQ(s.cmd_set, 2u);
  EXPECT_EQ(s.total_items, 1u);
  EXPECT_EQ(s.curr_items, 1u);
  // The touch moved "a" to a copy with room for an exptime (4 bytes) that keeps its CAS (8).
  EXPECT_EQ(s.bytes, Item::plain_size(1, 1) + 4 + 8);
  EXPECT_EQ(s.cmd_get, 2u);
  EXPECT_EQ(s.get_hits, 1u);
  EXPECT_EQ(s.get_misses, 1u);
  EXPECT_EQ(s.cmd_touch, 2u);
  EXPECT_EQ(s.touch_hits, 1u);
  EXPECT_EQ(s.touch_misses, 1u);
  store_.reset_stats();
  EXPECT_EQ(store_.stats().cmd_set, 0u);
  EXPECT_EQ(store_.stats().curr_items, 1u);
}

TEST_F(StoreTest, GatReturnsTheItemAndSetsTheExptime) {
  store_.store(StoreMode::kSet, "k", "v", 0, 0);
  const ItemHandle item = store_.gat("k", 30);
  ASSERT_TRUE(item);
  EXPECT_EQ(item.value(), "v");
  EXPECT_EQ(clock_.seconds_left(item.exptime()), 30);
  EXPECT_FALSE(store_.gat("missing", 30));
}

TEST_F(StoreTest, RejectsKeysMemcachedRejects) {
  const std::string long_key(kMaxKeyLength + 1, 'k');
  EXPECT_EQ(store_.store(StoreMode::kSet, long_key, "v", 0, 0).result, StoreResult::kNotStored);
  EXPECT_EQ(store_.store(StoreMode::kSet, "", "v", 0, 0).result, StoreResult::kNotStored);
  EXPECT_FALSE(store_.get(long_key));
  const std::string longest(kMaxKeyLength, 'k');
  EXPECT_EQ(store_.store(StoreMode::kSet, longest, "v", 0, 0).result, StoreResult::kStored);
  EXPECT_EQ(value_of(longest), "v");
}

// Measured with memcached 1.6.18 -I 1m: the largest value `set` accepts, per key length.
TEST(MaxValueSize, MatchesMemcached1618AtOneMegabyte) {
  struct Edge {
    std::size_t key_length;
    std::size_t flags0_cas;
    std::size_t flags1_cas;
    std::size_t flags0_nocas;
  };
  const Edge edges[] = {{1, 1048516, 1048512, 1048524},
                        {10, 1048507, 1048503, 1048515},
                        {16, 1048501, 1048497, 1048509},
                        {100, 1048417, 1048413, 1048425},
                        {250, 1048267, 1048263, 1048275}};
  for (const Edge& e : edges) {
    SCOPED_TRACE(e.key_length);
    EXPECT_EQ(max_value_size(1 << 20, e.key_length, 0, true), e.flags0_cas);
    EXPECT_EQ(max_value_size(1 << 20, e.key_length, 1, true), e.flags1_cas);
    EXPECT_EQ(max_value_size(1 << 20, e.key_length, 0, false), e.flags0_nocas);
  }
}

TEST_F(StoreTest, StoresUpToTheEdgeAndRefusesOneByteMore) {
  for (const std::size_t key_length : {1u, 16u, 250u}) {
    for (const std::uint32_t flags : {0u, 5u}) {
      SCOPED_TRACE(key_length);
      const std::string key(key_length, 'k');
      const std::size_t edge = store_.max_value_size(key_length, flags);
      EXPECT_EQ(edge, 1048517 - key_length - (flags != 0 ? 4 : 0));
      EXPECT_EQ(store_.store(StoreMode::kSet, key, std::string(edge, 'v'), flags, 0).result,
                StoreResult::kStored);
      EXPECT_EQ(store_.get(key).value().size(), edge);
      EXPECT_EQ(store_.store(StoreMode::kSet, key, std::string(edge + 1, 'v'), flags, 0).result,
                StoreResult::kTooLarge);
    }
  }
}

TEST_F(StoreTest, TooLargeSetDeletesTheOldValueOtherCommandsKeepIt) {
  const std::string huge(store_.max_value_size(1, 0) + 1, 'v');
  for (const StoreMode mode : {StoreMode::kAdd, StoreMode::kReplace, StoreMode::kAppend,
                               StoreMode::kPrepend, StoreMode::kCas}) {
    store_.store(StoreMode::kSet, "k", "old", 0, 0);
    EXPECT_EQ(store_.store(mode, "k", huge, 0, 0, 1).result, StoreResult::kTooLarge);
    EXPECT_EQ(value_of("k"), "old");
  }
  EXPECT_EQ(store_.store(StoreMode::kSet, "k", huge, 0, 0).result, StoreResult::kTooLarge);
  EXPECT_EQ(value_of("k"), "<miss>");
}

TEST_F(StoreTest, AppendBeyondTheLimitIsNotStored) {
  // Each part fits; together they do not: memcached answers NOT_STORED and keeps the old value.
  const std::string half(store_.max_value_size(1, 0) / 2 + 1, 'v');
  store_.store(StoreMode::kSet, "k", half, 0, 0);
  EXPECT_EQ(store_.store(StoreMode::kAppend, "k", half, 0, 0).result, StoreResult::kNotStored);
  EXPECT_EQ(value_of("k"), half);
}

}  // namespace
}  // namespace mc::server

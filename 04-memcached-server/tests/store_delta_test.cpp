// incr/decr: 64-bit wrap and clamp, memcached's number parsing, in-place rewrite vs new item.
#include <gtest/gtest.h>

#include <string>

#include "mc/server/store.hpp"

namespace mc::server {
namespace {

class StoreDeltaTest : public ::testing::Test {
 protected:
  Clock clock_{1'700'000'000};
  Store store_{StoreOptions{}, clock_};

  void set(std::string_view value, std::uint32_t flags = 0, std::int64_t exptime = 0) {
    ASSERT_EQ(store_.store(StoreMode::kSet, "n", value, flags, exptime).result,
              StoreResult::kStored);
  }
  std::string value() { return std::string(store_.get("n").value()); }
};

TEST_F(StoreDeltaTest, IncrAndDecrReturnTheNewValue) {
  set("10");
  const DeltaOutcome up = store_.delta("n", true, 5);
  EXPECT_EQ(up.result, DeltaResult::kOk);
  EXPECT_EQ(up.value, 15u);
  EXPECT_EQ(store_.delta("n", false, 3).value, 12u);
  EXPECT_EQ(value(), "12");
  EXPECT_EQ(store_.stats().incr_hits, 1u);
  EXPECT_EQ(store_.stats().decr_hits, 1u);
}

TEST_F(StoreDeltaTest, IncrWrapsAt64Bits) {
  set("18446744073709551615");  // 2^64 - 1, the largest 20-digit value
  EXPECT_EQ(store_.delta("n", true, 1).value, 0u);
  set("10");
  EXPECT_EQ(store_.delta("n", true, UINT64_MAX).value, 9u);
}

TEST_F(StoreDeltaTest, DecrStopsAtZero) {
  set("5");
  EXPECT_EQ(store_.delta("n", false, 6).value, 0u);
  EXPECT_EQ(store_.delta("n", false, 1).value, 0u);
}

TEST_F(StoreDeltaTest, ShorterResultIsPaddedInPlaceLikeMemcached) {
  set("100", 3, 50);
  const std::uint64_t before = store_.get("n").cas();
  const DeltaOutcome down = store_.delta("n", false, 1);
  EXPECT_EQ(value(), "99 ");
  EXPECT_NE(down.cas, before);
  EXPECT_EQ(store_.stats().total_items, 1u);  // same item, rewritten
}

TEST_F(StoreDeltaTest, LongerResultMakesANewItemKeepingFlagsAndExptime) {
  set("99", 3, 50);
  EXPECT_EQ(store_.delta("n", true, 1).value, 100u);
  const ItemHandle item = store_.get("n");
  EXPECT_EQ(item.value(), "100");
  EXPECT_EQ(item.flags(), 3u);
  EXPECT_EQ(clock_.seconds_left(item.exptime()), 50);
  EXPECT_EQ(store_.stats().total_items, 2u);
}

TEST_F(StoreDeltaTest, HeldItemIsCopiedNotChangedUnderTheReader) {
  set("100");
  const ItemHandle reader = store_.get("n");
  EXPECT_EQ(store_.delta("n", false, 1).value, 99u);
  EXPECT_EQ(reader.value(), "100");
  EXPECT_EQ(value(), "99");  // a new item: exact length, as memcached when the item is busy
}

TEST_F(StoreDeltaTest, ParsesNumbersTheWayMemcachedDoes) {
  // Observed on memcached 1.6.18 with "decr n 1" (or incr where noted).
  struct Case {
    std::string stored;
    bool numeric;
    std::string after_decr;
  };
  const Case cases[] = {
      {" 12", true, "11 "},
      {"12 34", true, "11   "},
      {"1\t", true, "0 "},
      {"-0", true, "0 "},
      {"+5", true, "4 "},
      {"00000000000000000000001", true, "0                      "},
      {"18446744073709551615", true, "18446744073709551614"},
      {"-18446744073709551615", true, "0                    "},  // strtoull reads it as 1
      {"9223372036854775808", true, "9223372036854775807"},
      {"-5", false, ""},
      {"-9223372036854775808", false, ""},
      {"18446744073709551616", false, ""},
      {"99999999999999999999999", false, ""},
      {"12abc", false, ""},
      {"0x10", false, ""},
      {"", false, ""},
      {" ", false, ""},
      {"-", false, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.stored);
    set(c.stored);
    const DeltaOutcome result = store_.delta("n", false, 1);
    if (c.numeric) {
      EXPECT_EQ(result.result, DeltaResult::kOk);
      EXPECT_EQ(value(), c.after_decr);
    } else {
      EXPECT_EQ(result.result, DeltaResult::kNonNumeric);
      EXPECT_EQ(value(), c.stored);
    }
  }
}

TEST_F(StoreDeltaTest, MissingKeyIsCountedAsAMiss) {
  EXPECT_EQ(store_.delta("n", true, 1).result, DeltaResult::kNotFound);
  EXPECT_EQ(store_.delta("n", false, 1).result, DeltaResult::kNotFound);
  EXPECT_EQ(store_.stats().incr_misses, 1u);
  EXPECT_EQ(store_.stats().decr_misses, 1u);
}

TEST_F(StoreDeltaTest, NonNumericIsNeitherHitNorMiss) {
  set("abc");
  EXPECT_EQ(store_.delta("n", true, 1).result, DeltaResult::kNonNumeric);
  EXPECT_EQ(store_.stats().incr_hits, 0u);
  EXPECT_EQ(store_.stats().incr_misses, 0u);
}

TEST_F(StoreDeltaTest, ComparesACasWhenOneIsGiven) {
  set("1");
  const std::uint64_t cas = store_.get("n").cas();
  EXPECT_EQ(store_.delta("n", true, 1, cas + 1).result, DeltaResult::kExists);
  EXPECT_EQ(store_.delta("n", true, 1, cas).value, 2u);
}

}  // namespace
}  // namespace mc::server

#include "mc/bench/histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using mc::bench::Histogram;

TEST(Histogram, IsEmptyAtFirst) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.5), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(Histogram, GivesExactPercentilesOfOneToHundred) {
  Histogram h;
  for (std::uint64_t v = 100; v >= 1; --v) h.record(v);  // order must not matter
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.percentile(0.50), 50u);
  EXPECT_EQ(h.percentile(0.90), 90u);
  EXPECT_EQ(h.percentile(0.99), 99u);
  EXPECT_EQ(h.percentile(0.999), 100u);
  EXPECT_EQ(h.percentile(1.0), 100u);
  EXPECT_EQ(h.percentile(0.0), 1u);  // rank 1 at the least
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(Histogram, GivesExactPercentilesOfAThousandSamples) {
  // 990 fast requests and 10 slow ones: p99 is the last fast one, p99.9 a slow one.
  Histogram h;
  for (int i = 0; i < 990; ++i) h.record(40);
  for (int i = 0; i < 10; ++i) h.record(120);
  EXPECT_EQ(h.percentile(0.50), 40u);
  EXPECT_EQ(h.percentile(0.99), 40u);
  EXPECT_EQ(h.percentile(0.991), 120u);
  EXPECT_EQ(h.percentile(0.999), 120u);
}

TEST(Histogram, ReportsLargeValuesExactlyWhenTheyAreTheExtremes) {
  // Large values share buckets, but the smallest and the largest are tracked exactly and
  // clamp what a bucket reports.
  Histogram h;
  for (int i = 0; i < 1000; ++i) h.record(1'000'000);
  EXPECT_EQ(h.percentile(0.5), 1'000'000u);
  h.record(5'000'000);
  EXPECT_EQ(h.percentile(1.0), 5'000'000u);
  EXPECT_EQ(h.max(), 5'000'000u);
}

TEST(Histogram, KeepsLargeValuesWithinOneBucketWidth) {
  for (std::uint64_t v : {128ull, 129ull, 255ull, 256ull, 1000ull, 123'456ull, 987'654'321ull}) {
    SCOPED_TRACE(v);
    Histogram h;
    h.record(1);  // so that the bucket's top is not clamped to v itself
    h.record(v);
    h.record(v * 4);
    const std::uint64_t reported = h.percentile(0.5);
    EXPECT_GE(reported, v);  // never understated
    EXPECT_LE(reported - v, v / Histogram::kSubBuckets);
  }
}

TEST(Histogram, BucketsTileTheRangeWithoutGaps) {
  for (std::size_t i = 1; i < Histogram::bucket_count(); ++i) {
    ASSERT_EQ(Histogram::bucket_low(i), Histogram::bucket_high(i - 1) + 1) << "bucket " << i;
    ASSERT_EQ(Histogram::bucket_of(Histogram::bucket_low(i)), i);
    ASSERT_EQ(Histogram::bucket_of(Histogram::bucket_high(i)), i);
  }
  EXPECT_EQ(Histogram::bucket_high(Histogram::bucket_count() - 1), Histogram::kMaxValue);
}

TEST(Histogram, ClampsValuesAboveTheRange) {
  Histogram h;
  h.record(~std::uint64_t{0});
  EXPECT_EQ(h.max(), Histogram::kMaxValue);
  EXPECT_EQ(h.percentile(1.0), Histogram::kMaxValue);
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  Histogram a;
  Histogram b;
  Histogram both;
  for (std::uint64_t v = 1; v <= 5000; v += 7) {
    (v % 2 ? a : b).record(v * 13);
    both.record(v * 13);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), both.count());
  EXPECT_EQ(a.min(), both.min());
  EXPECT_EQ(a.max(), both.max());
  EXPECT_DOUBLE_EQ(a.mean(), both.mean());
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.999}) EXPECT_EQ(a.percentile(q), both.percentile(q));
}

TEST(Histogram, ForgetsEverythingOnReset) {
  Histogram h;
  h.record(77);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.99), 0u);
  h.record(5);
  EXPECT_EQ(h.min(), 5u);
  EXPECT_EQ(h.max(), 5u);
}

}  // namespace

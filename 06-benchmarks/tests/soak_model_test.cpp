// The soak's verifier must be able to fail: every kind of wrong reply fed to it is caught.

#include "mc/bench/soak_model.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using mc::bench::soak::check_hit;
using mc::bench::soak::check_miss;
using mc::bench::soak::check_shared;
using mc::bench::soak::Expected;
using mc::bench::soak::make_record;
using mc::bench::soak::parse_records;
using mc::bench::soak::Problem;

TEST(SoakRecord, HasTheAskedSizeAndParsesBack) {
  for (std::size_t size : {0u, 10u, 40u, 41u, 1000u}) {
    SCOPED_TRACE(size);
    const std::string record = make_record("soak:o:1:2", 77, size);
    if (size >= 40) {
      EXPECT_EQ(record.size(), size);
    }
    const auto records = parse_records(record);
    ASSERT_TRUE(records);
    ASSERT_EQ(records->size(), 1u);
    EXPECT_EQ((*records)[0].key, "soak:o:1:2");
    EXPECT_EQ((*records)[0].version, 77u);
  }
}

TEST(SoakRecord, AppendedRecordsParseInOrder) {
  const std::string value = make_record("k", 1, 50) + make_record("k", 9, 80);
  const auto records = parse_records(value);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[1].version, 9u);
}

TEST(SoakRecord, EveryCutAndEveryChangedByteIsNotWhole) {
  const std::string value = make_record("k", 3, 60) + make_record("k", 4, 60);
  for (std::size_t cut = 1; cut < value.size(); ++cut) {
    if (cut == 60) continue;  // a cut between records leaves one whole record
    SCOPED_TRACE(cut);
    EXPECT_FALSE(parse_records(value.substr(0, cut)));
  }
  for (std::size_t at = 0; at < value.size(); ++at) {
    SCOPED_TRACE(at);
    std::string changed = value;
    changed[at] = static_cast<char>(changed[at] ^ 0x01);
    EXPECT_FALSE(parse_records(changed));
  }
  EXPECT_FALSE(parse_records(""));
}

TEST(SoakCheckHit, AcceptsTheLastAcknowledgedWrite) {
  const std::string value = make_record("k", 5, 100);
  EXPECT_EQ(check_hit("k", Expected::present(value, 5), value, 5), Problem::kNone);
}

TEST(SoakCheckHit, DetectsAStaleValue) {
  const std::string old_value = make_record("k", 4, 100);
  const std::string new_value = make_record("k", 5, 100);
  EXPECT_EQ(check_hit("k", Expected::present(new_value, 5), old_value, 4), Problem::kStale);
  // An append the server lost is stale too: the last record is the older write.
  EXPECT_EQ(check_hit("k", Expected::present(old_value + new_value, 4), old_value, 4),
            Problem::kStale);
}

TEST(SoakCheckHit, DetectsADeletedValueComingBack) {
  EXPECT_EQ(check_hit("k", Expected::absent(), make_record("k", 4, 60), 0), Problem::kStale);
}

TEST(SoakCheckHit, DetectsATornValue) {
  const std::string value = make_record("k", 5, 100);
  const auto expected = Expected::present(value, 5);
  EXPECT_EQ(check_hit("k", expected, value.substr(0, 50), 5), Problem::kTorn);
  std::string flipped = value;
  flipped[30] = static_cast<char>(flipped[30] == 'a' ? 'b' : 'a');
  EXPECT_EQ(check_hit("k", expected, flipped, 5), Problem::kTorn);
  // The head of one write and the tail of the next, both of this key.
  const std::string next = make_record("k", 6, 100);
  EXPECT_EQ(check_hit("k", expected, value.substr(0, 50) + next.substr(50), 5), Problem::kTorn);
}

TEST(SoakCheckHit, DetectsAForeignValue) {
  const std::string mine = make_record("k1", 5, 100);
  const std::string theirs = make_record("k2", 5, 100);
  EXPECT_EQ(check_hit("k1", Expected::present(mine, 5), theirs, 5), Problem::kForeign);
  EXPECT_EQ(check_hit("k1", Expected::unknown(), theirs, 5), Problem::kForeign);
  EXPECT_EQ(check_shared("k1", theirs), Problem::kForeign);
}

TEST(SoakCheckHit, DetectsWrongFlagsAndAWrongValue) {
  const std::string value = make_record("k", 5, 100);
  EXPECT_EQ(check_hit("k", Expected::present(value, 5), value, 6), Problem::kWrongFlags);
  // Newer than anything acknowledged: a write that was never answered STORED.
  EXPECT_EQ(check_hit("k", Expected::present(value, 5), make_record("k", 6, 100), 5),
            Problem::kWrongValue);
}

TEST(SoakCheckHit, ComparesCountersAsNumbers) {
  EXPECT_EQ(check_hit("c", Expected::present("120", 0), "120", 0), Problem::kNone);
  EXPECT_EQ(check_hit("c", Expected::present("120", 0), "119", 0), Problem::kStale);
  EXPECT_EQ(check_hit("c", Expected::present("120", 0), "121", 0), Problem::kWrongValue);
  EXPECT_EQ(check_hit("c", Expected::absent(), "5", 0), Problem::kStale);
}

TEST(SoakCheckHit, AcceptsAnyWholeValueOfTheKeyAfterAnUnansweredWrite) {
  EXPECT_EQ(check_hit("k", Expected::unknown(), make_record("k", 9, 70), 1), Problem::kNone);
  EXPECT_EQ(check_hit("k", Expected::unknown(), "garbage", 1), Problem::kTorn);
}

TEST(SoakCheckMiss, AllowsAMissOnlyWhenEvictionCanExplainIt) {
  const auto present = Expected::present(make_record("k", 1, 60), 0);
  EXPECT_EQ(check_miss(present, false), Problem::kUnexpectedMiss);
  EXPECT_EQ(check_miss(present, true), Problem::kNone);
  EXPECT_EQ(check_miss(Expected::absent(), false), Problem::kNone);
  EXPECT_EQ(check_miss(Expected::unknown(), false), Problem::kNone);
}

TEST(SoakCheckShared, AcceptsAnyWholeValueOfTheKey) {
  EXPECT_EQ(check_shared("s", make_record("s", 1, 60) + make_record("s", 3, 60)), Problem::kNone);
  EXPECT_EQ(check_shared("s", make_record("s", 1, 60).substr(1)), Problem::kTorn);
}

}  // namespace

#include "mc/bench/workload.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace {

using namespace mc::bench;

TEST(KeyChooser, WalksSequentiallyAndWraps) {
  KeyChooser chooser(KeyPattern::kSequential, 5, 1, 3);
  std::vector<std::uint64_t> keys;
  for (int i = 0; i < 7; ++i) keys.push_back(chooser.next());
  EXPECT_EQ(keys, (std::vector<std::uint64_t>{3, 4, 0, 1, 2, 3, 4}));
}

TEST(KeyChooser, DrawsUniformKeysInRangeAndReachesAll) {
  KeyChooser chooser(KeyPattern::kUniform, 10, 42);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto key = chooser.next();
    ASSERT_LT(key, 10u);
    seen.insert(key);
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST(KeyChooser, RepeatsItselfForTheSameSeed) {
  KeyChooser a(KeyPattern::kUniform, 1000, 7);
  KeyChooser b(KeyPattern::kUniform, 1000, 7);
  KeyChooser c(KeyPattern::kUniform, 1000, 8);
  int differences = 0;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    differences += x != c.next();
  }
  EXPECT_GT(differences, 50);
}

TEST(KeyChooser, MakesLowZipfKeysHot) {
  const ZipfTable zipf(10'000);
  KeyChooser chooser(KeyPattern::kZipf, 10'000, 3, 0, &zipf);
  int hottest = 0;
  int top_hundred = 0;
  const int draws = 100'000;
  for (int i = 0; i < draws; ++i) {
    const auto key = chooser.next();
    ASSERT_LT(key, 10'000u);
    hottest += key == 0;
    top_hundred += key < 100;
  }
  // With theta 0.99 over 10,000 keys, key 0 has about 1/zeta = 10 % of the draws and the top
  // hundred about half; a uniform draw would give 0.01 % and 1 %.
  EXPECT_GT(hottest, draws / 20);
  EXPECT_GT(top_hundred, draws / 3);
}

TEST(ValueSource, GivesEveryKeyItsOwnStableValue) {
  const ValueSource values(32, 1);
  EXPECT_EQ(values.value_of(5).size(), 32u);
  EXPECT_EQ(values.value_of(5), values.value_of(5));
  EXPECT_NE(values.value_of(5), values.value_of(6));
  const ValueSource other_seed(32, 2);
  EXPECT_NE(values.value_of(5), other_seed.value_of(5));
}

TEST(Keys, RoundTripThroughTheirWireNames) {
  std::string name;
  append_key(name, "key:", 123456);
  EXPECT_EQ(name, "key:123456");
  std::uint64_t key = 0;
  EXPECT_TRUE(parse_key(name, "key:", 1'000'000, key));
  EXPECT_EQ(key, 123456u);
  EXPECT_FALSE(parse_key(name, "key:", 1000, key));  // out of range
  EXPECT_FALSE(parse_key("key:12x", "key:", 1000, key));
  EXPECT_FALSE(parse_key("other:12", "key:", 1000, key));
}

TEST(Options, ParseRatioServersAndPattern) {
  unsigned sets = 0;
  unsigned gets = 0;
  EXPECT_TRUE(parse_ratio("1:10", sets, gets));
  EXPECT_EQ(sets, 1u);
  EXPECT_EQ(gets, 10u);
  EXPECT_TRUE(parse_ratio("1:0", sets, gets));
  EXPECT_FALSE(parse_ratio("0:0", sets, gets));
  EXPECT_FALSE(parse_ratio("1-10", sets, gets));

  std::vector<Target> servers;
  EXPECT_TRUE(parse_servers("127.0.0.1:11211,localhost:22122", servers));
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[1].host, "localhost");
  EXPECT_EQ(servers[1].port, 22122);
  EXPECT_FALSE(parse_servers("127.0.0.1", servers));
  EXPECT_FALSE(parse_servers("127.0.0.1:0", servers));

  KeyPattern pattern = KeyPattern::kUniform;
  EXPECT_TRUE(parse_key_pattern("zipf", pattern));
  EXPECT_EQ(pattern, KeyPattern::kZipf);
  EXPECT_FALSE(parse_key_pattern("gaussian", pattern));
}

}  // namespace

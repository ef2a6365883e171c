// cppmc_soak end to end: a short soak passes against cppmemcached and against the real
// memcached (so the verifier accepts what the reference does), and a bound the server cannot
// keep makes it fail.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "json_number.hpp"
#include "mc/testing/process.hpp"

namespace {

using namespace std::chrono_literals;
using mc::bench::testing::json_number;

constexpr const char* kMemcached = "/usr/bin/memcached";

// Ten seconds of load with every fault, the stalled readers at full strength (each may send
// 64 MiB of requests it never reads the replies to).
mc::testing::RunResult run_soak(const std::string& server, std::vector<std::string> extra = {},
                                const std::string& seconds = "10") {
  std::vector<std::string> args = {
      "--server",         server, "--duration",      seconds, "--connections", "8",
      "--burst-interval", "4",    "--stall-clients", "2",     "--stall-kib",   "65536",
      "--stall-hold",     "2",    "--timeout",       "20000", "--json",        "-"};
  args.insert(args.end(), extra.begin(), extra.end());
  return mc::testing::run(CPPMC_SOAK_PATH, args, {}, 110s);
}

void expect_clean_run(const mc::testing::RunResult& result) {
  ASSERT_EQ(result.status, 0) << result.out << result.err;
  const std::string json = result.out.substr(result.out.find("RESULT:"));
  EXPECT_GT(json_number(json, "key_reads"), 1000);
  EXPECT_GT(json_number(json, "half_sets"), 0);
  EXPECT_GT(json_number(json, "resets"), 0);
  EXPECT_GT(json_number(json, "garbage_errors"), 0);
  EXPECT_GT(json_number(json, "stalls"), 0);
  EXPECT_GT(json_number(json, "burst_refused"), 0);
  for (const char* problem : {"stale", "torn", "foreign", "unexpected_miss", "wrong_value",
                              "wrong_flags", "wrong_reply", "transport", "fault", "server"}) {
    EXPECT_EQ(json_number(json, problem), 0) << problem;
  }
}

TEST(CppmcSoak, PassesAgainstCppmemcached) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // A sanitized server keeps freed memory in quarantine and adds shadow memory: its RSS says
  // nothing about ours, so only the release and debug builds check the bound.
  expect_clean_run(run_soak(CPPMEMCACHED_PATH, {"--max-rss", "4096"}));
#else
  expect_clean_run(run_soak(CPPMEMCACHED_PATH));
#endif
}

TEST(CppmcSoak, PassesAgainstMemcached) {
  if (::access(kMemcached, X_OK) != 0) GTEST_SKIP() << "no " << kMemcached;
  // memcached's background threads wake once a second: its exit takes up to that long.
  expect_clean_run(run_soak(kMemcached, {"--sigterm-within", "3000"}));
}

TEST(CppmcSoak, FailsWhenTheServerPassesTheRssBound) {
  const auto result = run_soak(CPPMEMCACHED_PATH, {"--max-rss", "1"}, "2");
  EXPECT_EQ(result.status, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("FAIL  RSS at most 1 MiB"), std::string::npos) << result.out;
}

// memcached that drops -M and has 4 MiB: it evicts where the soak was promised it never would,
// so misses (and writes answered as if the key were absent) must be reported end to end.
TEST(CppmcSoak, FailsWhenTheServerEvictsDespiteMinusM) {
  if (::access(kMemcached, X_OK) != 0) GTEST_SKIP() << "no " << kMemcached;
  const auto wrapper =
      std::filesystem::temp_directory_path() / ("evicting-memcached-" + std::to_string(::getpid()));
  {
    std::ofstream script(wrapper);
    script << "#!/bin/sh\n"
              "for arg; do shift; [ \"$arg\" = -M ] || set -- \"$@\" \"$arg\"; done\n"
              "exec "
           << kMemcached << " \"$@\" -m 4\n";
  }
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
  const auto result = run_soak(
      wrapper.string(),
      {"--memcached", "--sigterm-within", "3000", "--keys", "256", "--max-value", "16384"}, "4");
  std::filesystem::remove(wrapper);
  EXPECT_EQ(result.status, 1) << result.out << result.err;
  const std::string json = result.out.substr(result.out.find("RESULT:"));
  EXPECT_GT(json_number(json, "unexpected_miss"), 0) << result.out;
  EXPECT_EQ(json_number(json, "torn"), 0);
  EXPECT_EQ(json_number(json, "foreign"), 0);
}

}  // namespace

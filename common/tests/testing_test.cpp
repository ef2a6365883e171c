#include <gtest/gtest.h>

#include <csignal>

#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"

namespace {

using namespace std::chrono_literals;

TEST(Process, RunCollectsStdoutStderrAndStatus) {
  const auto result = mc::testing::run("/bin/sh", {"-c", "cat; echo oops >&2; exit 3"}, "hello\n");
  EXPECT_EQ(result.status, 3);
  EXPECT_EQ(result.out, "hello\n");
  EXPECT_EQ(result.err, "oops\n");
}

TEST(Process, RunMovesMoreThanAPipeFullBothWays) {
  const std::string input(1 << 20, 'x');
  const auto result = mc::testing::run("/bin/cat", {}, input);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.out.size(), input.size());
}

TEST(Process, StopEndsAChildWithSigterm) {
  auto child = mc::testing::Process::start("/bin/sleep", {"100"});
  EXPECT_EQ(child.stop(), 128 + SIGTERM);
}

TEST(Process, WaitGivesUpAtItsDeadline) {
  auto child = mc::testing::Process::start("/bin/sleep", {"100"});
  EXPECT_FALSE(child.wait(50ms).has_value());
}

TEST(Process, StartThrowsForAMissingBinary) {
  EXPECT_THROW(mc::testing::Process::start("/nonexistent/binary", {}), std::runtime_error);
}

TEST(Process, ReadLineReturnsLinesInOrder) {
  auto child = mc::testing::Process::start("/bin/sh", {"-c", "echo one; echo two"});
  EXPECT_EQ(child.read_line(), "one");
  EXPECT_EQ(child.read_line(), "two");
  EXPECT_EQ(child.read_line(), std::nullopt);
  EXPECT_EQ(child.wait(5s), 0);
}

TEST(Net, FreePortCanBeConnectedToOnceSomethingListens) {
  const auto port = mc::testing::free_port();
  EXPECT_GT(port, 0);
  EXPECT_FALSE(mc::testing::wait_until_accepting(port, 0ms));
}

TEST(Net, LineClientThrowsWhenNothingListens) {
  EXPECT_THROW(mc::testing::LineClient client(mc::testing::free_port()), std::runtime_error);
}

}  // namespace

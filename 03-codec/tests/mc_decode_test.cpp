// mc_decode, run as a real process.

#include <gtest/gtest.h>

#include "mc/testing/process.hpp"

namespace {

mc::testing::RunResult decode(const std::string& input, std::vector<std::string> args = {}) {
  return mc::testing::run(MC_DECODE_PATH, args, input);
}

TEST(McDecode, PrintsOneJsonObjectPerRequest) {
  const auto result = decode("set a 0 0 1\r\nx\r\nget a b\r\n");
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(
      result.out,
      "{\"cmd\":\"set\",\"key\":\"a\",\"flags\":0,\"exptime\":0,\"bytes\":1,\"noreply\":false}\n"
      "{\"cmd\":\"get\",\"keys\":[\"a\",\"b\"]}\n");
}

TEST(McDecode, ReportsMemcachedsErrorAndGoesOn) {
  const auto result = decode("set a 0 0 1\r\nxy\r\nversion\r\n", {"--data"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.out,
            "{\"error\":\"CLIENT_ERROR bad data chunk\",\"noreply\":false}\n"
            "{\"error\":\"ERROR\",\"noreply\":false}\n"
            "{\"cmd\":\"version\"}\n");
}

TEST(McDecode, SaysWhereMemcachedWouldClose) {
  const auto result = decode("version\r\nGET / HTTP/1.1\r\n");
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.out,
            "{\"cmd\":\"version\"}\n"
            "{\"close\":\"memcached closes the connection here\",\"unread\":16}\n");
}

TEST(McDecode, ReportsAnIncompleteRequest) {
  const auto result = decode("set a 0 0 10\r\nabc");
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.out, "{\"incomplete\":17}\n");
}

TEST(McDecode, DecodesResponses) {
  const auto result = decode("VALUE a 0 1\r\nx\r\nEND\r\nHD c5\r\n", {"--responses", "--data"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out,
            "{\"response\":\"VALUE\",\"key\":\"a\",\"flags\":0,\"bytes\":1,\"data\":\"x\"}\n"
            "{\"response\":\"END\"}\n"
            "{\"response\":\"HD\",\"flags\":[\"c5\"]}\n");
}

TEST(McDecode, SkipsAMalformedResponseLine) {
  const auto result = decode("HELLO\r\nEND\r\n", {"-r"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.out, "{\"malformed\":\"HELLO\\u000d\\u000a\"}\n{\"response\":\"END\"}\n");
}

}  // namespace

#include "mc/client/server_address.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace {

using mc::client::parse_server_address;
using mc::client::parse_server_list;
using mc::client::ServerAddress;

// The message of the std::invalid_argument that parsing `text` throws (fails the test if none).
std::string parse_error(std::string_view text) {
  try {
    (void)parse_server_list(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for \"" << text << "\"";
  return {};
}

TEST(ParseServerAddress, DefaultsPortAndWeight) {
  EXPECT_EQ(parse_server_address("cache1"), (ServerAddress{"cache1", 11211, 1}));
}

TEST(ParseServerAddress, ReadsPort) {
  EXPECT_EQ(parse_server_address("10.0.0.1:11212"), (ServerAddress{"10.0.0.1", 11212, 1}));
}

TEST(ParseServerAddress, ReadsPortAndWeight) {
  EXPECT_EQ(parse_server_address("10.0.0.1:11212:600"), (ServerAddress{"10.0.0.1", 11212, 600}));
}

TEST(ParseServerAddress, ReadsBracketedIpv6) {
  EXPECT_EQ(parse_server_address("[::1]"), (ServerAddress{"::1", 11211, 1}));
  EXPECT_EQ(parse_server_address("[fe80::1]:11300:2"), (ServerAddress{"fe80::1", 11300, 2}));
}

TEST(ParseServerList, ReadsEveryEntryInOrder) {
  const auto servers = parse_server_list("a,b:1234,c:11211:3");
  ASSERT_EQ(servers.size(), 3U);
  EXPECT_EQ(servers[0], (ServerAddress{"a", 11211, 1}));
  EXPECT_EQ(servers[1], (ServerAddress{"b", 1234, 1}));
  EXPECT_EQ(servers[2], (ServerAddress{"c", 11211, 3}));
}

TEST(ParseServerList, RejectsEmptyListAndEmptyEntries) {
  EXPECT_EQ(parse_error(""), "empty server list");
  EXPECT_EQ(parse_error("a,,b"), "empty entry in server list");
  EXPECT_EQ(parse_error("a,"), "empty entry in server list");
}

TEST(ParseServerList, RejectsBadPortNamingTheEntry) {
  EXPECT_EQ(parse_error("a,b:http"),
            "bad server \"b:http\": port \"http\" is not a number in 1..65535");
  EXPECT_EQ(parse_error("b:0"), "bad server \"b:0\": port \"0\" is not a number in 1..65535");
  EXPECT_EQ(parse_error("b:65536"),
            "bad server \"b:65536\": port \"65536\" is not a number in 1..65535");
  EXPECT_EQ(parse_error("b:"), "bad server \"b:\": port \"\" is not a number in 1..65535");
  EXPECT_EQ(parse_error("b:+80"), "bad server \"b:+80\": port \"+80\" is not a number in 1..65535");
  EXPECT_EQ(parse_error("b:80x"), "bad server \"b:80x\": port \"80x\" is not a number in 1..65535");
}

TEST(ParseServerList, RejectsBadWeight) {
  EXPECT_EQ(parse_error("b:1:0"),
            "bad server \"b:1:0\": weight \"0\" is not a number in 1..4294967295");
  EXPECT_EQ(parse_error("b:1:-2"),
            "bad server \"b:1:-2\": weight \"-2\" is not a number in 1..4294967295");
  EXPECT_EQ(
      parse_error("b:1:4294967296"),
      "bad server \"b:1:4294967296\": weight \"4294967296\" is not a number in 1..4294967295");
  EXPECT_EQ(parse_error("b:1:"),
            "bad server \"b:1:\": weight \"\" is not a number in 1..4294967295");
}

TEST(ParseServerList, RejectsEmptyHostAndUnbracketedIpv6) {
  EXPECT_EQ(parse_error(":11211"), "bad server \":11211\": empty host");
  EXPECT_EQ(parse_error("[]:11211"), "bad server \"[]:11211\": empty host");
  EXPECT_EQ(parse_error("[::1"), "bad server \"[::1\": missing ']' after IPv6 address");
  EXPECT_EQ(parse_error("[::1]11211"), "bad server \"[::1]11211\": expected ':' after ']'");
  EXPECT_EQ(parse_error("fe80::1:2:3"),
            "bad server \"fe80::1:2:3\": port \"\" is not a number in 1..65535");
  EXPECT_EQ(parse_error("a:1:2:3"),
            "bad server \"a:1:2:3\": too many ':' (an IPv6 address goes in brackets: [::1]:11211)");
}

TEST(ServerAddress, PrintsHostAndPortWithBracketsForIpv6) {
  EXPECT_EQ((ServerAddress{"cache1", 11211, 7}).to_string(), "cache1:11211");
  EXPECT_EQ((ServerAddress{"::1", 11300, 1}).to_string(), "[::1]:11300");
}

}  // namespace

#include "mc/client/server_address.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using mc::client::Error;
using mc::client::parse_server_address;
using mc::client::parse_server_list;
using mc::client::ServerAddress;

// The message of the error that parsing `text` reports (fails the test if it parses).
std::string parse_error(std::string_view text) {
  std::string why;
  const auto servers = parse_server_list(text, &why);
  if (servers) {
    ADD_FAILURE() << "no error for \"" << text << "\"";
    return {};
  }
  EXPECT_EQ(servers.error(), Error::kBadServerList);
  return why;
}

ServerAddress parse_one(std::string_view text) {
  const auto address = parse_server_address(text);
  EXPECT_TRUE(address) << text;
  return address ? *address : ServerAddress{};
}

std::vector<ServerAddress> parse_list(std::string_view text) {
  const auto servers = parse_server_list(text);
  EXPECT_TRUE(servers) << text;
  return servers ? *servers : std::vector<ServerAddress>{};
}

TEST(ParseServerAddress, DefaultsPortAndWeight) {
  EXPECT_EQ(parse_one("cache1"), (ServerAddress{"cache1", 11211, 1}));
}

TEST(ParseServerAddress, ReadsPort) {
  EXPECT_EQ(parse_one("10.0.0.1:11212"), (ServerAddress{"10.0.0.1", 11212, 1}));
}

TEST(ParseServerAddress, ReadsPortAndWeight) {
  EXPECT_EQ(parse_one("10.0.0.1:11212:600"), (ServerAddress{"10.0.0.1", 11212, 600}));
}

TEST(ParseServerAddress, ReadsAWeightAfterASpaceAsLibmemcachedDoes) {
  EXPECT_EQ(parse_one("10.0.0.1:11212 600"), (ServerAddress{"10.0.0.1", 11212, 600}));
}

TEST(ParseServerAddress, ReadsWeightZeroAsOneAsLibmemcachedDoes) {
  EXPECT_EQ(parse_one("b:1:0"), (ServerAddress{"b", 1, 1}));
}

// libmemcached keeps the brackets in the host name, and hashes them.
TEST(ParseServerAddress, KeepsTheBracketsOfIpv6ButConnectsWithout) {
  const auto loopback = parse_one("[::1]");
  EXPECT_EQ(loopback, (ServerAddress{"[::1]", 11211, 1}));
  EXPECT_EQ(loopback.connect_host(), "::1");
  EXPECT_EQ(parse_one("[fe80::1]:11300:2"), (ServerAddress{"[fe80::1]", 11300, 2}));
}

TEST(ParseServerList, ReadsEveryEntryInOrder) {
  const auto servers = parse_list("a,b:1234,c:11211:3");
  ASSERT_EQ(servers.size(), 3U);
  EXPECT_EQ(servers[0], (ServerAddress{"a", 11211, 1}));
  EXPECT_EQ(servers[1], (ServerAddress{"b", 1234, 1}));
  EXPECT_EQ(servers[2], (ServerAddress{"c", 11211, 3}));
}

TEST(ParseServerList, SkipsOneSpaceAfterACommaAsLibmemcachedDoes) {
  const auto servers = parse_list("127.0.0.1:5, 127.0.0.2:6,\t[::1]:7");
  ASSERT_EQ(servers.size(), 3U);
  EXPECT_EQ(servers[0], (ServerAddress{"127.0.0.1", 5, 1}));
  EXPECT_EQ(servers[1], (ServerAddress{"127.0.0.2", 6, 1}));
  EXPECT_EQ(servers[2], (ServerAddress{"[::1]", 7, 1}));
}

TEST(ParseServerList, EndsAtATrailingCommaAsLibmemcachedDoes) {
  EXPECT_EQ(parse_list("a,"), (std::vector<ServerAddress>{{"a", 11211, 1}}));
}

// Where libmemcached would invent a server, we say what is wrong.
TEST(ParseServerList, RejectsEmptyListAndEmptyEntries) {
  EXPECT_EQ(parse_error(""), "empty server list");
  EXPECT_EQ(parse_error("a,,b"), "empty entry in server list");
  EXPECT_EQ(parse_error("a, ,b"), "empty entry in server list");
  EXPECT_EQ(parse_error("a,  b"), "bad server \" b\": space in the host name");
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
  EXPECT_EQ(parse_error("b:1:-2"),
            "bad server \"b:1:-2\": weight \"-2\" is not a number in 0..4294967295");
  EXPECT_EQ(
      parse_error("b:1:4294967296"),
      "bad server \"b:1:4294967296\": weight \"4294967296\" is not a number in 0..4294967295");
  EXPECT_EQ(parse_error("b:1:"),
            "bad server \"b:1:\": weight \"\" is not a number in 0..4294967295");
}

TEST(ParseServerList, RejectsEmptyHostAndUnbracketedIpv6) {
  EXPECT_EQ(parse_error(":11211"), "bad server \":11211\": empty host");
  EXPECT_EQ(parse_error("[]:11211"), "bad server \"[]:11211\": empty host");
  EXPECT_EQ(parse_error("[::1"), "bad server \"[::1\": missing ']' after IPv6 address");
  EXPECT_EQ(parse_error("[::1]11211"), "bad server \"[::1]11211\": expected ':' after ']'");
  EXPECT_EQ(parse_error("fe80::1:2:3"),
            "bad server \"fe80::1:2:3\": port \"\" is not a number in 1..65535");
  EXPECT_EQ(parse_error("a:1:2:3"),
            "bad server \"a:1:2:3\": too many fields (an IPv6 address goes in brackets: "
            "[::1]:11211)");
}

TEST(ServerAddress, PrintsHostAndPortWithBracketsForIpv6) {
  EXPECT_EQ((ServerAddress{"cache1", 11211, 7}).to_string(), "cache1:11211");
  EXPECT_EQ((ServerAddress{"::1", 11300, 1}).to_string(), "[::1]:11300");
  EXPECT_EQ((ServerAddress{"[::1]", 11300, 1}).to_string(), "[::1]:11300");
}

}  // namespace

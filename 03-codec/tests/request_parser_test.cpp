// The request parser against memcached 1.6.18: every expectation here was checked by sending
// the same bytes to a running memcached (see the chapter), and every case is fed at every
// fragment size.

#include <gtest/gtest.h>

#include <string>

#include "fragments.hpp"
#include "mc/codec/reply.hpp"

namespace {

using mc::codec::testing::decode_requests;
using mc::codec::testing::expect_requests;

// The JSON of a ProtocolError with this reply.
std::string error(std::string_view reply, bool noreply = false) {
  return fmt::format(R"({{"error":"{}","noreply":{}}})", reply.substr(0, reply.size() - 2),
                     noreply);
}
const std::string kVersion = R"({"cmd":"version"})";

TEST(RequestParser, ParsesSetAtEveryFragmentSize) {
  expect_requests(
      "set k 5 10 3\r\nabc\r\n",
      {R"({"cmd":"set","key":"k","flags":5,"exptime":10,"bytes":3,"noreply":false,"data":"abc"})"});
}

TEST(RequestParser, ParsesEveryStorageCommand) {
  expect_requests(
      "add a 0 0 1\r\nx\r\nreplace b 1 2 0\r\n\r\nappend c 0 0 1 noreply\r\ny\r\n"
      "prepend d 0 0 1\r\nz\r\ncas e 3 0 1 99 noreply\r\nw\r\n",
      {R"({"cmd":"add","key":"a","flags":0,"exptime":0,"bytes":1,"noreply":false,"data":"x"})",
       R"({"cmd":"replace","key":"b","flags":1,"exptime":2,"bytes":0,"noreply":false,"data":""})",
       R"({"cmd":"append","key":"c","flags":0,"exptime":0,"bytes":1,"noreply":true,"data":"y"})",
       R"({"cmd":"prepend","key":"d","flags":0,"exptime":0,"bytes":1,"noreply":false,"data":"z"})",
       R"({"cmd":"cas","key":"e","flags":3,"exptime":0,"bytes":1,"cas":99,"noreply":true,"data":"w"})"});
}

TEST(RequestParser, KeepsValuesBinarySafe) {
  const std::string value("a\r\nEND\r\n\0b", 10);
  const std::string wire = "set k 0 0 10\r\n" + value + "\r\n";
  expect_requests(wire, {R"({"cmd":"set","key":"k","flags":0,"exptime":0,"bytes":10,)"
                         R"("noreply":false,"data":"a\u000d\u000aEND\u000d\u000a\u0000b"})"});
}

TEST(RequestParser, FramesTheDataBlockInPlace) {
  const std::string wire = "set k 0 0 3\r\nabc\r\n";
  mc::codec::RequestParser parser;
  const auto result = parser.parse(wire);
  ASSERT_EQ(result.status, mc::net::DecodeStatus::kMessage);
  const auto& set = std::get<mc::codec::StorageRequest>(result.message);
  EXPECT_EQ(set.key.data(), wire.data() + 4);  // a view, not a copy
  EXPECT_EQ(set.data.data(), wire.data() + 13);
  EXPECT_EQ(result.consumed, wire.size());
}

TEST(RequestParser, AcceptsLineFeedOnlyLines) {
  expect_requests(
      "set a 0 0 1\nx\r\nversion\n",
      {R"({"cmd":"set","key":"a","flags":0,"exptime":0,"bytes":1,"noreply":false,"data":"x"})",
       kVersion});
}

TEST(RequestParser, ReadsNumbersLikeMemcached) {
  // '+' is accepted, flags keep their low 32 bits, exptime below INT_MIN wraps.
  expect_requests(
      "set a +0 0 +1\r\nx\r\nset b 4294967296 -99999999999 1\r\nx\r\n",
      {R"({"cmd":"set","key":"a","flags":0,"exptime":0,"bytes":1,"noreply":false,"data":"x"})",
       R"({"cmd":"set","key":"b","flags":0,"exptime":-1215752191,"bytes":1,"noreply":false,"data":"x"})"});
}

TEST(RequestParser, RefusesBadStorageLinesWithoutSkippingTheData) {
  using namespace mc::codec::reply;
  expect_requests("set a 0 0 -1\r\nset a -1 0 1\r\nx\r\nset a 0x1 0 1\r\n",
                  {error(kBadFormat), error(kBadFormat), error(kError), error(kBadFormat)});
  expect_requests("set a 0 0 abc noreply\r\ncas a 0 0 1 abc\r\nx\r\n",
                  {error(kBadFormat, true), error(kBadFormat), error(kError)});
  expect_requests("set a 0 0 2147483646\r\n", {error(kBadFormat)});
}

TEST(RequestParser, AnswersErrorForWrongTokenCounts) {
  using namespace mc::codec::reply;
  expect_requests(
      "set a 0 0\r\nset a 0 0 1 noreply junk\r\ncas a 0 0 1\r\nget\r\nincr a\r\n"
      "touch a\r\ndelete\r\ndelete a b c d\r\nverbosity\r\nflush_all 1 2 3\r\n",
      std::vector<std::string>(10, error(kError)));
}

TEST(RequestParser, IgnoresAnExtraTokenThatIsNotNoreply) {
  expect_requests(
      "set a 0 0 1 junk\r\nx\r\n",
      {R"({"cmd":"set","key":"a","flags":0,"exptime":0,"bytes":1,"noreply":false,"data":"x"})"});
}

TEST(RequestParser, RefusesKeysLongerThan250Bytes) {
  using namespace mc::codec::reply;
  const std::string key250(250, 'k');
  const std::string key251(251, 'k');
  expect_requests("get a " + key250 + "\r\n",
                  {R"({"cmd":"get","keys":["a",")" + key250 + R"("]})"});
  expect_requests("get a " + key251 + "\r\nset " + key251 + " 0 0 1\r\nx\r\n",
                  {error(kBadFormat), error(kBadFormat), error(kError)});
}

TEST(RequestParser, AcceptsAnyBytesButSpacesInKeys) {
  expect_requests("get a\tb \x01\xff  c\r\r\n",
                  {R"({"cmd":"get","keys":["a\u0009b","\u0001\u00ff","c\u000d"]})"});
}

TEST(RequestParser, AnswersBadDataChunkAndResumesAfterBytesPlusTwo) {
  using namespace mc::codec::reply;
  // memcached reads "xy\r" as the data block, refuses it, then reads "\n" as an empty line.
  expect_requests("set a 0 0 1\r\nxy\r\nversion\r\n",
                  {error(kBadDataChunk), error(kError), kVersion});
  expect_requests("set a 0 0 1 noreply\r\nxy\r\nversion\r\n",
                  {error(kBadDataChunk, true), error(kError), kVersion});
}

TEST(RequestParser, SkipsTheDataOfAnItemTooLargeForTheCache) {
  using namespace mc::codec::reply;
  const std::string wire =
      "set a 0 0 2000000\r\n" + std::string(2'000'000, 'x') + "\r\nversion\r\n";
  for (const std::size_t step : {1'000'000u, 65536u, 4096u}) {
    SCOPED_TRACE(step);
    EXPECT_EQ(decode_requests(wire, step),
              (std::vector<std::string>{error(kTooLarge), R"({"skipped":2000002})", kVersion}));
  }
}

TEST(RequestParser, AppliesMemcachedsItemSizeFormula) {
  using namespace mc::codec::reply;
  // Measured on memcached 1.6.18 with -I 1m: the largest value for key "a" and flags 0 is
  // 1048516 bytes; non-zero flags cost 4 more bytes, a longer key one byte per byte.
  const mc::codec::ItemSizeLimit limit;
  EXPECT_TRUE(limit.fits(1, 0, 1048516));
  EXPECT_FALSE(limit.fits(1, 0, 1048517));
  EXPECT_TRUE(limit.fits(1, 1, 1048512));
  EXPECT_FALSE(limit.fits(1, 1, 1048513));
  EXPECT_TRUE(limit.fits(2, 0, 1048515));
  EXPECT_FALSE(limit.fits(2, 0, 1048516));
  // A small limit makes the sweep cheap: 48 + 2 + 10 + 2 + 8 = 70 bytes fit, 71 do not.
  const mc::codec::ItemSizeLimit small{70, true};
  expect_requests(
      "set a 0 0 10\r\n0123456789\r\nset a 0 0 11 noreply\r\n01234567890\r\nversion\r\n",
      {R"({"cmd":"set","key":"a","flags":0,"exptime":0,"bytes":10,"noreply":false,"data":"0123456789"})",
       error(kTooLarge, true), R"({"skipped":13})", kVersion},
      small);
}

TEST(RequestParser, ParsesRetrievalCommands) {
  expect_requests(
      "get a\r\ngets a b\r\ngat 10 a\r\ngats -1 a b\r\ngat 10\r\nbget a\r\nget  a   b \r\n",
      {R"({"cmd":"get","keys":["a"]})", R"({"cmd":"gets","keys":["a","b"]})",
       R"({"cmd":"gat","exptime":10,"keys":["a"]})",
       R"({"cmd":"gats","exptime":-1,"keys":["a","b"]})", R"({"cmd":"gat","exptime":10,"keys":[]})",
       R"({"cmd":"get","keys":["a"]})", R"({"cmd":"get","keys":["a","b"]})"});
  expect_requests("gat abc a\r\n", {error(mc::codec::reply::kInvalidExptime)});
}

TEST(RequestParser, ParsesA200KilobyteGetLine) {
  std::string wire = "get";
  std::size_t keys = 0;
  while (wire.size() < 200'000) {
    wire += fmt::format(" key:{}", keys++);
  }
  wire += "\r\n";
  EXPECT_GT(keys, 19'000u);
  for (const std::size_t step : {wire.size(), std::size_t{1460}, std::size_t{7}}) {
    SCOPED_TRACE(step);
    mc::codec::RequestParser parser;
    std::string buffer;
    std::size_t found = 0;
    for (std::size_t offset = 0; offset < wire.size(); offset += step) {
      buffer.append(wire.substr(offset, step));
      const auto result = parser.parse(buffer);
      ASSERT_NE(result.status, mc::net::DecodeStatus::kError);
      if (result.status == mc::net::DecodeStatus::kMessage) {
        for ([[maybe_unused]] auto key :
             std::get<mc::codec::RetrievalRequest>(result.message).keys()) {
          ++found;
        }
        EXPECT_EQ(result.consumed, wire.size());
      }
    }
    EXPECT_EQ(found, keys);
  }
}

TEST(RequestParser, ParsesDeleteIncrDecrTouch) {
  expect_requests(
      "delete a\r\ndelete a 0\r\ndelete a noreply\r\ndelete a 0 noreply\r\nincr a 5\r\n"
      "decr a 18446744073709551615 noreply\r\ntouch a 10\r\ntouch a -1 noreply\r\n",
      {R"({"cmd":"delete","key":"a","noreply":false})",
       R"({"cmd":"delete","key":"a","noreply":false})",
       R"({"cmd":"delete","key":"a","noreply":true})",
       R"({"cmd":"delete","key":"a","noreply":true})",
       R"({"cmd":"incr","key":"a","delta":5,"noreply":false})",
       R"({"cmd":"decr","key":"a","delta":18446744073709551615,"noreply":true})",
       R"({"cmd":"touch","key":"a","exptime":10,"noreply":false})",
       R"({"cmd":"touch","key":"a","exptime":-1,"noreply":true})"});
}

TEST(RequestParser, UsesEachCommandsOwnErrorString) {
  using namespace mc::codec::reply;
  expect_requests(
      "delete a 1\r\ndelete a noreply 0\r\ndelete a 1 noreply\r\nincr a -1\r\n"
      "incr a 18446744073709551616\r\nincr a abc noreply\r\ntouch a abc\r\nflush_all abc\r\n"
      "verbosity abc\r\ncache_memlimit abc\r\n",
      {error(kDeleteUsage), error(kDeleteUsage), error(kDeleteUsage, true), error(kInvalidDelta),
       error(kInvalidDelta), error(kInvalidDelta, true), error(kInvalidExptime),
       error(kInvalidExptime), error(kBadFormat), error(kError)});
}

TEST(RequestParser, ParsesAdminCommands) {
  expect_requests(
      "flush_all\r\nflush_all 10\r\nflush_all noreply\r\nflush_all 10 def\r\nflush_all -1 "
      "noreply\r\n"
      "version extra\r\nverbosity 1\r\nverbosity 1 noreply\r\nquit\r\ncache_memlimit 64\r\n"
      "shutdown\r\nshutdown graceful\r\nshutdown now\r\n",
      {R"({"cmd":"flush_all","delay":0,"noreply":false})",
       R"({"cmd":"flush_all","delay":10,"noreply":false})",
       R"({"cmd":"flush_all","delay":0,"noreply":true})",
       R"({"cmd":"flush_all","delay":10,"noreply":false})",
       R"({"cmd":"flush_all","delay":-1,"noreply":true})", kVersion,
       R"({"cmd":"verbosity","level":1,"noreply":false})",
       R"({"cmd":"verbosity","level":1,"noreply":true})", R"({"cmd":"quit"})",
       R"({"cmd":"cache_memlimit","megabytes":64,"noreply":false})",
       R"({"cmd":"shutdown","mode":"immediate"})", R"({"cmd":"shutdown","mode":"graceful"})",
       R"({"cmd":"shutdown","mode":"invalid"})"});
}

TEST(RequestParser, ParsesStatsAndDumps) {
  using namespace mc::codec::reply;
  expect_requests(
      "stats\r\nstats items\r\nstats cachedump 1 100\r\nstats cachedump 1\r\n"
      "stats cachedump a b\r\nstats cachedump 64 1\r\nlru_crawler metadump all\r\n"
      "lru_crawler metadump\r\nlru_crawler crawl all\r\n",
      {R"({"cmd":"stats","group":""})", R"({"cmd":"stats","group":"items"})",
       R"({"cmd":"stats cachedump","slab_class":1,"limit":100})", error(kBadCommandLine),
       error(kBadFormat), error(kIllegalSlabId),
       R"({"cmd":"lru_crawler metadump","classes":"all"})", error(kError), error(kError)});
}

TEST(RequestParser, AnswersErrorToUnknownAndEmptyLines) {
  using namespace mc::codec::reply;
  expect_requests("foo\r\nx\r\n\r\n\n\r\nVERSION\r\nversion\r\r\ngetx a\r\nslabs\r\nwatch\r\n",
                  std::vector<std::string>(10, error(kError)));
}

TEST(RequestParser, ClosesSilentlyOnHttpProbes) {
  expect_requests("GET / HTTP/1.1\r\n", {"<close>"});
  expect_requests("version\r\nfoo HTTP/1.0\r\nversion\r\n", {kVersion, "<close>"});
  // A command family memcached knows answers ERROR instead, and get is a get.
  expect_requests("gxx HTTP/1.1\r\nget / HTTP/1.1\r\n",
                  {error(mc::codec::reply::kError), R"({"cmd":"get","keys":["/","HTTP/1.1"]})"});
}

TEST(RequestParser, ClosesOnLongLinesWithoutNewlineUnlessGet) {
  mc::codec::RequestParser parser;
  EXPECT_EQ(parser.parse(std::string(2048, 'x')).status, mc::net::DecodeStatus::kNeedMore);
  EXPECT_EQ(parser.parse(std::string(2049, 'x')).status, mc::net::DecodeStatus::kError);
  EXPECT_EQ(parser.parse("set a" + std::string(2100, 'a')).status, mc::net::DecodeStatus::kError);
  EXPECT_EQ(parser.parse("mg a" + std::string(2100, 'a')).status, mc::net::DecodeStatus::kError);
  EXPECT_EQ(parser.parse("get" + std::string(2100, 'a')).status, mc::net::DecodeStatus::kError);
  EXPECT_EQ(parser.parse("get a" + std::string(2100, 'a')).status,
            mc::net::DecodeStatus::kNeedMore);
  EXPECT_EQ(parser.parse("gets " + std::string(2100, 'a')).status,
            mc::net::DecodeStatus::kNeedMore);
  EXPECT_EQ(parser.parse(std::string(100, ' ') + "get a" + std::string(2100, 'a')).status,
            mc::net::DecodeStatus::kNeedMore);
  EXPECT_EQ(parser.parse(std::string(101, ' ') + "get a" + std::string(2100, 'a')).status,
            mc::net::DecodeStatus::kError);
}

TEST(RequestParser, EndsTheLineAtANulByte) {
  expect_requests(std::string("get a\0b c\r\nversion\r\n", 20),
                  {R"({"cmd":"get","keys":["a"]})", kVersion});
}

}  // namespace

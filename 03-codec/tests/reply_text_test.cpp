// The composers a server builds its replies with: compose_value() for a get, MetaLine, StatsText
// and the item metadata lines. Bytes are compared with what memcached 1.6.18 sends.

#include "mc/codec/reply_text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "mc/codec/limits.hpp"
#include "mc/codec/response_parser.hpp"

namespace {

using mc::codec::MetaLine;
using mc::codec::MetaStatus;
using mc::codec::ReplyBytes;

std::string bytes_of(const ReplyBytes& bytes) {
  std::string out;
  bytes.append_to(out);
  return out;
}

TEST(ComposeValue, WritesTheValueLineAndViewsTheValue) {
  const std::string value = "hello";
  ReplyBytes bytes;
  mc::codec::compose_value({"k", 7, false, 0, value}, bytes);
  EXPECT_EQ(bytes_of(bytes), "VALUE k 7 5\r\nhello\r\n");
  ReplyBytes with_cas;
  mc::codec::compose_value({"k", 0, true, 42, value}, with_cas);
  EXPECT_EQ(with_cas.line(), "VALUE k 0 5 42\r\n");
}

TEST(ComposeValue, WritesTheLongestNumbersAndKeysOfAnyLength) {
  const std::string longest(mc::codec::kMaxKeyLength, 'k');
  ReplyBytes bytes;
  mc::codec::compose_value({longest, UINT32_MAX, true, UINT64_MAX, "v"}, bytes);
  EXPECT_EQ(bytes.line(),
            "VALUE " + longest + " 4294967295 1 18446744073709551615\r\n");  // still on the stack
  const std::string longer(1000, 'k');  // only a client's tests compose one
  ReplyBytes long_key;
  mc::codec::compose_value({longer, 1, false, 0, "v"}, long_key);
  EXPECT_EQ(long_key.line(), "VALUE " + longer + " 1 1\r\n");
}

TEST(MetaLine, WritesReturnFlagsInTheOrderTheyAreAdded) {
  MetaLine line(MetaStatus::kVa);
  line.value_length(2);
  line.signed_number('t', -1);
  line.number('c', 17);
  line.opaque("O42");
  line.key("user:1", false);
  line.mark('W');
  ReplyBytes bytes;
  line.finish(bytes);
  bytes.set_value("ab");
  const std::string wire = bytes_of(bytes);
  EXPECT_EQ(wire, "VA 2 t-1 c17 O42 kuser:1 W\r\nab\r\n");
  const auto parsed = mc::codec::ResponseParser().parse(wire);  // and a client reads it back
  ASSERT_EQ(parsed.status, mc::net::DecodeStatus::kMessage);
  const auto& meta = std::get<mc::codec::MetaResponse>(parsed.message);
  EXPECT_EQ(meta.flag_list, "t-1 c17 O42 kuser:1 W");
  EXPECT_EQ(meta.data, "ab");
}

TEST(MetaLine, EchoesABinaryKeyInBase64) {
  MetaLine line(MetaStatus::kHd);
  line.key("ab", true);
  ReplyBytes bytes;
  line.finish(bytes);
  EXPECT_EQ(bytes.line(), "HD kYWI= b\r\n");
}

TEST(MetaLine, CarriesASmallValueInTheLine) {
  MetaLine line(MetaStatus::kVa);
  line.value_length(2);
  ReplyBytes bytes;
  line.finish_with_data("42", bytes);
  EXPECT_EQ(bytes_of(bytes), "VA 2\r\n42\r\n");
}

TEST(StatsText, WritesStatLinesThenEnd) {
  mc::codec::StatsText stats;
  stats.add("pid", 42);
  stats.add("time", std::int64_t{-1});
  stats.add("evictions", "on");
  stats.add("bytes", std::uint64_t{18446744073709551615u});
  EXPECT_EQ(stats.finish(),
            "STAT pid 42\r\nSTAT time -1\r\nSTAT evictions on\r\n"
            "STAT bytes 18446744073709551615\r\nEND\r\n");
}

TEST(ItemMetadata, WritesMeMetadumpAndCachedumpLinesAsMemcached) {
  const mc::codec::ItemMetadata item{.key = "a b",
                                     .key_binary = false,
                                     .exp = -1,
                                     .la = 1700000000,
                                     .cas = 7,
                                     .fetched = true,
                                     .cls = 1,
                                     .size = 70};
  ReplyBytes me;
  mc::codec::compose_meta_debug(item, me);
  EXPECT_EQ(me.line(), "ME a b exp=-1 la=1700000000 cas=7 fetch=yes cls=1 size=70\r\n");
  std::string dump;
  mc::codec::append_metadump_line(item, dump);
  EXPECT_EQ(dump, "key=a%20b exp=-1 la=1700000000 cas=7 fetch=yes cls=1 size=70\n");
  std::string cachedump;
  mc::codec::append_cachedump_line("k", 3, 0, cachedump);
  EXPECT_EQ(cachedump, "ITEM k [3 b; 0 s]\r\n");
  mc::codec::ItemMetadata binary = item;
  binary.key = "ab";
  binary.key_binary = true;
  binary.fetched = false;
  ReplyBytes binary_me;
  mc::codec::compose_meta_debug(binary, binary_me);
  EXPECT_EQ(binary_me.line(), "ME YWI= exp=-1 la=1700000000 cas=7 fetch=no cls=1 size=70\r\n");
}

TEST(Limits, ItemSizeFormulaIsMemcachedsAtTheOneMegabyteEdge) {
  // At -I 1m, CAS on, flags 0: 1,048,517 - key length (measured against memcached 1.6.18).
  EXPECT_EQ(mc::codec::max_value_size(1 << 20, 1, 0, true), 1048516u);
  EXPECT_EQ(mc::codec::max_value_size(1 << 20, 1, 5, true), 1048512u);
  EXPECT_EQ(mc::codec::max_value_size(1 << 20, 1, 0, false), 1048524u);
  const mc::codec::ItemSizeLimit limit;
  EXPECT_TRUE(limit.fits(1, 0, 1048516));
  EXPECT_FALSE(limit.fits(1, 0, 1048517));
}

}  // namespace

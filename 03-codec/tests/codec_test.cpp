// The codecs on the 02 Codec concept: line, fixed-length, and memcached server and client.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "fragments.hpp"
#include "mc/codec/line_codec.hpp"
#include "mc/codec/memcached_codec.hpp"

namespace {

using mc::codec::LineCodec;
using mc::codec::LineEnding;
using mc::net::DecodeStatus;

// Adapts a Codec's decode() to the fragment helper, which calls parse().
template <typename Codec>
struct Decoder {
  Codec codec;
  auto parse(std::string_view input) { return codec.decode(input); }
};

std::vector<std::string> lines(LineCodec codec, std::string_view wire, std::size_t step) {
  Decoder<LineCodec> decoder{codec};
  return mc::codec::testing::decode_in_fragments(
      decoder, wire, step, [](std::string_view line) { return std::string(line); });
}

void expect_lines(LineCodec codec, std::string_view wire,
                  const std::vector<std::string>& expected) {
  for (std::size_t step = 1; step <= wire.size(); ++step) {
    SCOPED_TRACE(fmt::format("fragment size {}", step));
    ASSERT_EQ(lines(codec, wire, step), expected);
  }
}

std::string gathered(const std::vector<asio::const_buffer>& buffers) {
  std::string out;
  for (const auto& b : buffers) out.append(static_cast<const char*>(b.data()), b.size());
  return out;
}

TEST(LineCodec, SplitsCrlfLines) {
  expect_lines(LineCodec(16), "one\r\ntwo\nstill two\r\n\r\n", {"one", "two\nstill two", ""});
}

TEST(LineCodec, SplitsLfLinesAndDropsACarriageReturn) {
  expect_lines(LineCodec(16, LineEnding::kLf), "one\r\ntwo\n\n", {"one", "two", ""});
}

TEST(LineCodec, RefusesAnOverLongLine) {
  expect_lines(LineCodec(4), "abcd\r\nabcde\r\n", {"abcd", "<close>"});
  expect_lines(LineCodec(4, LineEnding::kLf), "abcd\r\nabcde\n", {"abcd", "<close>"});
  // Without a terminator, the codec gives up as soon as the line cannot fit any more.
  EXPECT_EQ(LineCodec(4).decode("abcd\r").status, DecodeStatus::kNeedMore);
  EXPECT_EQ(LineCodec(4).decode("abcde\r").status, DecodeStatus::kError);
}

TEST(LineCodec, EncodesWithTheTerminator) {
  std::vector<asio::const_buffer> buffers;
  const std::string line = "hello";
  EXPECT_EQ(LineCodec().encode(line, buffers), 7u);
  EXPECT_EQ(gathered(buffers), "hello\r\n");
  EXPECT_EQ(buffers[0].data(), line.data());  // the line is not copied
  buffers.clear();
  EXPECT_EQ(LineCodec(8, LineEnding::kLf).encode(line, buffers), 6u);
  EXPECT_EQ(gathered(buffers), "hello\n");
}

TEST(FixedLenCodec, SplitsRecords) {
  Decoder<mc::codec::FixedLenCodec> decoder{mc::codec::FixedLenCodec(3)};
  const std::string wire = "abcdefgh";
  for (std::size_t step = 1; step <= wire.size(); ++step) {
    SCOPED_TRACE(fmt::format("fragment size {}", step));
    EXPECT_EQ(mc::codec::testing::decode_in_fragments(
                  decoder, wire, step, [](std::string_view r) { return std::string(r); }),
              (std::vector<std::string>{"abc", "def"}));
  }
  std::vector<asio::const_buffer> buffers;
  EXPECT_EQ(decoder.codec.encode("xyz", buffers), 3u);
}

TEST(MemcachedServerCodec, EncodesAValueReplyWithoutCopyingTheValue) {
  auto item = std::make_shared<const std::string>("stored value");
  mc::codec::MemcachedServerCodec<> codec;
  auto reply = mc::codec::compose_reply(mc::codec::ValueResponse{"key", 7, true, 42, *item},
                                        std::shared_ptr<const void>(item));
  std::vector<asio::const_buffer> buffers;
  const std::size_t bytes = codec.encode(reply, buffers);
  EXPECT_EQ(gathered(buffers), "VALUE key 7 12 42\r\nstored value\r\n");
  EXPECT_EQ(bytes, gathered(buffers).size());
  ASSERT_EQ(buffers.size(), 3u);
  EXPECT_EQ(buffers[1].data(), item->data());  // a view of the item, not a copy
  EXPECT_EQ(item.use_count(), 2);              // the reply keeps the item alive
}

TEST(MemcachedServerCodec, SendsConstantsByReference) {
  mc::codec::MemcachedServerCodec<> codec;
  const auto reply = mc::codec::constant_reply(mc::codec::reply::kStored);
  std::vector<asio::const_buffer> buffers;
  EXPECT_EQ(codec.encode(reply, buffers), 8u);
  EXPECT_EQ(buffers[0].data(), mc::codec::reply::kStored.data());
}

TEST(MemcachedServerCodec, DecodesRequestsAndSurvivesACopy) {
  mc::codec::MemcachedServerCodec<> prototype(mc::codec::ItemSizeLimit{70, true});
  auto codec = prototype;  // a server copies its prototype for each connection
  const auto result = codec.decode("set a 0 0 100\r\n");
  ASSERT_EQ(result.status, DecodeStatus::kMessage);
  const auto& error = std::get<mc::codec::ProtocolError>(result.message);
  EXPECT_EQ(error.reply, mc::codec::reply::kTooLarge);
  EXPECT_EQ(error.cause, mc::codec::ErrorCause::kTooLarge);  // what the server counts
  EXPECT_EQ(error.stale_key, "a");
}

TEST(MemcachedClientCodec, EncodesRequestsAndDecodesReplies) {
  mc::codec::MemcachedClientCodec codec;
  const std::string value = "abc";
  const auto request = mc::codec::make_out_request(
      mc::codec::StorageRequest{mc::codec::StoreCommand::kSet, "k", 0, 0, 0, false, value});
  std::vector<asio::const_buffer> buffers;
  EXPECT_EQ(codec.encode(request, buffers), 18u);
  EXPECT_EQ(gathered(buffers), "set k 0 0 3\r\nabc\r\n");
  EXPECT_EQ(buffers[1].data(), value.data());
  const auto reply = codec.decode("STORED\r\n");
  ASSERT_EQ(reply.status, DecodeStatus::kMessage);
  EXPECT_EQ(std::get<mc::codec::StatusResponse>(reply.message).status, mc::codec::Status::kStored);
}

}  // namespace

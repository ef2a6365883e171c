// compose -> parse: every request and response type comes back as it was composed, and the
// composed bytes are the protocol's canonical form.

#include <gtest/gtest.h>

#include <string>

#include "mc/codec/compose.hpp"
#include "mc/codec/describe.hpp"
#include "mc/codec/request_parser.hpp"
#include "mc/codec/response_parser.hpp"

namespace {

using namespace mc::codec;

// Composes `request`, checks the bytes, parses them back and checks the result is equal.
void expect_request_round_trip(const Request& request, std::string_view wire) {
  SCOPED_TRACE(wire);
  std::string composed;
  ASSERT_TRUE(compose_request(request, composed));
  EXPECT_EQ(composed, wire);
  RequestParser parser;
  const auto parsed = parser.parse(composed);
  ASSERT_EQ(parsed.status, mc::net::DecodeStatus::kMessage);
  EXPECT_EQ(parsed.consumed, composed.size());
  EXPECT_EQ(parsed.message, request) << to_json(parsed.message, true);
}

void expect_response_round_trip(const Response& response, std::string_view wire) {
  SCOPED_TRACE(wire);
  std::string composed;
  compose_response(response, composed);
  EXPECT_EQ(composed, wire);
  const auto parsed = ResponseParser().parse(composed);
  ASSERT_EQ(parsed.status, mc::net::DecodeStatus::kMessage);
  EXPECT_EQ(parsed.consumed, composed.size());
  EXPECT_EQ(parsed.message, response) << to_json(parsed.message, true);
}

TEST(RoundTrip, StorageRequests) {
  expect_request_round_trip(StorageRequest{StoreCommand::kSet, "k", 5, 10, 0, false, "abc"},
                            "set k 5 10 3\r\nabc\r\n");
  expect_request_round_trip(StorageRequest{StoreCommand::kAdd, "k", 0, -1, 0, true, ""},
                            "add k 0 -1 0 noreply\r\n\r\n");
  expect_request_round_trip(StorageRequest{StoreCommand::kReplace, "k", 1, 0, 0, false, "x"},
                            "replace k 1 0 1\r\nx\r\n");
  expect_request_round_trip(StorageRequest{StoreCommand::kAppend, "k", 0, 0, 0, false, "x"},
                            "append k 0 0 1\r\nx\r\n");
  expect_request_round_trip(StorageRequest{StoreCommand::kPrepend, "k", 0, 0, 0, false, "x"},
                            "prepend k 0 0 1\r\nx\r\n");
  expect_request_round_trip(
      StorageRequest{StoreCommand::kCas, "k", 4294967295u, 0, 18446744073709551615u, true,
                     std::string_view("\r\nEND\r\n\0", 8)},
      std::string_view("cas k 4294967295 0 8 18446744073709551615 noreply\r\n\r\nEND\r\n\0\r\n",
                       61));
}

TEST(RoundTrip, RetrievalAndKeyCommands) {
  expect_request_round_trip(RetrievalRequest{RetrieveCommand::kGet, 0, "a"}, "get a\r\n");
  expect_request_round_trip(RetrievalRequest{RetrieveCommand::kGets, 0, "a b c"}, "gets a b c\r\n");
  expect_request_round_trip(RetrievalRequest{RetrieveCommand::kGat, 30, "a"}, "gat 30 a\r\n");
  expect_request_round_trip(RetrievalRequest{RetrieveCommand::kGats, -1, "a b"}, "gats -1 a b\r\n");
  expect_request_round_trip(DeleteRequest{"k", false}, "delete k\r\n");
  expect_request_round_trip(DeleteRequest{"k", true}, "delete k noreply\r\n");
  expect_request_round_trip(ArithmeticRequest{true, "n", 5, false}, "incr n 5\r\n");
  expect_request_round_trip(ArithmeticRequest{false, "n", 18446744073709551615u, true},
                            "decr n 18446744073709551615 noreply\r\n");
  expect_request_round_trip(TouchRequest{"k", 100, true}, "touch k 100 noreply\r\n");
}

TEST(RoundTrip, AdminCommands) {
  expect_request_round_trip(FlushAllRequest{0, false}, "flush_all\r\n");
  expect_request_round_trip(FlushAllRequest{30, true}, "flush_all 30 noreply\r\n");
  expect_request_round_trip(VersionRequest{}, "version\r\n");
  expect_request_round_trip(VerbosityRequest{2, false}, "verbosity 2\r\n");
  expect_request_round_trip(QuitRequest{}, "quit\r\n");
  expect_request_round_trip(StatsRequest{}, "stats\r\n");
  expect_request_round_trip(StatsRequest{"items"}, "stats items\r\n");
  expect_request_round_trip(StatsCachedumpRequest{1, 100}, "stats cachedump 1 100\r\n");
  expect_request_round_trip(LruCrawlerMetadumpRequest{"all"}, "lru_crawler metadump all\r\n");
  expect_request_round_trip(ShutdownRequest{ShutdownMode::kImmediate}, "shutdown\r\n");
  expect_request_round_trip(ShutdownRequest{ShutdownMode::kGraceful}, "shutdown graceful\r\n");
  expect_request_round_trip(ShutdownRequest{ShutdownMode::kInvalid}, "shutdown invalid\r\n");
  expect_request_round_trip(CacheMemlimitRequest{64, true}, "cache_memlimit 64 noreply\r\n");
}

TEST(RoundTrip, MetaCommands) {
  MetaRequest get;
  get.command = MetaCommand::kGet;
  get.key = get.key_token = "foo";
  get.flag_list = "v t O1";
  get.flags.present = MetaFlags::bit('v') | MetaFlags::bit('t') | MetaFlags::bit('O');
  get.flags.opaque = "1";
  expect_request_round_trip(get, "mg foo v t O1\r\n");

  MetaRequest set;
  set.command = MetaCommand::kSet;
  set.key = "a";  // decoded
  set.key_token = "YQ==";
  set.flag_list = "b T30 F5";
  set.flags.present = MetaFlags::bit('b') | MetaFlags::bit('T') | MetaFlags::bit('F');
  set.flags.ttl = 30;
  set.flags.client_flags = 5;
  set.data = "hi";
  expect_request_round_trip(set, "ms YQ== 2 b T30 F5\r\nhi\r\n");

  MetaRequest del;
  del.command = MetaCommand::kDelete;
  del.key = del.key_token = "k";
  expect_request_round_trip(del, "md k\r\n");

  MetaRequest arithmetic;
  arithmetic.command = MetaCommand::kArithmetic;
  arithmetic.key = arithmetic.key_token = "n";
  arithmetic.flag_list = "D5 MD q";
  arithmetic.flags.present = MetaFlags::bit('D') | MetaFlags::bit('M') | MetaFlags::bit('q');
  arithmetic.flags.delta = 5;
  arithmetic.flags.mode = 'D';
  expect_request_round_trip(arithmetic, "ma n D5 MD q\r\n");

  expect_request_round_trip(MetaNoopRequest{}, "mn\r\n");
  expect_request_round_trip(MetaDebugRequest{"k", "k", false}, "me k\r\n");
  expect_request_round_trip(MetaDebugRequest{"a", "YQ==", true}, "me YQ== b\r\n");
}

TEST(RoundTrip, ParseResultsAreNotCommands) {
  std::string out;
  EXPECT_FALSE(compose_request(ProtocolError{"ERROR\r\n", false}, out));
  EXPECT_FALSE(compose_request(SkippedData{3}, out));
  EXPECT_TRUE(out.empty());
}

TEST(RoundTrip, EveryResponseType) {
  expect_response_round_trip(ValueResponse{"k", 5, false, 0, "abc"}, "VALUE k 5 3\r\nabc\r\n");
  expect_response_round_trip(ValueResponse{"k", 0, true, 99, std::string_view("E\0\r\n", 4)},
                             std::string_view("VALUE k 0 4 99\r\nE\0\r\n\r\n", 22));
  expect_response_round_trip(EndResponse{}, "END\r\n");
  expect_response_round_trip(StatusResponse{Status::kStored}, "STORED\r\n");
  expect_response_round_trip(StatusResponse{Status::kNotStored}, "NOT_STORED\r\n");
  expect_response_round_trip(StatusResponse{Status::kExists}, "EXISTS\r\n");
  expect_response_round_trip(StatusResponse{Status::kNotFound}, "NOT_FOUND\r\n");
  expect_response_round_trip(StatusResponse{Status::kDeleted}, "DELETED\r\n");
  expect_response_round_trip(StatusResponse{Status::kTouched}, "TOUCHED\r\n");
  expect_response_round_trip(StatusResponse{Status::kOk}, "OK\r\n");
  expect_response_round_trip(StatusResponse{Status::kReset}, "RESET\r\n");
  expect_response_round_trip(NumberResponse{42}, "42\r\n");
  expect_response_round_trip(StatResponse{"pid", "1234"}, "STAT pid 1234\r\n");
  expect_response_round_trip(VersionResponse{"1.6.18"}, "VERSION 1.6.18\r\n");
  expect_response_round_trip(ErrorResponse{"CLIENT_ERROR bad data chunk"},
                             "CLIENT_ERROR bad data chunk\r\n");
  expect_response_round_trip(MetaResponse{MetaStatus::kVa, "f5 s3", "abc"},
                             "VA 3 f5 s3\r\nabc\r\n");
  expect_response_round_trip(MetaResponse{MetaStatus::kHd, "", ""}, "HD\r\n");
  expect_response_round_trip(MetaResponse{MetaStatus::kEn, "", ""}, "EN\r\n");
  expect_response_round_trip(MetaResponse{MetaStatus::kNs, "O1", ""}, "NS O1\r\n");
  expect_response_round_trip(MetaResponse{MetaStatus::kEx, "", ""}, "EX\r\n");
  expect_response_round_trip(MetaResponse{MetaStatus::kNf, "kfoo", ""}, "NF kfoo\r\n");
  expect_response_round_trip(MetaResponse{MetaStatus::kMn, "", ""}, "MN\r\n");
  expect_response_round_trip(MetaDebugResponse{"k", "exp=-1 la=1 cas=2 fetch=no cls=1 size=63"},
                             "ME k exp=-1 la=1 cas=2 fetch=no cls=1 size=63\r\n");
  expect_response_round_trip(MetadumpResponse{"key=k exp=-1 la=1 cas=2 fetch=no cls=1 size=63"},
                             "key=k exp=-1 la=1 cas=2 fetch=no cls=1 size=63\r\n");
}

}  // namespace

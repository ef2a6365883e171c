// The response parser on replies captured from memcached 1.6.18 and on the reply syntax of
// protocol.txt, at every fragment size.

#include "mc/codec/response_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "fragments.hpp"

namespace {

std::vector<std::string> decode_responses(std::string_view wire, std::size_t step) {
  mc::codec::ResponseParser parser;
  return mc::codec::testing::decode_in_fragments(
      parser, wire, step, [](const mc::codec::Response& r) { return to_json(r, true); });
}

void expect_responses(std::string_view wire, const std::vector<std::string>& expected) {
  for (std::size_t step = 1; step <= wire.size(); ++step) {
    SCOPED_TRACE(fmt::format("fragment size {}", step));
    ASSERT_EQ(decode_responses(wire, step), expected);
  }
}

TEST(ResponseParser, ParsesAGetReply) {
  // protocol.txt: VALUE <key> <flags> <bytes> [<cas unique>]\r\n<data block>\r\n ... END\r\n
  expect_responses("VALUE a 5 3\r\nabc\r\nVALUE b 0 0 77\r\n\r\nEND\r\n",
                   {R"({"response":"VALUE","key":"a","flags":5,"bytes":3,"data":"abc"})",
                    R"({"response":"VALUE","key":"b","flags":0,"bytes":0,"cas":77,"data":""})",
                    R"({"response":"END"})"});
}

TEST(ResponseParser, KeepsValuesBinarySafe) {
  const std::string value("END\r\n\0\r\n\r", 9);
  const std::string wire = "VALUE k 0 9\r\n" + value + "\r\nEND\r\n";
  expect_responses(wire, {R"({"response":"VALUE","key":"k","flags":0,"bytes":9,)"
                          R"("data":"END\u000d\u000a\u0000\u000d\u000a\u000d"})",
                          R"({"response":"END"})"});
}

TEST(ResponseParser, ParsesStatusWordsAndNumbers) {
  expect_responses(
      "STORED\r\nNOT_STORED\r\nEXISTS\r\nNOT_FOUND\r\nDELETED\r\nTOUCHED\r\nOK\r\nRESET\r\n9\r\n"
      "18446744073709551615\r\n",
      {R"({"response":"STORED"})", R"({"response":"NOT_STORED"})", R"({"response":"EXISTS"})",
       R"({"response":"NOT_FOUND"})", R"({"response":"DELETED"})", R"({"response":"TOUCHED"})",
       R"({"response":"OK"})", R"({"response":"RESET"})", R"({"response":"NUMBER","value":9})",
       R"({"response":"NUMBER","value":18446744073709551615})"});
}

TEST(ResponseParser, ParsesStatsVersionAndErrors) {
  expect_responses(
      "STAT pid 6984\r\nSTAT libevent 2.1.12-stable\r\nEND\r\nVERSION 1.6.18\r\nERROR\r\n"
      "CLIENT_ERROR bad data chunk\r\nSERVER_ERROR object too large for cache\r\n"
      "ERROR: shutdown not enabled\r\nMEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n",
      {R"({"response":"STAT","name":"pid","value":"6984"})",
       R"({"response":"STAT","name":"libevent","value":"2.1.12-stable"})", R"({"response":"END"})",
       R"({"response":"VERSION","version":"1.6.18"})", R"({"error":"ERROR"})",
       R"({"error":"CLIENT_ERROR bad data chunk"})",
       R"({"error":"SERVER_ERROR object too large for cache"})",
       R"({"error":"ERROR: shutdown not enabled"})",
       R"({"error":"MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m"})"});
}

TEST(ResponseParser, ParsesMetaReplies) {
  // Captured from memcached 1.6.18 (mg a v f s t c k O123 h l; ma ... v; me a).
  expect_responses(
      "VA 3 f5 s3 t-1 c8 ka O123 h0 l0\r\nabc\r\nHD c10 kb O9\r\nEN\r\nNS\r\nEX\r\nNF kzz O5\r\n"
      "MN\r\nVA 1\r\n5\r\nME YQ== exp=-1 la=6 cas=15 fetch=yes cls=1 size=63\r\n",
      {R"({"response":"VA","bytes":3,"flags":["f5","s3","t-1","c8","ka","O123","h0","l0"],"data":"abc"})",
       R"({"response":"HD","flags":["c10","kb","O9"]})", R"({"response":"EN","flags":[]})",
       R"({"response":"NS","flags":[]})", R"({"response":"EX","flags":[]})",
       R"({"response":"NF","flags":["kzz","O5"]})", R"({"response":"MN","flags":[]})",
       R"({"response":"VA","bytes":1,"flags":[],"data":"5"})",
       R"({"response":"ME","key":"YQ==","info":"exp=-1 la=6 cas=15 fetch=yes cls=1 size=63"})"});
}

TEST(ResponseParser, ParsesMetadumpLines) {
  expect_responses(
      "key=a exp=-1 la=1700000000 cas=2 fetch=no cls=1 size=63\r\nEND\r\n",
      {R"({"response":"metadump","line":"key=a exp=-1 la=1700000000 cas=2 fetch=no cls=1 size=63"})",
       R"({"response":"END"})"});
}

TEST(ResponseParser, RefusesWhatMemcachedCannotHaveSent) {
  for (const std::string_view wire :
       {"STORED\n", "HELLO\r\n", "VALUE a 0 3\r\nabcd\r\n", "VALUE a x 3\r\nabc\r\n",
        "VALUE a 0 3 -1\r\nabc\r\n", "VALUE  0 3\r\nabc\r\n", "VA x\r\n", "STAT\r\n", "\r\n",
        "-1\r\n", "18446744073709551616\r\n"}) {
    SCOPED_TRACE(wire);
    EXPECT_EQ(decode_responses(wire, wire.size()), std::vector<std::string>{"<close>"});
  }
}

TEST(ResponseParser, WaitsForTheDataBlock) {
  mc::codec::ResponseParser parser;
  EXPECT_EQ(parser.parse("VALUE a 0 3\r\nab").status, mc::net::DecodeStatus::kNeedMore);
  EXPECT_EQ(parser.parse("VALUE a 0 3\r\nabc\r").status, mc::net::DecodeStatus::kNeedMore);
  EXPECT_EQ(parser.parse(std::string(70'000, 'x')).status, mc::net::DecodeStatus::kError);
}

}  // namespace

// Meta commands against memcached 1.6.18, at every fragment size.

#include <gtest/gtest.h>

#include <string>

#include "fragments.hpp"
#include "mc/codec/reply.hpp"

namespace {

using mc::codec::testing::expect_requests;
using namespace mc::codec::reply;

std::string error(std::string_view reply) {
  return fmt::format(R"({{"error":"{}","noreply":false}})", reply.substr(0, reply.size() - 2));
}
const std::string kNoop = R"({"cmd":"mn"})";

TEST(MetaParser, ParsesMetaGetWithItsFlags) {
  expect_requests("mg a v f s t c k O123 h l q u N30 R10 T-1\r\nmg b\r\n",
                  {R"({"cmd":"mg","key":"a","base64":false,"flags":["v","f","s","t","c","k",)"
                   R"("O123","h","l","q","u","N30","R10","T-1"]})",
                   R"({"cmd":"mg","key":"b","base64":false,"flags":[]})"});
}

TEST(MetaParser, ExposesParsedFlagValues) {
  mc::codec::RequestParser parser;
  const auto result = parser.parse("ma n q N0 J5 D7 MD O9 C12 T30\r\n");
  const auto& request = std::get<mc::codec::MetaRequest>(result.message);
  EXPECT_EQ(request.command, mc::codec::MetaCommand::kArithmetic);
  EXPECT_TRUE(request.flags.has('q'));
  EXPECT_FALSE(request.flags.has('v'));
  EXPECT_EQ(request.flags.initial, 5u);
  EXPECT_EQ(request.flags.delta, 7u);
  EXPECT_EQ(request.flags.mode, 'D');
  EXPECT_EQ(request.flags.opaque, "9");
  EXPECT_EQ(request.flags.compare_cas, 12u);
  EXPECT_EQ(request.flags.ttl, 30);
}

TEST(MetaParser, DecodesBase64Keys) {
  expect_requests("mg YQ== b v k\r\nme YQ== b\r\nms YWJj 1 b\r\nx\r\n",
                  {R"({"cmd":"mg","key":"a","base64":true,"flags":["b","v","k"]})",
                   R"({"cmd":"me","key":"a","base64":true})",
                   R"({"cmd":"ms","key":"abc","base64":true,"bytes":1,"flags":["b"],"data":"x"})"});
  expect_requests(
      "mg YQ= b v\r\nmg !!!! b\r\nmg a b\r\nme a b\r\n",
      {error(kKeyDecodeError), error(kKeyDecodeError), error(kKeyDecodeError), error(kBadFormat)});
}

TEST(MetaParser, ParsesMetaSetAndItsData) {
  expect_requests("ms k 3 T0 F7 c k O9 MS I\r\nx\r\n\r\n",
                  {R"({"cmd":"ms","key":"k","base64":false,"bytes":3,)"
                   R"("flags":["T0","F7","c","k","O9","MS","I"],"data":"x\u000d\u000a"})"});
}

TEST(MetaParser, ParsesDeleteArithmeticNoopAndDebug) {
  expect_requests("md k q C5 I T30\r\nma k\r\nmn a b\r\nme k\r\n",
                  {R"({"cmd":"md","key":"k","base64":false,"flags":["q","C5","I","T30"]})",
                   R"({"cmd":"ma","key":"k","base64":false,"flags":[]})", kNoop,
                   R"({"cmd":"me","key":"k","base64":false})"});
}

TEST(MetaParser, RefusesBadFlagsWithMemcachedsWords) {
  expect_requests(
      "mg a x\r\nmg a v v\r\nmg a E5\r\nmg a Tabc\r\nmg a T\r\nmg a Nabc\r\nmg a Fabc\r\n"
      "mg a Tx Fx\r\nmg a MXY\r\nmg\r\nmx a\r\nme\r\n",
      {error(kInvalidFlag), error(kDuplicateFlag), error(kInvalidFlag), error(kBadToken),
       error(kBadToken), error(kBadToken), error(kBadFormat), error(kBadToken),
       error(kModeTokenLength), error(kError), error(kError), error(kBadFormat)});
  expect_requests("md zz x\r\nmd zz Cabc\r\nmd zz q q\r\nma zz Dabc\r\nma zz Jabc\r\nma zz MX\r\n",
                  {error(kInvalidOrDuplicateFlag), error(kInvalidOrDuplicateFlag),
                   error(kInvalidOrDuplicateFlag), error(kInvalidOrDuplicateFlag),
                   error(kInvalidOrDuplicateFlag), error(kMaInvalidMode)});
}

TEST(MetaParser, LimitsOpaqueTokensAndFlagCounts) {
  const std::string opaque33 = "O" + std::string(32, '1');
  const std::string seventeen = "c f h k l O1 q s t u v N1 R1 T1 P L F1";  // 17 flags
  expect_requests("mg a " + opaque33 + "\r\nmg zz " + seventeen + "\r\nmg a " + seventeen +
                      " I\r\nmd a " + seventeen + " I\r\n",
                  {error(kOpaqueTooLong),
                   R"({"cmd":"mg","key":"zz","base64":false,"flags":["c","f","h","k","l","O1","q",)"
                   R"("s","t","u","v","N1","R1","T1","P","L","F1"]})",
                   error(kMgFlagsTooLong), error(kFlagsTooLong)});
}

TEST(MetaParser, SkipsMetaSetDataAfterAFlagError) {
  expect_requests(
      "ms b 3 x\r\nxyz\r\nms b 3 MX\r\nxyz\r\nms b 3 MEE\r\nxyz\r\nms b 3 Fabc\r\nxyz\r\nmn\r\n",
      {error(kInvalidFlag), R"({"skipped":5})", error(kMsInvalidMode), R"({"skipped":5})",
       error(kModeTokenLength), R"({"skipped":5})", error(kBadFormat), R"({"skipped":5})", kNoop});
  expect_requests("ms b 3 O" + std::string(32, '1') + "\r\nxyz\r\nmn\r\n",
                  {error(kOpaqueTooLong), R"({"skipped":5})", kNoop});
}

TEST(MetaParser, DoesNotSkipDataBeforeTheLengthIsKnown) {
  const std::string eighteen = "c f h k l O1 q s t u v N1 R1 T1 P L F1 I";
  expect_requests("ms b\r\nxyz\r\nms b abc\r\nxyz\r\nms b -1\r\nms\r\nms a 1 " + eighteen + "\r\n",
                  {error(kBadFormat), error(kError), error(kBadFormat), error(kError),
                   error(kBadFormat), error(kError), error(kFlagsTooLong)});
}

TEST(MetaParser, AnswersBadDataChunkEvenWhenQuiet) {
  expect_requests("ms b 3 q\r\nxyzw\r\nmn\r\n", {error(kBadDataChunk), error(kError), kNoop});
}

TEST(MetaParser, SkipsTheDataOfAMetaSetTooLargeForTheCache) {
  const mc::codec::ItemSizeLimit small{70, true};
  expect_requests("ms a 11 q\r\n01234567890\r\nmn\r\n",
                  {error(kTooLarge), R"({"skipped":13})", kNoop}, small);
}

}  // namespace

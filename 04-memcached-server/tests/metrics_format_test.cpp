// The pieces of the metrics endpoint that need no server: the text format, the HTTP request
// parser and the latency histograms.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "mc/server/command_latency.hpp"
#include "mc/server/http_request.hpp"
#include "mc/server/prometheus_text.hpp"

namespace {

using mc::server::CommandKind;
using mc::server::HttpRequest;
using mc::server::MetricType;
using mc::server::PrometheusText;

TEST(PrometheusText, WritesHelpTypeAndSamples) {
  PrometheusText out;
  out.family("memcached_current_items", MetricType::kGauge, "Current number of items.");
  out.sample("memcached_current_items", {}, std::uint64_t{42});
  out.family("memcached_commands_total", MetricType::kCounter, "Requests.");
  out.sample("memcached_commands_total", {{"command", "get"}, {"status", "hit"}}, std::uint64_t{7});
  EXPECT_EQ(out.finish(),
            "# HELP memcached_current_items Current number of items.\n"
            "# TYPE memcached_current_items gauge\n"
            "memcached_current_items 42\n"
            "# HELP memcached_commands_total Requests.\n"
            "# TYPE memcached_commands_total counter\n"
            "memcached_commands_total{command=\"get\",status=\"hit\"} 7\n");
}

TEST(PrometheusText, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(mc::server::escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  PrometheusText out;
  out.family("x", MetricType::kGauge, "one\\two\nthree \"quoted\"");
  out.sample("x", {{"version", "1.6\"x"}}, 0.25);
  EXPECT_EQ(
      out.finish(),
      "# HELP x one\\\\two\\nthree \"quoted\"\n# TYPE x gauge\nx{version=\"1.6\\\"x\"} 0.25\n");
}

TEST(PrometheusText, WritesHistogramBucketsCumulatively) {
  PrometheusText out;
  const std::array bounds{0.001, 0.01};
  const std::array<std::uint64_t, 3> counts{2, 3, 1};
  out.histogram("d_seconds", {{"command", "get"}}, bounds, counts, 0.5);
  EXPECT_EQ(out.finish(),
            "d_seconds_bucket{command=\"get\",le=\"0.001\"} 2\n"
            "d_seconds_bucket{command=\"get\",le=\"0.01\"} 5\n"
            "d_seconds_bucket{command=\"get\",le=\"+Inf\"} 6\n"
            "d_seconds_sum{command=\"get\"} 0.5\n"
            "d_seconds_count{command=\"get\"} 6\n");
}

TEST(HttpRequest, ParsesAGetAtEveryFragmentSize) {
  const std::string wire =
      "GET /metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9150\r\nAccept: text/plain\r\n\r\n";
  for (std::size_t size = 1; size <= wire.size(); ++size) {
    SCOPED_TRACE(fmt::format("fragment size {}", size));
    // The listener appends what each read brings and parses again: every prefix short of the
    // blank line needs more.
    for (std::size_t end = size; end < wire.size(); end += size) {
      ASSERT_EQ(mc::server::parse_http_request(wire.substr(0, end)).status,
                HttpRequest::Status::kNeedMore);
    }
    const auto request = mc::server::parse_http_request(wire);
    ASSERT_EQ(request.status, HttpRequest::Status::kGood);
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.path, "/metrics");
  }
}

TEST(HttpRequest, AcceptsBareLineFeedsAndHttp10) {
  const auto request = mc::server::parse_http_request("GET /healthz HTTP/1.0\n\n");
  ASSERT_EQ(request.status, HttpRequest::Status::kGood);
  EXPECT_EQ(request.path, "/healthz");
}

TEST(HttpRequest, RefusesMalformedHeads) {
  for (const std::string wire :
       {"garbage\r\n\r\n", "GET /metrics\r\n\r\n", "GET metrics HTTP/1.1\r\n\r\n",
        "GET /metrics HTTP/2.0\r\n\r\n", "GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n",
        "G@T /metrics HTTP/1.1\r\n\r\n", "stats\r\n\r\n"}) {
    SCOPED_TRACE(wire);
    EXPECT_EQ(mc::server::parse_http_request(wire).status, HttpRequest::Status::kBad);
  }
}

TEST(HttpRequest, RefusesAHeadLargerThanTheLimit) {
  const std::string endless =
      "GET /metrics HTTP/1.1\r\nX: " + std::string(mc::server::kMaxHttpHead, 'a');
  EXPECT_EQ(mc::server::parse_http_request(endless).status, HttpRequest::Status::kBad);
}

TEST(LatencyRecorder, CountsEachDurationInItsBucketPerCommand) {
  mc::server::LatencyRecorder recorder(2);
  using std::chrono::nanoseconds;
  recorder.record(0, CommandKind::kGet, nanoseconds(500));    // <= 1 us
  recorder.record(1, CommandKind::kGet, nanoseconds(1'000));  // <= 1 us: bounds are inclusive
  recorder.record(1, CommandKind::kGet, nanoseconds(1'001));  // <= 2 us
  recorder.record(0, CommandKind::kSet, nanoseconds(3'000'000'000));  // +Inf
  const auto totals = recorder.totals();
  const auto& get = totals[static_cast<std::size_t>(CommandKind::kGet)];
  EXPECT_EQ(get.count(), 3u);
  EXPECT_EQ(get.buckets[0], 2u);
  EXPECT_EQ(get.buckets[1], 1u);
  EXPECT_EQ(get.sum_ns, 2'501u);
  const auto& set = totals[static_cast<std::size_t>(CommandKind::kSet)];
  EXPECT_EQ(set.buckets.back(), 1u);
  EXPECT_EQ(totals[static_cast<std::size_t>(CommandKind::kDelete)].count(), 0u);
}

TEST(CommandKind, NamesCommandsAsOnTheWire) {
  mc::codec::RetrievalRequest gets;
  gets.command = mc::codec::RetrieveCommand::kGets;
  EXPECT_EQ(mc::server::command_name(*mc::server::command_kind(gets)), "gets");
  mc::codec::ArithmeticRequest decr;
  decr.increment = false;
  EXPECT_EQ(mc::server::command_name(*mc::server::command_kind(decr)), "decr");
  mc::codec::MetaRequest meta;
  meta.command = mc::codec::MetaCommand::kSet;
  EXPECT_EQ(mc::server::command_name(*mc::server::command_kind(meta)), "ms");
  EXPECT_EQ(mc::server::command_name(*mc::server::command_kind(mc::codec::VersionRequest{})),
            "other");
  EXPECT_FALSE(mc::server::command_kind(mc::codec::SkippedData{}).has_value());
}

}  // namespace

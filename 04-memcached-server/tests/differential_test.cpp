// The differential test: the same scripted sessions go to the real memcached and to
// cppmemcached, and the replies must be byte-identical once the values that legitimately
// differ (cas uniques, version, times) are normalised.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"
#include "sessions.hpp"

namespace {

using namespace std::chrono_literals;
using mc::testing::LineClient;
using mc::testing::Process;

constexpr std::string_view kMemcached = "/usr/bin/memcached";

// After every step we send a meta no-op: its reply "MN\r\n" marks the end of the step's replies,
// so a step that answers nothing (noreply) is compared as "nothing" instead of as a timeout.
constexpr std::string_view kNoop = "mn\r\n";
constexpr std::string_view kNoopReply = "MN\r\n";

struct Servers {
  std::optional<Process> memcached;
  std::uint16_t memcached_port = 0;
  std::optional<Process> ours;
  std::uint16_t ours_port = 0;
};

Servers start_both(const std::vector<std::string>& extra_args) {
  Servers servers;
  servers.memcached_port = mc::testing::free_port();
  std::vector<std::string> args = {
      "-p", std::to_string(servers.memcached_port), "-l", "127.0.0.1", "-U", "0", "-t", "1"};
  if (::geteuid() == 0) args.insert(args.end(), {"-u", "nobody"});
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  servers.memcached.emplace(Process::start(std::string(kMemcached), args));
  if (!mc::testing::wait_until_accepting(servers.memcached_port)) {
    throw std::runtime_error("memcached did not start: " + servers.memcached->stderr_text());
  }
  std::vector<std::string> our_args = {"-t", "1"};
  our_args.insert(our_args.end(), extra_args.begin(), extra_args.end());
  auto [ours, port] = mc::testing::start_server(CPPMEMCACHED_PATH, our_args);
  servers.ours.emplace(std::move(ours));
  servers.ours_port = port;
  return servers;
}

// Replaces what may legitimately differ between two servers by fixed markers.
std::string normalise(std::string replies) {
  static const std::regex kValueCas(R"((VALUE \S+ \d+ \d+) \d+\r\n)");
  static const std::regex kMetaCas(R"(( c)\d+)");
  static const std::regex kVersion(R"(VERSION [^\r]*\r\n)");
  static const std::regex kMetaTtl(R"(( t)\d+)");
  replies = std::regex_replace(replies, kValueCas, "$1 <cas>\r\n");
  replies = std::regex_replace(replies, kMetaCas, "$1<cas>");
  replies = std::regex_replace(replies, kVersion, "VERSION <version>\r\n");
  replies = std::regex_replace(replies, kMetaTtl, "$1<ttl>");
  // `me` names our own size class and item size, which legitimately differ from memcached's;
  // its exp= and la= and mg's l flag count seconds, which depend on when the clock ticked
  // (exp=-1, "never expires", is kept).
  static const std::regex kClassAndSize(R"(cls=\d+ size=\d+)");
  static const std::regex kDebugTimes(R"((exp=)-?(\d\d+|[02-9])|(la=)\d+)");
  static const std::regex kMetaIdle(R"(( l)\d+)");
  static const std::regex kDebugCas(R"(( cas=)\d+)");
  replies = std::regex_replace(replies, kClassAndSize, "cls=<class> size=<size>");
  replies = std::regex_replace(replies, kDebugTimes, "$1$3<seconds>");
  replies = std::regex_replace(replies, kMetaIdle, "$1<seconds>");
  replies = std::regex_replace(replies, kDebugCas, "$1<cas>");
  return replies;
}

// Plays a session on one connection and returns the transcript: each step's bytes, then its
// replies. A step the server answers by closing the connection records <closed>.
std::string play(std::uint16_t port, const mc::testing::Session& session) {
  LineClient client(port);
  std::string transcript;
  for (const auto& step : session.steps) {
    transcript += fmt::format(">>> {:?}\n", step.substr(0, 120));
    try {
      client.send(step);
      client.send(kNoop);
      for (std::string line = client.read_line(5s); line != kNoopReply;
           line = client.read_line(5s)) {
        transcript += line;
      }
    } catch (const std::runtime_error& error) {
      // Closed shows as an end of stream, or, when the server closed with our no-op still
      // unread in its socket, as a reset (on send or recv): the kernel answers that with RST.
      const std::string_view what = error.what();
      if (!what.starts_with("connection closed") && !what.starts_with("recv") &&
          !what.starts_with("send")) {
        throw;
      }
      transcript += "<closed>\n";
      break;
    }
  }
  return normalise(std::move(transcript));
}

class Differential : public ::testing::TestWithParam<mc::testing::Session> {};

TEST_P(Differential, RepliesMatchMemcached) {
  const auto& session = GetParam();
  auto servers = start_both(session.server_args);
  const std::string expected = play(servers.memcached_port, session);
  const std::string actual = play(servers.ours_port, session);
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(servers.ours->stop(), 0) << servers.ours->stderr_text();
  servers.memcached->stop(0ms);  // its own graceful stop is not under test, and takes 0.7 s
}

INSTANTIATE_TEST_SUITE_P(Sessions, Differential, ::testing::ValuesIn(mc::testing::all_sessions()),
                         [](const auto& info) { return info.param.name; });

}  // namespace

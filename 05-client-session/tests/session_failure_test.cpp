// How a Session fails: deadlines against a server that never answers, late replies, replies
// out of step, a silent peer caught by the heartbeat, a server killed mid-stream and brought
// back, and the reconnect backoff.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csignal>

#include <asio/use_future.hpp>

#include "mc/client/session.hpp"
#include "mc/testing/net.hpp"
#include "support.hpp"

namespace mc::client {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::FakeServer;

// Options for tests that must see the deadline, not the heartbeat, end a call.
SessionOptions quiet_options() {
  SessionOptions options;
  options.heartbeat_interval = 0ms;
  options.heartbeat_timeout = 0ms;
  return options;
}

// A call's outcome and how long it took, recorded by a callback.
template <typename T>
struct Outcome {
  std::promise<std::pair<Result<T>, Clock::duration>> promise;
  std::future<std::pair<Result<T>, Clock::duration>> future = promise.get_future();
  Clock::time_point start = Clock::now();
  auto handler() {
    return [this](Result<T> result) {
      promise.set_value({std::move(result), Clock::now() - start});
    };
  }
  bool ready(std::chrono::milliseconds wait = 0ms) {
    return future.wait_for(wait) == std::future_status::ready;
  }
};

//! [deadline-test]
// A quiet session connected to a fake server; the test plays the server's side through `peer`.
class ConnectedSession : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(peer); }

  FakeServer server;
  testing::IoThread io;
  Session session{io.io(), {"127.0.0.1", server.port()}, quiet_options()};
  std::optional<FakeServer::Peer> peer = server.accept();  // after the session: it connects
};

TEST_F(ConnectedSession, CallToASilentServerTimesOutAtItsDeadlineWithoutBlockingOthers) {
  Outcome<std::optional<Item>> slow;
  Outcome<std::optional<Item>> fast;
  session.get("slow", {.timeout = 3s}, slow.handler());
  session.get("fast", {.timeout = 100ms}, fast.handler());
  EXPECT_EQ(peer->read_line(), "get slow\r\n");
  EXPECT_EQ(peer->read_line(), "get fast\r\n");

  // The later call with the nearer deadline ends first: nothing waits behind the slow one.
  ASSERT_TRUE(fast.ready(10s));
  EXPECT_FALSE(slow.ready());
  auto [fast_result, fast_took] = fast.future.get();
  EXPECT_EQ(fast_result.error(), Error::kTimeout);
  EXPECT_GE(fast_took, 100ms);

  ASSERT_TRUE(slow.ready(10s));
  auto [slow_result, slow_took] = slow.future.get();
  EXPECT_EQ(slow_result.error(), Error::kTimeout);
  EXPECT_GE(slow_took, 3s);
  EXPECT_EQ(session.counters().timeouts.load(), 2u);
}
//! [deadline-test]

// The session's one deadline timer is re-armed after each expiry; a call made by a timed-out
// call's callback must keep its own, nearer deadline.
TEST_F(ConnectedSession, ACallMadeWhenAnotherTimesOutKeepsItsOwnDeadline) {
  Outcome<std::optional<Item>> slow;
  Outcome<std::optional<Item>> retry;
  session.get("slow", {.timeout = 30s}, slow.handler());
  session.get("first", {.timeout = 50ms}, [&](Result<std::optional<Item>>) {
    session.get("retry", {.timeout = 50ms}, retry.handler());
  });

  ASSERT_TRUE(retry.ready(10s)) << "the retry waited for the 30 s deadline of another call";
  EXPECT_EQ(retry.future.get().first.error(), Error::kTimeout);
  EXPECT_FALSE(slow.ready());
  session.close();
  ASSERT_TRUE(slow.ready(10s));
}

TEST_F(ConnectedSession, ALateReplyIsDiscardedAndTheNextCallGetsItsOwn) {
  Outcome<std::optional<Item>> first;
  session.get("first", {.timeout = 50ms}, first.handler());
  ASSERT_TRUE(first.ready(10s));
  EXPECT_EQ(first.future.get().first.error(), Error::kTimeout);

  Outcome<std::optional<Item>> second;
  session.get("second", {.timeout = 10s}, second.handler());
  EXPECT_EQ(peer->read_line(), "get first\r\n");
  EXPECT_EQ(peer->read_line(), "get second\r\n");
  // The server answers both, in order: the first reply must not be taken for the second's.
  peer->send("VALUE first 0 5\r\nlate!\r\nEND\r\nVALUE second 0 6\r\nsecond\r\nEND\r\n");
  ASSERT_TRUE(second.ready(10s));
  const auto got = second.future.get().first;
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->key, "second");
  EXPECT_EQ((*got)->value, "second");
  EXPECT_EQ(session.counters().late_replies.load(), 1u);
}

TEST_F(ConnectedSession, AReplyThatAnswersNothingFailsTheCallAndTheSessionReconnects) {
  Outcome<std::optional<Item>> call;
  Outcome<std::optional<Item>> behind;
  session.get("k", {.timeout = 10s}, call.handler());
  session.get("j", {.timeout = 10s}, behind.handler());
  EXPECT_EQ(peer->read_line(), "get k\r\n");
  peer->send("STORED\r\n");  // not an answer to get: the stream is out of step
  ASSERT_TRUE(call.ready(10s));
  EXPECT_EQ(call.future.get().first.error(), Error::kUnexpectedReply);
  ASSERT_TRUE(behind.ready(10s));
  EXPECT_EQ(behind.future.get().first.error(), Error::kConnectionLost);
  EXPECT_TRUE(peer->wait_closed());
  EXPECT_TRUE(server.accept());  // a fresh connection, in step again
}

TEST(SessionFailure, HeartbeatPingsAnIdleConnectionAndDropsAServerThatStaysSilent) {
  FakeServer server;
  testing::IoThread io;
  SessionOptions options;
  options.heartbeat_interval = 100ms;
  options.heartbeat_timeout = 300ms;
  Session session(io.io(), {"127.0.0.1", server.port()}, options);
  auto peer = server.accept();
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->read_line(), "version\r\n");  // idle: a ping
  EXPECT_TRUE(peer->wait_closed());             // unanswered: the peer is taken for dead
  EXPECT_TRUE(server.accept());                 // and the session connects again
  EXPECT_GE(session.counters().heartbeats.load(), 1u);
}

TEST(SessionFailure, AnsweredHeartbeatsKeepTheConnection) {
  FakeServer server;
  testing::IoThread io;
  SessionOptions options;
  options.heartbeat_interval = 50ms;
  options.heartbeat_timeout = 2s;
  Session session(io.io(), {"127.0.0.1", server.port()}, options);
  auto peer = server.accept();
  ASSERT_TRUE(peer);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(peer->read_line(), "version\r\n");
    peer->send("VERSION fake\r\n");
  }
  EXPECT_EQ(session.counters().connects.load(), 1u);
  EXPECT_EQ(session.counters().disconnects.load(), 0u);
}

TEST(SessionFailure, CallsFailFastWhileNoServerListens) {
  const auto port = mc::testing::free_port();  // nothing listens there
  testing::IoThread io;
  Session session(io.io(), {"127.0.0.1", port}, quiet_options());
  const auto first = session.get("k", {}, asio::use_future).get();  // waits for the attempt
  EXPECT_EQ(first.error(), Error::kNotConnected);
  ASSERT_TRUE(testing::wait_until([&] { return session.counters().connect_failures >= 2; }));
}

TEST(SessionFailure, ClosingTheSessionFailsEveryPendingCall) {
  FakeServer server;
  testing::IoThread io;
  Session session(io.io(), {"127.0.0.1", server.port()}, quiet_options());
  auto peer = server.accept();
  ASSERT_TRUE(peer);
  Outcome<std::optional<Item>> pending;
  session.get("k", {.timeout = 30s}, pending.handler());
  EXPECT_EQ(peer->read_line(), "get k\r\n");
  session.close();
  ASSERT_TRUE(pending.ready(10s));
  EXPECT_EQ(pending.future.get().first.error(), Error::kConnectionLost);
  EXPECT_EQ(session.get("k", {}, asio::use_future).get().error(), Error::kSessionClosed);
  EXPECT_TRUE(peer->wait_closed());
}

class ServerKilledTest : public ::testing::TestWithParam<testing::Backend> {};

//! [killed-test]
TEST_P(ServerKilledTest, InFlightCallsFailAtOnceAndTheSessionReconnectsWhenTheServerReturns) {
  auto server = testing::start_backend(GetParam());
  const auto port = server.port;
  testing::IoThread io;
  SessionOptions options;
  options.reconnect_min = 10ms;
  options.reconnect_max = 100ms;
  Session session(io.io(), {"127.0.0.1", port}, options);
  ASSERT_TRUE(session.version({}, asio::use_future).get());

  // 50 callers keep requests in flight until their first failure.
  constexpr int kCallers = 50;
  std::atomic<int> succeeded = 0;
  std::vector<std::future<std::error_code>> callers;
  // The lambda outlives the coroutines (they reach its captures through it); `c` is a
  // parameter, so each coroutine frame has its own copy.
  auto caller = [&](int c) -> asio::awaitable<std::error_code> {
    for (int i = 0;; ++i) {
      const std::string key = fmt::format("c{}:{}", c, i % 10);
      const auto stored = co_await session.set(key, std::string(100, 'v'), {.timeout = 2s});
      if (!stored) co_return stored.error();
      ++succeeded;
    }
  };
  for (int c = 0; c < kCallers; ++c) {
    callers.push_back(asio::co_spawn(io.io(), caller(c), asio::use_future));
  }
  ASSERT_TRUE(testing::wait_until([&] { return succeeded > 1000; }));
  server.process.signal(SIGKILL);
  ASSERT_TRUE(server.process.wait(10s));

  // Every caller ends: none hangs, each with a connection error, not a timeout.
  for (auto& caller : callers) {
    ASSERT_EQ(caller.wait_for(10s), std::future_status::ready);
    const auto error = caller.get();
    EXPECT_TRUE(error == Error::kConnectionLost || error == Error::kNotConnected)
        << error.message();
  }
  EXPECT_EQ(session.counters().timeouts.load(), 0u);

  // The same port comes back: the session finds it by itself.
  auto restarted = testing::start_backend(GetParam(), port);
  ASSERT_TRUE(
      testing::wait_until([&] { return session.version({}, asio::use_future).get().has_value(); }));
  EXPECT_EQ(session.counters().connects.load(), 2u);
}
//! [killed-test]

INSTANTIATE_TEST_SUITE_P(Servers, ServerKilledTest, ::testing::ValuesIn(testing::backends()),
                         [](const auto& info) { return testing::backend_name(info.param); });

TEST(ReconnectDelay, DoublesFromTheMinimumUpToTheCap) {
  EXPECT_EQ(reconnect_delay(0, 100ms, 10s, 1.0), 100ms);
  EXPECT_EQ(reconnect_delay(1, 100ms, 10s, 1.0), 200ms);
  EXPECT_EQ(reconnect_delay(3, 100ms, 10s, 1.0), 800ms);
  EXPECT_EQ(reconnect_delay(10, 100ms, 10s, 1.0), 10s);
  EXPECT_EQ(reconnect_delay(1000, 100ms, 10s, 1.0), 10s);  // no overflow, however many
}

TEST(ReconnectDelay, JitterSpreadsOverTheUpperHalfOnly) {
  EXPECT_EQ(reconnect_delay(2, 100ms, 10s, 0.0), 200ms);  // never below half the base
  EXPECT_EQ(reconnect_delay(2, 100ms, 10s, 0.5), 300ms);
  EXPECT_EQ(reconnect_delay(2, 100ms, 10s, 1.0), 400ms);
  EXPECT_EQ(reconnect_delay(20, 100ms, 10s, 0.0), 5s);
}

}  // namespace
}  // namespace mc::client

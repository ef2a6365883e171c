// In-process tests of sleeping connections: an idle connection gives up its coroutines, its
// socket waits in its thread's dormitory, and it wakes for a request, a send or a close.

#include <gtest/gtest.h>

#include <future>

#include "connection_support.hpp"
#include "mc/testing/net.hpp"

namespace mc::net {
namespace {

using mc::testing::LineClient;
using testing::Captured;
using testing::capturing;
using testing::close_event;
using testing::EventLog;
using testing::LineCodec;
using testing::LineConnection;
using testing::recording_echo;
using testing::wait_until;
using namespace std::chrono_literals;

// [sleep-tests]
// A server whose connections go to sleep after 10 ms without a read (one to two sweeps).
ServerOptions sleepy() {
  ServerOptions options;
  options.connection.sleep_after = 10ms;
  return options;
}

bool sleeps_at_least(const LineConnection::Pointer& connection, std::uint64_t times) {
  return wait_until([&] { return connection->stats().sleeps.load() >= times; });
}

TEST(Connection, AnIdleConnectionSleepsAndWakesForEachNextRequest) {
  EventLog log;
  Captured captured;
  Callbacks<LineCodec> callbacks = recording_echo(log);
  callbacks.on_connect = [&](LineConnection& c) {
    log.add("connect");
    captured.set(c);
  };
  Server<LineCodec> server(sleepy(), callbacks);
  {
    LineClient client(server.local_endpoint().port());
    auto connection = captured.get();
    ASSERT_NE(connection, nullptr);
    for (std::uint64_t round = 1; round <= 3; ++round) {
      ASSERT_TRUE(sleeps_at_least(connection, round));
      client.send(fmt::format("{}\n", round));  // wakes it up
      EXPECT_EQ(client.read_line(), fmt::format("{}\n", round));
    }
  }
  ASSERT_TRUE(wait_until([&] { return log.events().size() == 5; }));
  server.stop();
  const std::vector<std::string> expected = {"connect", "message:1", "message:2", "message:3",
                                             close_event(asio::error::eof)};
  EXPECT_EQ(log.events(), expected);
}

TEST(Connection, ASleepingConnectionWakesToSendWhatAnotherThreadQueues) {
  Captured captured;
  Server<LineCodec> server(sleepy(), {.on_connect = [&](LineConnection& c) { captured.set(c); }});
  LineClient client(server.local_endpoint().port());
  auto connection = captured.get();
  ASSERT_NE(connection, nullptr);
  ASSERT_TRUE(sleeps_at_least(connection, 1));
  connection->send("news\n");  // from this thread, as a client's callers do
  EXPECT_EQ(client.read_line(), "news\n");
  ASSERT_TRUE(sleeps_at_least(connection, 2)) << "it sleeps again once the write is done";
}

TEST(Connection, ASleepingConnectionClosesWithTheRightReason) {
  for (const bool graceful : {false, true}) {
    SCOPED_TRACE(graceful ? "stop" : "close");
    EventLog log;
    Captured captured;
    Server<LineCodec> server(sleepy(), capturing(captured, log));
    LineClient client(server.local_endpoint().port());
    auto connection = captured.get();
    ASSERT_NE(connection, nullptr);
    ASSERT_TRUE(sleeps_at_least(connection, 1));
    if (graceful) {
      server.stop();  // close_after_flush: nothing to flush
    } else {
      connection->close();
    }
    EXPECT_TRUE(client.wait_closed());
    server.stop();
    EXPECT_EQ(log.events(),
              std::vector<std::string>{close_event(graceful ? Error::kStopped : Error::kClosed)});
  }
}

// Asleep, the socket has left Asio's reactor for its thread's dormitory, and still wakes the
// connection when the peer hangs up.
TEST(Connection, ASleepingConnectionWaitsInItsThreadsDormitory) {
  EventLog log;
  Captured captured;
  Server<LineCodec> server(sleepy(), capturing(captured, log));
  auto client = std::make_unique<LineClient>(server.local_endpoint().port());
  auto connection = captured.get();
  ASSERT_NE(connection, nullptr);
  ASSERT_TRUE(sleeps_at_least(connection, 1));
  // The dormitory belongs to the connection's thread: ask there.
  std::promise<std::size_t> sleeping;
  asio::post(connection->get_executor(), [&] {
    sleeping.set_value(
        asio::use_service<detail::Dormitory>(connection->get_executor().context()).size());
  });
  EXPECT_EQ(sleeping.get_future().get(), 1u);
  client.reset();  // hangs up
  ASSERT_TRUE(wait_until([&] { return log.events().size() == 1; }));
  EXPECT_EQ(log.events(), std::vector<std::string>{close_event(asio::error::eof)});
}

TEST(Connection, IdleTimeoutClosesASleepingConnection) {
  EventLog log;
  Captured captured;
  ServerOptions options = sleepy();
  options.connection.idle_timeout = 1s;  // far longer than the 10-20 ms it takes to sleep
  Server<LineCodec> server(options, capturing(captured, log));
  LineClient client(server.local_endpoint().port());
  auto connection = captured.get();
  ASSERT_NE(connection, nullptr);
  EXPECT_TRUE(client.wait_closed());
  server.stop();
  EXPECT_GE(connection->stats().sleeps.load(), 1u) << "it slept before the timeout";
  EXPECT_EQ(log.events(), std::vector<std::string>{close_event(Error::kIdleTimeout)});
}
// [sleep-tests]

}  // namespace
}  // namespace mc::net

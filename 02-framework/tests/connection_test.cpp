// In-process tests of mc::net::Connection: callbacks, decoding, closing, the writer's batching
// and idle timeouts, through a real Server on 127.0.0.1.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "mc/net/client.hpp"
#include "mc/net/server.hpp"
#include "mc/testing/net.hpp"
#include "test_support.hpp"

namespace mc::net {
namespace {

using mc::testing::LineClient;
using testing::EventLog;
using testing::LineCodec;
using testing::wait_until;
using LineConnection = Connection<LineCodec>;
using namespace std::chrono_literals;

std::string close_event(std::error_code reason) { return "close:" + reason.message(); }

// A line echo server whose callbacks record what happens, in order.
Callbacks<LineCodec> recording_echo(EventLog& log) {
  return {
      .on_connect = [&log](LineConnection&) { log.add("connect"); },
      .on_message =
          [&log](LineConnection& connection, std::string_view line) {
            log.add(fmt::format("message:{}", line));
            connection.send(fmt::format("{}\n", line));
          },
      .on_close = [&log](LineConnection&, std::error_code reason) { log.add(close_event(reason)); },
  };
}

// Hands the test the server side of the first connection.
struct Captured {
  std::promise<LineConnection::Pointer> promise;
  std::future<LineConnection::Pointer> future = promise.get_future();
  std::once_flag once;
  void set(LineConnection& connection) {
    std::call_once(once, [&] { promise.set_value(connection.shared_from_this()); });
  }
  LineConnection::Pointer get() {
    if (future.wait_for(10s) != std::future_status::ready) return nullptr;
    return future.get();
  }
};

TEST(Connection, CallsConnectThenEachMessageThenCloseExactlyOnce) {
  EventLog log;
  Server<LineCodec> server({}, recording_echo(log));
  {
    LineClient client(server.local_endpoint().port());
    client.send("a\nb\n");
    EXPECT_EQ(client.read_line(), "a\n");
    EXPECT_EQ(client.read_line(), "b\n");
  }  // the client closes: the server reads end of stream
  ASSERT_TRUE(wait_until([&] { return log.events().size() == 4; }));
  server.stop();  // joins the threads: nothing can be added to the log after this
  const std::vector<std::string> expected = {"connect", "message:a", "message:b",
                                             close_event(asio::error::eof)};
  EXPECT_EQ(log.events(), expected);
}

TEST(Connection, DecodesMessagesSplitAcrossReadsAtEveryFragmentSize) {
  EventLog log;
  ServerOptions options;
  options.connection.read_buffer_size = 4;  // smaller than a line: the buffer must grow
  Server<LineCodec> server(options, recording_echo(log));
  const std::string wire = "hello\nworld, a longer line\n";
  for (std::size_t step = 1; step <= wire.size(); ++step) {
    SCOPED_TRACE(fmt::format("fragment size {}", step));
    LineClient client(server.local_endpoint().port());
    for (std::size_t at = 0; at < wire.size(); at += step) client.send(wire.substr(at, step));
    EXPECT_EQ(client.read_line(), "hello\n");
    EXPECT_EQ(client.read_line(), "world, a longer line\n");
  }
}

TEST(Connection, ClosesWithBadMessageWhenTheCodecRejectsInput) {
  EventLog log;
  Server<LineCodec> server({}, recording_echo(log));
  LineClient client(server.local_endpoint().port());
  client.send("fine\n!broken\nnever decoded\n");
  EXPECT_EQ(client.read_line(), "fine\n");
  EXPECT_TRUE(client.wait_closed());
  server.stop();
  const std::vector<std::string> expected = {"connect", "message:fine",
                                             close_event(Error::kBadMessage)};
  EXPECT_EQ(log.events(), expected);
}

TEST(Connection, CloseFromTheHandlerIsIdempotent) {
  EventLog log;
  Server<LineCodec> server(
      {}, {
              .on_message =
                  [](LineConnection& connection, std::string_view) {
                    connection.close();
                    connection.close();
                    connection.send("dropped\n");
                    connection.close();
                  },
              .on_close = [&log](LineConnection&,
                                 std::error_code reason) { log.add(close_event(reason)); },
          });
  LineClient client(server.local_endpoint().port());
  client.send("bye\nnot handled\n");
  EXPECT_TRUE(client.wait_closed());
  server.stop();
  EXPECT_EQ(log.events(), std::vector<std::string>{close_event(Error::kClosed)});
}

TEST(Connection, SendsFromForeignThreadsRaceCloseSafely) {
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(fmt::format("round {}", round));
    EventLog log;
    Captured captured;
    Server<LineCodec> server(
        {}, {
                .on_connect = [&](LineConnection& c) { captured.set(c); },
                .on_close = [&log](LineConnection&,
                                   std::error_code reason) { log.add(close_event(reason)); },
            });
    LineClient client(server.local_endpoint().port());
    auto connection = captured.get();
    ASSERT_NE(connection, nullptr);
    std::vector<std::jthread> senders;
    for (int t = 0; t < 4; ++t) {
      senders.emplace_back([&connection, t] {
        for (int i = 0; i < 500; ++i) connection->send(fmt::format("{} {}\n", t, i));
      });
    }
    connection->close();  // while the senders are still sending
    connection->close();
    senders.clear();  // joins
    EXPECT_TRUE(wait_until([&] { return !log.events().empty(); }));
    server.stop();
    EXPECT_EQ(log.events(), std::vector<std::string>{close_event(Error::kClosed)});
  }
}

//! [coalescing-test]
TEST(Connection, WriterCoalescesMessagesQueuedWhileItIsBusy) {
  Captured captured;
  Server<LineCodec> server({}, {.on_connect = [&](LineConnection& c) { captured.set(c); }});
  LineClient client(server.local_endpoint().port());
  auto connection = captured.get();
  ASSERT_NE(connection, nullptr);

  // More than the kernel's socket buffers hold: the writer is stuck in this write until the
  // client reads, which it does not do yet.
  const std::string big(32 << 20, 'x');
  connection->send(big + "\n");
  ASSERT_TRUE(wait_until([&] { return connection->stats().write_calls == 1; }));
  for (int i = 0; i < 100; ++i) connection->send(fmt::format("message {}\n", i));
  ASSERT_TRUE(wait_until([&] { return connection->stats().messages_sent == 101; }));
  ASSERT_EQ(connection->stats().bytes_written, 0u) << "the first write finished too early";

  EXPECT_EQ(client.read_exact(big.size() + 1, 30s), big + "\n");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(client.read_line(), fmt::format("message {}\n", i));
  // One write for the big message, one for the 100 queued behind it.
  EXPECT_EQ(connection->stats().write_calls, 2u);
}
//! [coalescing-test]

TEST(Connection, RepliesSentInOneHandlerLeaveInOneWrite) {
  Captured captured;
  Server<LineCodec> server({}, {
                                   .on_connect = [&](LineConnection& c) { captured.set(c); },
                                   .on_message =
                                       [](LineConnection& connection, std::string_view) {
                                         for (int i = 0; i < 100; ++i) {
                                           connection.send(fmt::format("reply {}\n", i));
                                         }
                                       },
                               });
  LineClient client(server.local_endpoint().port());
  client.send("burst\n");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(client.read_line(), fmt::format("reply {}\n", i));
  EXPECT_EQ(captured.get()->stats().write_calls, 1u);
}

TEST(Connection, OnWrittenReportsTheMessagesOfEachWrite) {
  Captured captured;
  std::atomic<std::size_t> written = 0, calls = 0;
  Server<LineCodec> server({}, {
                                   .on_connect = [&](LineConnection& c) { captured.set(c); },
                                   .on_message =
                                       [](LineConnection& connection, std::string_view) {
                                         for (int i = 0; i < 10; ++i) connection.send("r\n");
                                       },
                                   .on_written =
                                       [&](LineConnection&, std::size_t messages) {
                                         written += messages;
                                         ++calls;
                                       },
                               });
  LineClient client(server.local_endpoint().port());
  for (int round = 0; round < 3; ++round) {
    client.send("go\n");
    for (int i = 0; i < 10; ++i) EXPECT_EQ(client.read_line(), "r\n");
  }
  ASSERT_TRUE(wait_until([&] { return written == 30; }));
  EXPECT_EQ(calls, captured.get()->stats().write_calls);
}

TEST(Connection, IdleTimeoutClosesASilentConnection) {
  EventLog log;
  ServerOptions options;
  options.connection.idle_timeout = 50ms;
  Server<LineCodec> server(options, recording_echo(log));
  LineClient client(server.local_endpoint().port());
  EXPECT_TRUE(client.wait_closed());
  server.stop();
  const std::vector<std::string> expected = {"connect", close_event(Error::kIdleTimeout)};
  EXPECT_EQ(log.events(), expected);
}

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
    Server<LineCodec> server(
        sleepy(), {.on_connect = [&](LineConnection& c) { captured.set(c); },
                   .on_close = [&log](LineConnection&,
                                      std::error_code reason) { log.add(close_event(reason)); }});
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
  Server<LineCodec> server(
      sleepy(), {.on_connect = [&](LineConnection& c) { captured.set(c); },
                 .on_close = [&log](LineConnection&,
                                    std::error_code reason) { log.add(close_event(reason)); }});
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
  Server<LineCodec> server(
      options, {.on_connect = [&](LineConnection& c) { captured.set(c); },
                .on_close = [&log](LineConnection&,
                                   std::error_code reason) { log.add(close_event(reason)); }});
  LineClient client(server.local_endpoint().port());
  auto connection = captured.get();
  ASSERT_NE(connection, nullptr);
  EXPECT_TRUE(client.wait_closed());
  server.stop();
  EXPECT_GE(connection->stats().sleeps.load(), 1u) << "it slept before the timeout";
  EXPECT_EQ(log.events(), std::vector<std::string>{close_event(Error::kIdleTimeout)});
}
// [sleep-tests]

TEST(Connection, DefaultsBoundWhatAConnectionHoldsAt64MiB) {
  EXPECT_EQ(ConnectionOptions{}.max_held_bytes, 64u << 20);
  EXPECT_EQ(ConnectionOptions{}.idle_timeout, 0ms);
  EXPECT_EQ(ConnectionOptions{}.sleep_after, kSleepsByDefault ? 1000ms : 0ms);
}

TEST(Client, ExchangesMessagesWithAServer) {
  EventLog server_log;
  Server<LineCodec> server({}, recording_echo(server_log));
  EventLog client_log;
  Client<LineCodec> client(
      {}, {
              .on_connect = [](LineConnection& connection) { connection.send("one\ntwo\n"); },
              .on_message =
                  [&client_log](LineConnection& connection, std::string_view line) {
                    client_log.add(std::string(line));
                    if (line == "two") connection.close();
                  },
              .on_close = [&client_log](
                              LineConnection&,
                              std::error_code reason) { client_log.add(close_event(reason)); },
          });
  std::error_code error;
  const auto connection = client.connect("127.0.0.1", server.local_endpoint().port(), error);
  ASSERT_FALSE(error) << error.message();
  ASSERT_NE(connection, nullptr);
  EXPECT_EQ(connection->peer(), server.local_endpoint());
  ASSERT_TRUE(wait_until([&] { return client_log.events().size() == 3; }));
  const std::vector<std::string> expected = {"one", "two", close_event(Error::kClosed)};
  EXPECT_EQ(client_log.events(), expected);
}

TEST(Client, ReportsARefusedConnection) {
  Client<LineCodec> client({}, {});
  std::error_code error;
  const auto connection = client.connect("127.0.0.1", mc::testing::free_port(), error);
  EXPECT_EQ(connection, nullptr);
  EXPECT_EQ(error, asio::error::connection_refused);
}

TEST(Client, AsyncConnectRunsAsACoroutine) {
  Server<LineCodec> server({}, {});
  asio::io_context io(1);
  Socket reachable(io), refused(io);
  std::error_code reachable_error = Error::kClosed, refused_error;
  asio::co_spawn(io, async_connect(reachable, "127.0.0.1", server.local_endpoint().port(), 5s),
                 [&](std::exception_ptr, std::error_code error) { reachable_error = error; });
  asio::co_spawn(io, async_connect(refused, "127.0.0.1", mc::testing::free_port(), 5s),
                 [&](std::exception_ptr, std::error_code error) { refused_error = error; });
  io.run();
  EXPECT_FALSE(reachable_error) << reachable_error.message();
  EXPECT_TRUE(reachable.is_open());
  EXPECT_EQ(refused_error, asio::error::connection_refused);
}

TEST(Client, RefusesToConnectAfterStop) {
  Client<LineCodec> client({}, {});
  client.stop();
  std::error_code error;
  EXPECT_EQ(client.connect("127.0.0.1", 1, error), nullptr);
  EXPECT_EQ(error, Error::kStopped);
}

}  // namespace
}  // namespace mc::net

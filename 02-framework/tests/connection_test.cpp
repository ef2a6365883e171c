// In-process tests of mc::net::Connection: callbacks, decoding, closing, the writer's batching
// and idle timeouts, through a real Server on 127.0.0.1 (sleeping connections: sleep_test.cpp).

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "connection_support.hpp"
#include "mc/net/client.hpp"
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
    Server<LineCodec> server({}, capturing(captured, log));
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

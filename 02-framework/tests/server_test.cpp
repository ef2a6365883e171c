// In-process tests of mc::net::Server under load: many connections, a slow reader, a reset
// peer, and a graceful stop with a thousand connections open.

#include "mc/net/server.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

#include "mc/net/client.hpp"
#include "mc/net/raw_codec.hpp"
#include "mc/testing/net.hpp"
#include "test_support.hpp"

namespace mc::net {
namespace {

using mc::testing::LineClient;
using testing::LineCodec;
using testing::wait_until;
using LineConnection = Connection<LineCodec>;
using RawConnection = Connection<RawCodec>;
using namespace std::chrono_literals;

Callbacks<LineCodec> line_echo() {
  return {.on_message = [](LineConnection& connection, std::string_view line) {
    connection.send(fmt::format("{}\n", line));
  }};
}

TEST(Server, EchoesAThousandConnectionsTimesAHundredMessagesInOrder) {
  testing::raise_fd_limit();
  constexpr int kConnections = 1000;
  constexpr int kMessages = 100;
  ServerOptions server_options;
  server_options.threads = 2;
  Server<LineCodec> server(server_options, line_echo());

  // Each client connection sends all its lines at once and checks the echoes arrive in order.
  struct Progress {
    int id = 0;
    int next = 0;
  };
  std::atomic<int> ids = 0, finished = 0, wrong = 0;
  ClientOptions client_options;
  client_options.threads = 2;
  Client<LineCodec> client(
      client_options, {
                          .on_connect =
                              [&](LineConnection& connection) {
                                const int id = ids++;
                                connection.context() = Progress{id};
                                for (int i = 0; i < kMessages; ++i)
                                  connection.send(fmt::format("{} {}\n", id, i));
                              },
                          .on_message =
                              [&](LineConnection& connection, std::string_view line) {
                                auto& progress = std::any_cast<Progress&>(connection.context());
                                if (line != fmt::format("{} {}", progress.id, progress.next))
                                  ++wrong;
                                if (++progress.next == kMessages) ++finished;
                              },
                      });
  for (int i = 0; i < kConnections; ++i) {
    std::error_code error;
    ASSERT_NE(client.connect("127.0.0.1", server.local_endpoint().port(), error), nullptr)
        << "connection " << i << ": " << error.message();
  }
  EXPECT_TRUE(wait_until([&] { return finished == kConnections; }, 60s)) << finished;
  EXPECT_EQ(wrong, 0);
}

//! [stop-test]
TEST(Server, StopWithAThousandLiveConnectionsReturnsWithinTwoSeconds) {
  testing::raise_fd_limit();
  std::atomic<int> closed = 0;
  ServerOptions options;
  options.threads = 2;
  auto callbacks = line_echo();
  callbacks.on_close = [&closed](LineConnection&, std::error_code) { ++closed; };
  Server<LineCodec> server(options, callbacks);

  std::vector<LineClient> clients;
  for (int i = 0; i < 1000; ++i) {
    clients.emplace_back(server.local_endpoint().port()).send("live?\n");
    ASSERT_EQ(clients.back().read_line(), "live?\n");
  }
  auto stopped = std::async(std::launch::async, [&server] { server.stop(); });
  EXPECT_EQ(stopped.wait_for(2s), std::future_status::ready) << "stop() took over 2 s";
  stopped.wait();
  EXPECT_EQ(closed, 1000);  // every connection got its on_close before stop() returned
  for (auto& client : clients) EXPECT_TRUE(client.wait_closed());
}
//! [stop-test]

// A blocking-free socket that writes without ever reading, as a misbehaving client would.
class NeverReadingClient {
 public:
  explicit NeverReadingClient(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect failed");
    }
  }
  ~NeverReadingClient() { ::close(fd_); }

  // Writes up to `total` bytes of `pattern` repeated, until `stop` is set; returns how many
  // the kernel took.
  std::size_t write(std::size_t total, const std::atomic<bool>& stop,
                    std::string_view pattern = "z") {
    std::string chunk;
    while (chunk.size() < 64 * 1024) chunk += pattern;
    std::size_t written = 0;
    while (written < total && !stop) {
      pollfd ready{fd_, POLLOUT, 0};
      if (::poll(&ready, 1, 10) <= 0) continue;  // held by flow control; look at `stop` again
      const auto n = ::send(fd_, chunk.data(), std::min(chunk.size(), total - written),
                            MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n < 0) break;
      written += static_cast<std::size_t>(n);
    }
    return written;
  }

 private:
  int fd_;
};

//! [slow-reader-test]
TEST(Server, SlowReaderIsHeldByBackpressureWhileOthersAreServed) {
  constexpr std::size_t kBound = 4 << 20;
  constexpr std::size_t kReadSize = 16 << 10;
  ServerOptions options;
  options.connection.max_held_bytes = kBound;
  options.connection.read_buffer_size = kReadSize;
  std::promise<RawConnection::Pointer> first;
  std::atomic<bool> captured = false;
  Server<RawCodec> server(options, {
                                       .on_connect =
                                           [&](RawConnection& connection) {
                                             if (!captured.exchange(true))
                                               first.set_value(connection.shared_from_this());
                                           },
                                       .on_message =
                                           [](RawConnection& connection, std::string_view bytes) {
                                             connection.send(std::string(bytes));
                                           },
                                   });
  NeverReadingClient hog(server.local_endpoint().port());
  auto connection = first.get_future().get();

  std::atomic<bool> stop = false;
  auto written = std::async(std::launch::async, [&] { return hog.write(200u << 20, stop); });
  // The server fills its queue up to the bound, then stops reading the hog.
  ASSERT_TRUE(wait_until([&] { return connection->stats().read_pauses > 0; }, 60s));

  for (int i = 0; i < 5; ++i) {
    LineClient other(server.local_endpoint().port());
    other.send(fmt::format("still served {}\n", i));
    EXPECT_EQ(other.read_line(), fmt::format("still served {}\n", i));
  }
  stop = true;
  EXPECT_LT(written.get(), 200u << 20) << "the hog was never held back";
  // The reader checks the bound after each message: one message may land on top of it. The
  // bound counts the read buffer and the queue's own cost too, so the bytes stay below it.
  EXPECT_LE(connection->stats().peak_queued_bytes, kBound + kReadSize);
  EXPECT_GT(connection->stats().peak_queued_bytes, kBound / 2);
}
//! [slow-reader-test]

// Captures the first connection a server accepts, so that a test can read its stats.
template <typename Connection>
class FirstConnection {
 public:
  void operator()(Connection& connection) {
    if (!captured_.exchange(true)) promise_.set_value(connection.shared_from_this());
  }
  typename Connection::Pointer get() { return promise_.get_future().get(); }

 private:
  std::atomic<bool> captured_ = false;
  std::promise<typename Connection::Pointer> promise_;
};

Callbacks<LineCodec> line_echo_capturing(FirstConnection<LineConnection>& first) {
  return {.on_connect = [&first](LineConnection& connection) { first(connection); },
          .on_message = [](LineConnection& connection,
                           std::string_view line) { connection.send(fmt::format("{}\n", line)); }};
}

TEST(Server, TinyRepliesCountWhatTheyCostInTheQueue) {
  // A 2-byte reply costs a queued std::string and a gather buffer besides its bytes: about 50
  // bytes. Counting only the bytes, a never-reading peer would make the server hold 25 times
  // the bound.
  constexpr std::size_t kBound = 256 << 10;
  ServerOptions options;
  options.connection.max_held_bytes = kBound;
  FirstConnection<LineConnection> first;
  Server<LineCodec> server(options, line_echo_capturing(first));
  NeverReadingClient hog(server.local_endpoint().port());
  auto connection = first.get();
  std::atomic<bool> stop = false;
  auto written = std::async(std::launch::async, [&] { return hog.write(256u << 20, stop, "x\n"); });
  ASSERT_TRUE(wait_until([&] { return connection->stats().read_pauses > 0; }, 60s));
  stop = true;
  EXPECT_LT(written.get(), 256u << 20) << "the hog was never held back";
  const std::size_t per_reply = sizeof(std::string) + sizeof(asio::const_buffer) + 2;
  EXPECT_LE(connection->stats().peak_queued_bytes, (kBound / per_reply + 1) * 2);
}

TEST(Server, AConnectionGivesUpItsTurnAfterMaxMessagesPerTurn) {
  ServerOptions options;
  options.connection.max_messages_per_turn = 3;
  FirstConnection<LineConnection> first;
  Server<LineCodec> server(options, line_echo_capturing(first));
  LineClient client(server.local_endpoint().port());
  auto connection = first.get();
  client.send("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
  for (int i = 1; i <= 10; ++i) EXPECT_EQ(client.read_line(), fmt::format("{}\n", i));
  // Ten lines in one read: three turns were given up, or fewer if they arrived in pieces.
  EXPECT_GE(connection->stats().yields, 1u);
  EXPECT_LE(connection->stats().yields, 3u);
}

TEST(Server, TheReadBufferGrowsForALargeMessageAndIsGivenBackWhenIdle) {
  ServerOptions options;
  options.connection.read_buffer_size = 1024;
  FirstConnection<LineConnection> first;
  Server<LineCodec> server(options, line_echo_capturing(first));
  LineClient client(server.local_endpoint().port());
  auto connection = first.get();
  const auto holds = [&](std::size_t bytes) {
    return wait_until([&] { return connection->stats().read_buffer_bytes == bytes; });
  };
  // Connected but silent: no read buffer.
  EXPECT_TRUE(holds(0));
  // Half a line is buffered while the rest is on its way; decoding the whole line takes a
  // buffer of 100 KB, grown from 1 KiB.
  const std::string large(100'000, 'L');
  client.send(large.substr(0, 50'000));
  EXPECT_TRUE(wait_until([&] { return connection->stats().read_buffer_bytes >= 50'000; }));
  client.send(large.substr(50'000) + "\n");
  EXPECT_EQ(client.read_exact(large.size() + 1), large + "\n");
  // Once the line has gone, the buffer shrinks back; a peer whose last message outgrew the
  // first bytes is likely to send another, so the connection waits with a read into it.
  EXPECT_TRUE(holds(1024));
  client.send("small\n");
  EXPECT_EQ(client.read_line(), "small\n");
  // After a small message it waits with no buffer.
  EXPECT_TRUE(holds(0));
}

// A message longer than the first bytes of an idle read takes two reads; the next one is read
// straight into the buffer, in one, for as long as the messages do not fit the first bytes.
TEST(Server, AfterALongMessageTheNextIsReadInOneRead) {
  FirstConnection<LineConnection> first;
  Server<LineCodec> server({}, line_echo_capturing(first));
  LineClient client(server.local_endpoint().port());
  auto connection = first.get();
  const auto reads_for = [&](const std::string& line) {
    const std::uint64_t before = connection->stats().reads;
    client.send(line);
    EXPECT_EQ(client.read_exact(line.size()), line);
    return connection->stats().reads - before;
  };
  const std::string long_line = std::string(2000, 'x') + "\n";  // more than first_bytes' 512
  EXPECT_EQ(reads_for(long_line), 2u);                          // the first bytes, then the rest
  EXPECT_EQ(reads_for(long_line), 1u);
  EXPECT_EQ(reads_for(long_line), 1u);
  EXPECT_EQ(reads_for("short\n"), 1u);
  EXPECT_EQ(reads_for(long_line), 2u);  // waited with the first bytes again
}

// Ten connections that take turns need one buffer between them: each gives its buffer back to
// the thread's stock before it waits, and the next one to read takes it.
TEST(Server, IdleConnectionsShareTheirThreadsSpareReadBuffers) {
  ServerOptions options;
  options.threads = 1;
  FirstConnection<LineConnection> first;
  Server<LineCodec> server(options, line_echo_capturing(first));
  std::vector<std::unique_ptr<LineClient>> clients;
  for (int i = 0; i < 10; ++i) {
    clients.push_back(std::make_unique<LineClient>(server.local_endpoint().port()));
  }
  for (int round = 0; round < 3; ++round) {
    for (auto& client : clients) {
      client->send("ping\n");
      EXPECT_EQ(client->read_line(), "ping\n");
    }
  }
  // Asked on the server's thread once every connection is idle again.
  const auto kept_on_server_thread = [&] {
    std::promise<std::size_t> kept;
    asio::post(first.get()->get_executor(), [&] { kept.set_value(SpareReadBuffers::kept()); });
    return kept.get_future().get();
  };
  EXPECT_TRUE(wait_until([&] { return kept_on_server_thread() == 1; }))
      << kept_on_server_thread() << " buffers kept";
}

TEST(Server, AMessageLargerThanTheReadBufferMayGrowClosesTheConnection) {
  ServerOptions options;
  options.connection.read_buffer_size = 1024;
  options.connection.max_read_buffer_size = 4096;
  FirstConnection<LineConnection> first;
  Server<LineCodec> server(options, line_echo_capturing(first));
  LineClient client(server.local_endpoint().port());
  auto connection = first.get();
  client.send("fits\n" + std::string(10'000, 'x'));
  EXPECT_EQ(client.read_line(), "fits\n");
  EXPECT_TRUE(client.wait_closed());
  EXPECT_LE(connection->stats().read_buffer_bytes, 4096u);
}

TEST(Server, PeerResetMidWriteClosesOnlyThatConnection) {
  std::promise<std::error_code> reset_reason;
  std::atomic<bool> first_close = true;
  Server<LineCodec> server({}, {
                                   .on_message =
                                       [](LineConnection& connection, std::string_view line) {
                                         if (line != "flood")
                                           return connection.send(fmt::format("{}\n", line));
                                         for (int i = 0; i < 64; ++i)
                                           connection.send(std::string(1 << 20, 'f'));
                                       },
                                   .on_close =
                                       [&](LineConnection&, std::error_code reason) {
                                         if (first_close.exchange(false))
                                           reset_reason.set_value(reason);
                                       },
                               });
  {
    LineClient flooded(server.local_endpoint().port());
    flooded.send("flood\n");
    flooded.read_exact(100'000);  // the server is now in the middle of writing 64 MiB
    flooded.reset();
  }
  auto reason = reset_reason.get_future();
  ASSERT_EQ(reason.wait_for(10s), std::future_status::ready);
  const auto error = reason.get();
  // Which error the reset shows up as depends on whether the write or the read noticed it
  // first (the kernel reports it once, then end of stream); it is never one of ours.
  EXPECT_TRUE(error == asio::error::connection_reset || error == asio::error::broken_pipe ||
              error == asio::error::eof)
      << error.message();

  LineClient other(server.local_endpoint().port());
  other.send("after\n");
  EXPECT_EQ(other.read_line(), "after\n");
}

TEST(Server, StopTwiceIsHarmless) {
  Server<LineCodec> server({}, line_echo());
  LineClient client(server.local_endpoint().port());
  client.send("x\n");
  EXPECT_EQ(client.read_line(), "x\n");
  server.stop();
  server.stop();
  EXPECT_TRUE(client.wait_closed());
}

TEST(Server, TellsThePickedPortBeforeAnyConnectionIsServed) {
  // Written by on_listening, read by connections without synchronization: the server must call
  // it before its threads start (ThreadSanitizer checks that under `make tsan`).
  std::uint16_t port = 0;
  Server<LineCodec> server(
      {},
      {.on_message = [&port](LineConnection& connection,
                             std::string_view) { connection.send(fmt::format("{}\n", port)); }},
      LineCodec{}, [&port](const asio::ip::tcp::endpoint& bound) { port = bound.port(); });
  ASSERT_NE(port, 0);
  EXPECT_EQ(port, server.local_endpoint().port());
  LineClient client(port);
  client.send("port?\n");
  EXPECT_EQ(client.read_line(), fmt::format("{}\n", port));
}

TEST(Server, ThrowsWhenThePortIsTaken) {
  Server<LineCodec> first({}, line_echo());
  ServerOptions options;
  options.port = first.local_endpoint().port();
  EXPECT_THROW(Server<LineCodec>(options, line_echo()), asio::system_error);
}

}  // namespace
}  // namespace mc::net

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

  // Writes up to `total` bytes until `stop` is set; returns how many the kernel took.
  std::size_t write(std::size_t total, const std::atomic<bool>& stop) {
    const std::string chunk(64 * 1024, 'z');
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
  options.connection.max_queued_bytes = kBound;
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
  // One read's worth of echo may land on top of the bound before the reader checks it.
  EXPECT_LE(connection->stats().peak_queued_bytes, kBound + kReadSize);
  EXPECT_GT(connection->stats().peak_queued_bytes, kBound);
}
//! [slow-reader-test]

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

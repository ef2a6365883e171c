// Tests of detail::DrainingBuffer, read through a Transport: after a read that emptied
// the socket, the next read waits for epoll instead of first asking with a recv that can only
// say "nothing yet"; and bytes are never left unread because of it. The test binary counts the
// process's reads by defining recv and recvmsg itself, in front of the C library's.

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <system_error>

#include <asio/buffer.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "mc/net/detail/socket_now.hpp"
#include "mc/net/transport.hpp"

namespace {
std::atomic<int> recv_calls{0};

template <typename Function>
Function next_definition(const char* name) {
  return reinterpret_cast<Function>(::dlsym(RTLD_NEXT, name));
}
}  // namespace

// Asio reads a socket with recv(2), or recvmsg(2) for a list of buffers: counting here counts
// every read the reactor makes.
extern "C" ssize_t recv(int fd, void* data, size_t size, int flags) {
  static const auto next = next_definition<ssize_t (*)(int, void*, size_t, int)>("recv");
  recv_calls.fetch_add(1, std::memory_order_relaxed);
  return next(fd, data, size, flags);
}

extern "C" ssize_t recvmsg(int fd, msghdr* message, int flags) {
  static const auto next = next_definition<ssize_t (*)(int, msghdr*, int)>("recvmsg");
  recv_calls.fetch_add(1, std::memory_order_relaxed);
  return next(fd, message, flags);
}

namespace mc::net {
namespace {

using namespace std::chrono_literals;

// Tests that count system calls, or read without waiting, need the reactor DrainingBuffer is
// written for; the others hold for any reads.
constexpr const char* kOtherReactor =
    "this build reads without Asio 1.22's epoll reactor (CPPMC_IO_URING?)";

// A connected loopback pair: `server` is read through a Transport, the test writes at `client`.
class DrainingReadTest : public ::testing::Test {
 protected:
  DrainingReadTest() {
    asio::ip::tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
    client_.connect(acceptor.local_endpoint());
    Socket accepted(io_);
    acceptor.accept(accepted);
    EXPECT_TRUE(detail::ask_for_bytes_left(accepted));  // as Connection does
    server_.emplace(std::move(accepted));
  }

  void send(const std::string& bytes) { asio::write(client_, asio::buffer(bytes)); }

  enum class Kind { kDraining, kDrainingNoWait, kOrdinary };

  // Starts a read of at most `size` bytes into a DrainingBuffer (that waits, or not), or into a
  // plain buffer; its result lands in `read_` when it completes.
  void start_read(std::size_t size, Kind kind = Kind::kDraining) {
    buffer_.assign(size, '\0');
    read_.reset();
    auto done = [this](std::error_code error, std::size_t n) { read_ = Read{error, n}; };
    if (kind == Kind::kOrdinary) {
      server_->async_read_some(asio::buffer(buffer_), done);
    } else {
      const bool wait = kind == Kind::kDraining;
      server_->async_read_some(detail::DrainingBuffer{asio::buffer(buffer_), wait}, done);
    }
  }

  // Runs the io_context until the read has completed, for at most five seconds.
  bool finish_read() {
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (!read_ && std::chrono::steady_clock::now() < give_up) {
      io_.restart();
      io_.run_one_for(100ms);
    }
    return read_.has_value();
  }

  std::size_t read(std::size_t size, Kind kind = Kind::kDraining) {
    start_read(size, kind);
    EXPECT_TRUE(finish_read());
    return read_ ? read_->n : 0;
  }

  // The system calls a read made, counted before and after its bytes were sent.
  struct Calls {
    int before_bytes = 0;  // while it waited: a read that waits for epoll makes none
    int in_all = 0;
  };

  // Starts a read, then sends the next request, "get b", which the read must return whole.
  Calls read_next_request(Kind kind = Kind::kDraining) {
    const int before = recv_calls.load();
    start_read(64, kind);
    Calls calls{recv_calls.load() - before, 0};
    send("get b\r\n");
    EXPECT_TRUE(finish_read());
    EXPECT_EQ(read_ ? read_->n : 0, 7u);
    calls.in_all = recv_calls.load() - before;
    return calls;
  }

  // Lets the reactor poll epoll once with no read pending, as a busy thread would.
  void let_the_reactor_run() {
    asio::steady_timer timer(io_, 20ms);
    bool fired = false;
    timer.async_wait([&](std::error_code) { fired = true; });
    io_.restart();
    while (!fired) io_.run_one_for(1s);
  }

  struct Read {
    std::error_code error;
    std::size_t n = 0;
  };

  asio::io_context io_;
  asio::ip::tcp::socket client_{io_};
  std::optional<Transport> server_;
  std::string buffer_;
  std::optional<Read> read_;
};

TEST_F(DrainingReadTest, AReadAfterAShortOneWaitsForEpollWithoutTryingFirst) {
  if (!detail::kDrainingReads) GTEST_SKIP() << kOtherReactor;
  send("get a\r\n");
  EXPECT_EQ(read(64), 7u);  // short: the socket is empty now

  const Calls calls = read_next_request();
  EXPECT_EQ(calls.before_bytes, 0) << "the read asked the socket before epoll did";
  EXPECT_EQ(calls.in_all, 1) << "one recv, the one that returned the bytes";
}

TEST_F(DrainingReadTest, WithoutTheKernelsCountAShortReadIsNotTakenForAnEmptySocket) {
  if (!detail::kDrainingReads) GTEST_SKIP() << kOtherReactor;
  const int off = 0;
  ASSERT_EQ(::setsockopt(server_->socket().native_handle(), IPPROTO_TCP, TCP_INQ, &off, sizeof off),
            0);
  send("get a\r\n");
  EXPECT_EQ(read(64), 7u);

  EXPECT_EQ(read_next_request().before_bytes, 1) << "the read did not ask first";
}

TEST_F(DrainingReadTest, AnOrdinaryBufferTriesFirst) {
  if (!detail::kDrainingReads) GTEST_SKIP() << kOtherReactor;
  // What the DrainingBuffer saves: Asio's own read tries a recv at once, which fails here.
  send("get a\r\n");
  EXPECT_EQ(read(64, Kind::kOrdinary), 7u);

  const Calls calls = read_next_request(Kind::kOrdinary);
  EXPECT_EQ(calls.before_bytes, 1);
  EXPECT_EQ(calls.in_all, 2);
}

TEST_F(DrainingReadTest, AFullReadStillTakesWhatFollowsAtOnce) {
  if (!detail::kDrainingReads) GTEST_SKIP() << kOtherReactor;
  send(std::string(100, 'x'));
  EXPECT_EQ(read(64), 64u);  // full: there may be more, so the next read asks first

  const int before = recv_calls.load();
  start_read(64);
  EXPECT_EQ(recv_calls.load() - before, 1);
  ASSERT_TRUE(finish_read());
  EXPECT_EQ(read_->n, 36u);
}

TEST_F(DrainingReadTest, AReadThatTookExactlyWhatWasThereAlsoLeftItEmpty) {
  if (!detail::kDrainingReads) GTEST_SKIP() << kOtherReactor;
  send(std::string(64, 'x'));
  EXPECT_EQ(read(64), 64u);  // full, but the kernel said nothing is left

  EXPECT_EQ(read_next_request().before_bytes, 0) << "the read asked the socket before epoll did";
}

TEST_F(DrainingReadTest, AReadThatDoesNotWaitEndsAtAnEmptySocketAndTellsTheReactor) {
  if (!detail::kDrainingReads) GTEST_SKIP() << kOtherReactor;
  // How the reader takes the rest of a message whose first bytes filled their buffer.
  send(std::string(100, 'x'));
  EXPECT_EQ(read(64), 64u);
  EXPECT_EQ(read(64, Kind::kDrainingNoWait), 36u);  // the rest, there already

  const int before = recv_calls.load();
  start_read(64, Kind::kDrainingNoWait);
  ASSERT_TRUE(finish_read()) << "a read that should not wait waited";
  EXPECT_EQ(read_->error, asio::error::would_block);
  EXPECT_EQ(read_->n, 0u);
  EXPECT_EQ(recv_calls.load() - before, 1);

  // The empty socket is known now: the next read waits for epoll without asking first.
  const Calls calls = read_next_request();
  EXPECT_EQ(calls.before_bytes, 0) << "the read asked the socket before epoll did";
  EXPECT_EQ(calls.in_all, 1);
}

TEST_F(DrainingReadTest, BytesThatCameWhileNoReadWasPendingAreRead) {
  send("get a\r\n");
  EXPECT_EQ(read(64), 7u);
  // The bytes come, and epoll reports them, while nobody reads: the next read must not wait
  // for another report that will never come.
  send("get b\r\n");
  let_the_reactor_run();
  EXPECT_EQ(read(64), 7u);
}

TEST_F(DrainingReadTest, TheEndOfTheStreamEndsAWaitingRead) {
  send("quit\r\n");
  EXPECT_EQ(read(64), 6u);
  start_read(64);
  client_.close();
  ASSERT_TRUE(finish_read());
  EXPECT_EQ(read_->error, asio::error::eof);
}

TEST_F(DrainingReadTest, AnEndOfStreamThatCameWithTheLastBytesIsRead) {
  // A peer sends its last bytes (half a request, or one with noreply) and closes at once, so
  // epoll reports both in one edge. A read that returns those bytes is short, but the socket
  // still holds the end of the stream: a read that then waited for epoll would wait forever,
  // and the connection would never close.
  send("get a\r\n");
  EXPECT_EQ(read(64), 7u);
  send("set a 0 0 10\r\nab");
  client_.shutdown(asio::socket_base::shutdown_send);
  let_the_reactor_run();  // epoll reports the bytes and the end together
  EXPECT_EQ(read(64), 16u);
  start_read(64);
  ASSERT_TRUE(finish_read()) << "the end of the stream was never read";
  EXPECT_EQ(read_->error, asio::error::eof);
}

}  // namespace
}  // namespace mc::net

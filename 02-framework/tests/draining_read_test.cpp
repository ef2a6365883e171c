// Tests of detail::DrainingBuffer, read through a Transport: after a read that emptied
// the socket, the next read waits for epoll instead of first asking with a recv that can only
// say "nothing yet"; and bytes are never left unread because of it. The test binary counts the
// process's reads by defining recv and recvmsg itself, in front of the C library's.

#include <dlfcn.h>
#include <gtest/gtest.h>
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

// A connected loopback pair: `server` is read through a Transport, the test writes at `client`.
class DrainingReadTest : public ::testing::Test {
 protected:
  DrainingReadTest() {
    asio::ip::tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
    client_.connect(acceptor.local_endpoint());
    Socket accepted(io_);
    acceptor.accept(accepted);
    server_.emplace(std::move(accepted));
  }

  void SetUp() override {
#if defined(ASIO_DISABLE_EPOLL)
    GTEST_SKIP() << "the io_uring build (CPPMC_IO_URING) reads without the epoll reactor's recv";
#endif
  }

  void send(const std::string& bytes) { asio::write(client_, asio::buffer(bytes)); }

  // Starts a read of at most `size` bytes into a DrainingBuffer, or (`ordinary`) into a plain
  // buffer; its result lands in `read_` when it completes.
  void start_read(std::size_t size, bool ordinary = false) {
    buffer_.assign(size, '\0');
    read_.reset();
    auto done = [this](std::error_code error, std::size_t n) { read_ = Read{error, n}; };
    if (ordinary) {
      server_->async_read_some(asio::buffer(buffer_), done);
    } else {
      server_->async_read_some(detail::DrainingBuffer{asio::buffer(buffer_)}, done);
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

  std::size_t read(std::size_t size, bool ordinary = false) {
    start_read(size, ordinary);
    EXPECT_TRUE(finish_read());
    return read_ ? read_->n : 0;
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
  send("get a\r\n");
  EXPECT_EQ(read(64), 7u);  // short: the socket is empty now

  const int before = recv_calls.load();
  start_read(64);
  EXPECT_EQ(recv_calls.load() - before, 0) << "the read asked the socket before epoll did";
  send("get b\r\n");
  ASSERT_TRUE(finish_read());
  EXPECT_EQ(read_->n, 7u);
  EXPECT_EQ(recv_calls.load() - before, 1) << "one recv, the one that returned the bytes";
}

TEST_F(DrainingReadTest, AnOrdinaryBufferTriesFirst) {
  // What the DrainingBuffer saves: Asio's own read tries a recv at once, which fails here.
  send("get a\r\n");
  EXPECT_EQ(read(64, true), 7u);

  const int before = recv_calls.load();
  start_read(64, true);
  EXPECT_EQ(recv_calls.load() - before, 1);
  send("get b\r\n");
  ASSERT_TRUE(finish_read());
  EXPECT_EQ(read_->n, 7u);
  EXPECT_EQ(recv_calls.load() - before, 2);
}

TEST_F(DrainingReadTest, AFullReadStillTakesWhatFollowsAtOnce) {
  send(std::string(100, 'x'));
  EXPECT_EQ(read(64), 64u);  // full: there may be more, so the next read asks first

  const int before = recv_calls.load();
  start_read(64);
  EXPECT_EQ(recv_calls.load() - before, 1);
  ASSERT_TRUE(finish_read());
  EXPECT_EQ(read_->n, 36u);
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

}  // namespace
}  // namespace mc::net

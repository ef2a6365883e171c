// Tests of detail::Dormitory, the epoll set where a thread's sleeping connections wait, on
// socket pairs: what wakes a sleeper, what does not, and that an empty dormitory leaves its
// io_context free to return from run().

#include "mc/net/detail/dormitory.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <utility>
#include <vector>

#include <asio/io_context.hpp>

namespace mc::net::detail {
namespace {

// One end of a connected pair sleeps in the dormitory; the test plays the peer at the other.
struct Pair {
  Pair() {
    std::array<int, 2> ends{};
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends.data()), 0);
    sleeping = ends[0];
    peer = ends[1];
  }
  ~Pair() {
    if (sleeping >= 0) ::close(sleeping);
    if (peer >= 0) ::close(peer);
  }
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;

  int sleeping = -1;
  int peer = -1;
};

// A sleeper that, like a connection, leaves the dormitory when it is woken.
class Recorder final : public Sleeper {
 public:
  Recorder(Dormitory& dormitory, int fd, std::vector<int>& woken)
      : dormitory_(dormitory), fd_(fd), woken_(woken) {}
  void wake_in_dormitory() override {
    dormitory_.dismiss(fd_);
    woken_.push_back(fd_);
  }

 private:
  Dormitory& dormitory_;
  int fd_;
  std::vector<int>& woken_;
};

TEST(Dormitory, WakesASleeperWhenItsPeerSendsAndThenHasNoWorkLeft) {
  asio::io_context io;
  auto& dormitory = asio::use_service<Dormitory>(io);
  Pair pair;
  std::vector<int> woken;
  Recorder sleeper(dormitory, pair.sleeping, woken);
  ASSERT_FALSE(dormitory.admit(pair.sleeping, sleeper));
  EXPECT_EQ(dormitory.size(), 1u);
  ASSERT_EQ(::write(pair.peer, "x", 1), 1);
  // run() returns by itself: once the sleeper has left, the dormitory waits for nothing.
  io.run();
  EXPECT_EQ(woken, std::vector<int>{pair.sleeping});
  EXPECT_EQ(dormitory.size(), 0u);
}

TEST(Dormitory, WakesASleeperWhosePeerHangsUp) {
  asio::io_context io;
  auto& dormitory = asio::use_service<Dormitory>(io);
  Pair pair;
  std::vector<int> woken;
  Recorder sleeper(dormitory, pair.sleeping, woken);
  ASSERT_FALSE(dormitory.admit(pair.sleeping, sleeper));
  ::close(std::exchange(pair.peer, -1));
  io.run();
  EXPECT_EQ(woken, std::vector<int>{pair.sleeping});
}

TEST(Dormitory, WakesOnlyTheSleepersWithSomethingToRead) {
  asio::io_context io;
  auto& dormitory = asio::use_service<Dormitory>(io);
  std::vector<Pair> pairs(3);
  std::vector<int> woken;
  std::vector<Recorder> sleepers;
  sleepers.reserve(pairs.size());
  for (auto& pair : pairs) {
    ASSERT_FALSE(
        dormitory.admit(pair.sleeping, sleepers.emplace_back(dormitory, pair.sleeping, woken)));
  }
  dormitory.dismiss(pairs[0].sleeping);  // as a connection does when it is sent something
  ASSERT_EQ(::write(pairs[0].peer, "x", 1), 1);
  ASSERT_EQ(::write(pairs[2].peer, "x", 1), 1);
  // Bounded: the middle sleeper stays, and with it the dormitory's wait.
  for (int round = 0; round < 100 && woken.empty(); ++round)
    io.run_for(std::chrono::milliseconds(10));
  EXPECT_EQ(woken, std::vector<int>{pairs[2].sleeping});
  EXPECT_EQ(dormitory.size(), 1u);
  dormitory.dismiss(pairs[1].sleeping);
  io.restart();
  io.run();  // nobody left: returns
  EXPECT_EQ(dormitory.size(), 0u);
}

TEST(Dormitory, RefusesWhatItCannotWatch) {
  asio::io_context io;
  auto& dormitory = asio::use_service<Dormitory>(io);
  std::vector<int> woken;
  Recorder sleeper(dormitory, -1, woken);
  EXPECT_TRUE(dormitory.admit(-1, sleeper));  // EBADF: the connection then stays awake
  EXPECT_EQ(dormitory.size(), 0u);
  io.run();  // and no wait was left behind
}

}  // namespace
}  // namespace mc::net::detail

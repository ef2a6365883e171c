// Tests of detail::Dormitory, the epoll set where a thread's sleeping connections wait, on
// socket pairs: what wakes a sleeper, what does not, and that an empty dormitory leaves its
// io_context free to return from run().

#include "mc/net/detail/dormitory.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <deque>
#include <system_error>
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

// Each test has an io_context with its dormitory, and records which descriptors woke.
class DormitoryTest : public ::testing::Test {
 protected:
  // Admits `fd` with a sleeper that records its wake-up; the error, if the dormitory refuses.
  std::error_code admit(int fd) {
    return dormitory_.admit(fd, sleepers_.emplace_back(dormitory_, fd, woken_));
  }

  asio::io_context io_;
  Dormitory& dormitory_ = asio::use_service<Dormitory>(io_);
  std::vector<int> woken_;

 private:
  std::deque<Recorder> sleepers_;  // a deque never moves them: the dormitory points at them
};

TEST_F(DormitoryTest, WakesASleeperWhenItsPeerSendsAndThenHasNoWorkLeft) {
  Pair pair;
  ASSERT_FALSE(admit(pair.sleeping));
  EXPECT_EQ(dormitory_.size(), 1u);
  ASSERT_EQ(::write(pair.peer, "x", 1), 1);
  // run() returns by itself: once the sleeper has left, the dormitory waits for nothing.
  io_.run();
  EXPECT_EQ(woken_, std::vector<int>{pair.sleeping});
  EXPECT_EQ(dormitory_.size(), 0u);
}

TEST_F(DormitoryTest, WakesASleeperWhosePeerHangsUp) {
  Pair pair;
  ASSERT_FALSE(admit(pair.sleeping));
  ::close(std::exchange(pair.peer, -1));
  io_.run();
  EXPECT_EQ(woken_, std::vector<int>{pair.sleeping});
}

TEST_F(DormitoryTest, WakesOnlyTheSleepersWithSomethingToRead) {
  std::vector<Pair> pairs(3);
  for (auto& pair : pairs) ASSERT_FALSE(admit(pair.sleeping));
  dormitory_.dismiss(pairs[0].sleeping);  // as a connection does when it is sent something
  ASSERT_EQ(::write(pairs[0].peer, "x", 1), 1);
  ASSERT_EQ(::write(pairs[2].peer, "x", 1), 1);
  // Bounded: the middle sleeper stays, and with it the dormitory's wait.
  for (int round = 0; round < 100 && woken_.empty(); ++round) {
    io_.run_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(woken_, std::vector<int>{pairs[2].sleeping});
  EXPECT_EQ(dormitory_.size(), 1u);
  dormitory_.dismiss(pairs[1].sleeping);
  io_.restart();
  io_.run();  // nobody left: returns
  EXPECT_EQ(dormitory_.size(), 0u);
}

TEST_F(DormitoryTest, RefusesWhatItCannotWatch) {
  EXPECT_TRUE(admit(-1));  // EBADF: the connection then stays awake
  EXPECT_EQ(dormitory_.size(), 0u);
  io_.run();  // and no wait was left behind
}

}  // namespace
}  // namespace mc::net::detail

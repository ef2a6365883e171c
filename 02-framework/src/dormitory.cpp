#include "mc/net/detail/dormitory.hpp"

#include <sys/epoll.h>

#include <array>
#include <cerrno>

#include <asio/error.hpp>

namespace mc::net::detail {

namespace {

std::error_code last_error() { return {errno, asio::error::get_system_category()}; }

int make_epoll_set() {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw std::system_error(last_error(), "epoll_create1");
  return fd;
}

}  // namespace

Dormitory::Dormitory(asio::io_context& context)
    : asio::execution_context::service(context), set_(context, make_epoll_set()) {}

std::error_code Dormitory::admit(int fd, Sleeper& sleeper) {
  // Level-triggered: a sleeper that has not been dismissed yet is reported again.
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP;  // and always EPOLLERR and EPOLLHUP
  event.data.ptr = &sleeper;
  if (::epoll_ctl(set_.native_handle(), EPOLL_CTL_ADD, fd, &event) != 0) return last_error();
  ++sleepers_;
  if (!watching_) watch();
  return {};
}

void Dormitory::dismiss(int fd) {
  epoll_event ignored{};
  if (::epoll_ctl(set_.native_handle(), EPOLL_CTL_DEL, fd, &ignored) != 0) return;
  // With nobody left, the wait goes too: an io_context with no sleepers has no work from us,
  // and its run() may return.
  if (--sleepers_ == 0 && watching_) set_.cancel();
}

// [watch]
void Dormitory::watch() {
  // Asio watches the set edge-triggered, and a readiness edge that comes while no wait is
  // pending is lost. So the wait is armed first and the set read after: a sleeper that becomes
  // ready after the read completes this wait.
  watching_ = true;
  set_.async_wait(asio::posix::descriptor_base::wait_read, [this](std::error_code) {
    watching_ = false;  // cancelled (nobody left), or ready: look again if anybody sleeps
    if (sleepers_ > 0) watch();
  });
  wake_ready();
}

void Dormitory::wake_ready() {
  std::array<epoll_event, 64> ready{};
  int count = 0;
  do {
    count = ::epoll_wait(set_.native_handle(), ready.data(), static_cast<int>(ready.size()), 0);
    // A sleeper's wake-up dismisses it and posts the rest, so no other sleeper of this batch
    // is dismissed or destroyed while it is walked.
    for (int i = 0; i < count; ++i) static_cast<Sleeper*>(ready[i].data.ptr)->wake_in_dormitory();
  } while (count == static_cast<int>(ready.size()));
}
// [watch]

}  // namespace mc::net::detail

#include "support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "mc/testing/net.hpp"

namespace mc::client::testing {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits until `fd` is readable; false on timeout.
bool readable(int fd, Clock::time_point deadline) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, remaining_ms(deadline)) > 0;
}

}  // namespace

IoThread::IoThread()
    : guard_(asio::make_work_guard(io_)), thread_([this] {
        io_.run();
        finished_.set_value();
      }) {}

IoThread::~IoThread() {
  guard_.reset();  // run() returns once the sessions' tasks have ended
  if (finished_.get_future().wait_for(10s) != std::future_status::ready) io_.stop();
  thread_.join();
}

std::vector<Backend> backends() {
#ifdef CPPMEMCACHED_PATH
  return {Backend::kMemcached, Backend::kCppmemcached};
#else
  return {Backend::kMemcached};
#endif
}

std::string backend_name(Backend backend) {
  return backend == Backend::kMemcached ? "memcached" : "cppmemcached";
}

RunningServer start_backend(Backend backend, std::uint16_t port, std::vector<std::string> extra) {
  if (port == 0) port = mc::testing::free_port();
  std::vector<std::string> args = {"-l", "127.0.0.1", "-p", std::to_string(port)};
  std::string path;
  if (backend == Backend::kMemcached) {
    path = "/usr/bin/memcached";
    args.insert(args.end(), {"-U", "0", "-t", "1", "-m", "64"});
    if (::geteuid() == 0) args.insert(args.end(), {"-u", "nobody"});  // memcached refuses root
  } else {
#ifdef CPPMEMCACHED_PATH
    path = CPPMEMCACHED_PATH;
#else
    throw std::logic_error("cppmemcached is not built");
#endif
  }
  args.insert(args.end(), extra.begin(), extra.end());
  auto process = mc::testing::Process::start(path, args);
  if (!mc::testing::wait_until_accepting(port)) {
    throw std::runtime_error(backend_name(backend) + " did not start: " + process.stderr_text());
  }
  return {std::move(process), port};
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

FakeServer::FakeServer() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 || ::listen(fd_, 16) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw std::runtime_error(std::string("fake server: ") + std::strerror(errno));
  }
  port_ = ntohs(address.sin_port);
}

FakeServer::~FakeServer() { ::close(fd_); }

std::optional<FakeServer::Peer> FakeServer::accept(std::chrono::milliseconds timeout) {
  if (!readable(fd_, Clock::now() + timeout)) return std::nullopt;
  const int peer = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (peer < 0) return std::nullopt;
  return Peer(peer);
}

FakeServer::Peer::~Peer() {
  if (fd_ >= 0) ::close(fd_);
}

std::string FakeServer::Peer::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (const auto end = buffer_.find("\r\n"); end != std::string::npos) {
      std::string line = buffer_.substr(0, end + 2);
      buffer_.erase(0, end + 2);
      return line;
    }
    char chunk[4096];
    if (!readable(fd_, deadline)) throw std::runtime_error("fake server: no line in time");
    const auto n = ::read(fd_, chunk, sizeof(chunk));
    if (n <= 0) throw std::runtime_error("fake server: the client closed before a line");
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool FakeServer::Peer::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  char chunk[4096];
  while (readable(fd_, deadline)) {
    if (::read(fd_, chunk, sizeof(chunk)) <= 0) return true;
  }
  return false;
}

void FakeServer::Peer::send(std::string_view bytes) {
  std::signal(SIGPIPE, SIG_IGN);
  while (!bytes.empty()) {
    const auto n = ::write(fd_, bytes.data(), bytes.size());
    if (n <= 0) throw std::runtime_error("fake server: write failed");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace mc::client::testing

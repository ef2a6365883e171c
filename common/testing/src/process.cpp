#include "mc/testing/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace mc::testing {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

int decode_status(int raw) {
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
  return -1;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

Process Process::start(const std::string& path, const std::vector<std::string>& args) {
  // A child that dies early must not kill the test with SIGPIPE when we write its stdin.
  std::signal(SIGPIPE, SIG_IGN);

  int in[2], out[2], exec_error[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 ||
      ::pipe2(exec_error, O_CLOEXEC) != 0) {
    fail("pipe2");
  }
  char stderr_path[] = "/tmp/mc-test-stderr-XXXXXX";
  const int err_fd = ::mkstemp(stderr_path);
  if (err_fd < 0) fail("mkstemp");

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test runner
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::execv(path.c_str(), argv.data());
    const int error = errno;
    [[maybe_unused]] auto ignored = ::write(exec_error[1], &error, sizeof error);
    ::_exit(127);
  }

  ::close(in[0]);
  ::close(out[1]);
  ::close(err_fd);
  ::close(exec_error[1]);
  int exec_errno = 0;
  const auto n = ::read(exec_error[0], &exec_errno, sizeof exec_errno);
  ::close(exec_error[0]);
  Process process(pid, in[1], out[0], stderr_path);
  if (n > 0) {
    process.wait(5s);
    errno = exec_errno;
    fail("cannot start " + path);
  }
  return process;
}

Process::Process(pid_t pid, int stdin_fd, int stdout_fd, std::string stderr_path)
    : pid_(pid), stdin_fd_(stdin_fd), stdout_fd_(stdout_fd), stderr_path_(std::move(stderr_path)) {}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdin_fd_(std::exchange(other.stdin_fd_, -1)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      stderr_path_(std::move(other.stderr_path_)),
      stdout_buffer_(std::move(other.stdout_buffer_)),
      status_(other.status_) {
  other.stderr_path_.clear();
}

Process::~Process() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    wait(10s);
  }
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
  if (!stderr_path_.empty()) ::unlink(stderr_path_.c_str());
}

std::optional<std::string> Process::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (const auto newline = stdout_buffer_.find('\n'); newline != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, newline);
      stdout_buffer_.erase(0, newline + 1);
      return line;
    }
    pollfd ready{stdout_fd_, POLLIN, 0};
    if (stdout_fd_ < 0 || ::poll(&ready, 1, remaining_ms(deadline)) <= 0) return std::nullopt;
    char chunk[4096];
    const auto n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n <= 0) {
      close_fd(stdout_fd_);
      if (stdout_buffer_.empty()) return std::nullopt;
      return std::exchange(stdout_buffer_, {});
    }
    stdout_buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string Process::read_all(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (stdout_fd_ >= 0) {
    pollfd ready{stdout_fd_, POLLIN, 0};
    if (::poll(&ready, 1, remaining_ms(deadline)) <= 0) break;
    char chunk[65536];
    const auto n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n <= 0) {
      close_fd(stdout_fd_);
      break;
    }
    stdout_buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  return std::exchange(stdout_buffer_, {});
}

void Process::write_stdin(const std::string& bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const auto n = ::write(stdin_fd_, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write to child stdin");
    }
    written += static_cast<std::size_t>(n);
  }
}

void Process::close_stdin() { close_fd(stdin_fd_); }

void Process::signal(int signal_number) {
  if (!status_) ::kill(pid_, signal_number);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  const auto deadline = Clock::now() + timeout;
  // A pidfd becomes readable when the child exits: a bounded wait without polling in a loop.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  for (;;) {
    int raw = 0;
    const pid_t done = ::waitpid(pid_, &raw, WNOHANG);
    if (done == pid_) {
      status_ = decode_status(raw);
      break;
    }
    if (done < 0 && errno != EINTR) break;
    if (Clock::now() >= deadline) break;
    if (pidfd >= 0) {
      pollfd ready{pidfd, POLLIN, 0};
      ::poll(&ready, 1, remaining_ms(deadline));
    } else {
      std::this_thread::sleep_for(2ms);  // kernels before 5.3 have no pidfd
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  return status_;
}

int Process::stop(std::chrono::milliseconds grace) {
  signal(SIGTERM);
  if (auto status = wait(grace)) return *status;
  ::kill(pid_, SIGKILL);
  return wait(10s).value_or(-1);
}

std::string Process::stderr_text() const {
  std::ifstream file(stderr_path_, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

RunResult run(const std::string& path, const std::vector<std::string>& args,
              const std::string& input, std::chrono::milliseconds timeout) {
  auto process = Process::start(path, args);
  const auto deadline = Clock::now() + timeout;

  // Feed stdin from a thread while this one drains stdout: a child that echoes its input
  // would otherwise fill one pipe while we block on the other.
  std::thread feeder([&process, &input] {
    try {
      process.write_stdin(input);
    } catch (const std::exception&) {
      // The child exited without reading all of its input; its status tells the story.
    }
    process.close_stdin();
  });
  std::string out = process.read_all(
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  auto status = process.wait(std::chrono::milliseconds(remaining_ms(deadline)));
  if (!status) process.stop(0ms);
  feeder.join();
  return {status.value_or(-1), std::move(out), process.stderr_text()};
}

std::uint16_t wait_for_listening(Process& server, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  constexpr std::string_view kPrefix = "listening on ";
  while (auto line = server.read_line(std::chrono::milliseconds(remaining_ms(deadline)))) {
    if (!line->starts_with(kPrefix)) continue;
    const auto colon = line->rfind(':');
    return static_cast<std::uint16_t>(std::stoi(line->substr(colon + 1)));
  }
  throw std::runtime_error("server printed no 'listening on' line; stderr: " +
                           server.stderr_text());
}

std::pair<Process, std::uint16_t> start_server(const std::string& path,
                                               std::vector<std::string> args) {
  args.insert(args.begin(), {"-p", "0"});
  auto server = Process::start(path, args);
  const auto port = wait_for_listening(server);
  return {std::move(server), port};
}

}  // namespace mc::testing

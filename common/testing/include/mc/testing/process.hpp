/// \file
/// \brief Child processes for integration tests: start a real binary, read its output with
/// bounded waits, stop it by PID.

#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mc::testing {

using namespace std::chrono_literals;

/// \brief One child process. Its stdin and stdout are pipes owned by this object; its stderr
/// goes to a temporary file so a chatty child can never block on a full pipe.
///
/// The destructor kills a child that is still running, so a failing test never leaks one.
class Process {
 public:
  /// \brief Starts `path` with `args` (argv[0] is added). Throws std::runtime_error if the
  /// binary cannot be started.
  static Process start(const std::string& path, const std::vector<std::string>& args);

  /// \brief Takes over `other`'s child; `other` no longer owns it.
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) = delete;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  /// \brief The child's process id.
  pid_t pid() const { return pid_; }

  /// \brief Reads the next line of stdout (without the newline), waiting at most `timeout`.
  /// \return the line, or nothing on timeout or end of output
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 10s);

  /// \brief Reads stdout until the child closes it or `timeout` passes; returns what was read
  /// (including anything read_line() had buffered).
  std::string read_all(std::chrono::milliseconds timeout = 10s);

  /// \brief Writes `bytes` to the child's stdin (blocking).
  void write_stdin(const std::string& bytes);

  /// \brief Closes the child's stdin so it sees end of input.
  void close_stdin();

  /// \brief Sends `signal_number` to the child.
  void signal(int signal_number);

  /// \brief Waits at most `timeout` for the child to exit.
  /// \return its status: the exit code, or 128 + signal number if a signal ended it;
  /// nothing if it is still running
  std::optional<int> wait(std::chrono::milliseconds timeout);

  /// \brief SIGTERM, a bounded wait, then SIGKILL: the status as wait() reports it.
  int stop(std::chrono::milliseconds grace = 5s);

  /// \brief Everything the child wrote to stderr so far.
  std::string stderr_text() const;

 private:
  Process(pid_t pid, int stdin_fd, int stdout_fd, std::string stderr_path);

  pid_t pid_;
  int stdin_fd_;
  int stdout_fd_;
  std::string stderr_path_;
  std::string stdout_buffer_;
  std::optional<int> status_;
};

/// \brief What a finished command did.
struct RunResult {
  int status;       ///< exit code, or 128 + signal; -1 if it had to be killed on timeout
  std::string out;  ///< everything it wrote to stdout
  std::string err;  ///< everything it wrote to stderr
};

/// \brief Runs a command to completion, feeding it `input` on stdin; kills it after `timeout`.
RunResult run(const std::string& path, const std::vector<std::string>& args,
              const std::string& input = {}, std::chrono::milliseconds timeout = 60s);

/// \brief Reads the child's stdout until a `listening on ADDR:PORT` line and returns the port.
/// Throws std::runtime_error if no such line comes within `timeout`.
std::uint16_t wait_for_listening(Process& server, std::chrono::milliseconds timeout = 10s);

/// \brief Starts a server binary with `-p 0` plus `args` and waits for its `listening on` line.
/// \return the running server and the port it picked
std::pair<Process, std::uint16_t> start_server(const std::string& path,
                                               std::vector<std::string> args = {});

}  // namespace mc::testing

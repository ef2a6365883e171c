// The server under soak: started with the flags the options name, watched (its RSS) and stopped
// by PID with SIGTERM. Private to cppmc_soak's engine.

#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "mc/bench/soak.hpp"
#include "mc/testing/process.hpp"

namespace mc::bench::soak::detail {

class SoakServer {
 public:
  /// Starts options.server on a free port of 127.0.0.1 and waits until it accepts.
  /// Throws std::runtime_error if it does not.
  explicit SoakServer(const SoakOptions& options);

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  /// The server's resident memory (VmRSS) in KiB; nothing once it has gone.
  std::optional<std::uint64_t> rss_kib() const;
  /// SIGTERM, then a wait of at most `within`: the exit status, or nothing if the server was
  /// still running (it is then killed).
  std::optional<int> terminate(std::chrono::milliseconds within);
  /// What the server wrote to stderr.
  std::string stderr_text() const { return process_.stderr_text(); }

 private:
  SoakServer(std::pair<testing::Process, std::uint16_t> started);
  testing::Process process_;
  std::uint16_t port_;
};

}  // namespace mc::bench::soak::detail

#include "mc/common/log.hpp"

#include <fmt/chrono.h>

#include <atomic>
#include <chrono>
#include <cstdio>

namespace mc::common {
namespace {

std::atomic<LogLevel> current_level{LogLevel::kWarn};

constexpr std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kTrace:
      return "trace";
  }
  return "?";
}

}  // namespace

void set_log_level(LogLevel level) { current_level.store(level, std::memory_order_relaxed); }

LogLevel log_level() { return current_level.load(std::memory_order_relaxed); }

LogLevel level_from_verbosity(int verbosity) {
  if (verbosity <= 0) return LogLevel::kWarn;
  if (verbosity == 1) return LogLevel::kInfo;
  if (verbosity == 2) return LogLevel::kDebug;
  return LogLevel::kTrace;
}

void write_log_line(LogLevel level, std::string_view message) {
  const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const std::string line = fmt::format("{:%H:%M:%S} {:5} {}\n", now, level_name(level), message);
  // One fwrite per line: stdio locks the stream for the call, so threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace mc::common

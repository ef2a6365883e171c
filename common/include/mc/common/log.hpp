/// \file
/// \brief A tiny levelled logger on fmt: one line per call, written to stderr in one piece.

#pragma once

#include <fmt/format.h>

#include <string_view>

namespace mc::common {

/// \brief How much to log, from quietest to loudest.
enum class LogLevel { kError, kWarn, kInfo, kDebug, kTrace };

/// \brief Sets the most detailed level that is still written (thread-safe).
void set_log_level(LogLevel level);

/// \brief The current level (thread-safe).
LogLevel log_level();

/// \brief Maps the `-v` count of the command line to a level: none warns, `-v` informs,
/// `-vv` debugs, `-vvv` traces.
LogLevel level_from_verbosity(int verbosity);

/// \brief Writes one finished line, with time and level, to stderr in a single call so lines
/// from different threads never interleave.
void write_log_line(LogLevel level, std::string_view message);

/// \brief Formats and writes a line if `level` is enabled; disabled levels cost one load.
template <typename... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (level > log_level()) return;
  write_log_line(level, fmt::format(format, std::forward<Args>(args)...));
}

/// \brief Logs at LogLevel::kError.
template <typename... Args>
void log_error(fmt::format_string<Args...> format, Args&&... args) {
  log(LogLevel::kError, format, std::forward<Args>(args)...);
}

/// \brief Logs at LogLevel::kWarn.
template <typename... Args>
void log_warn(fmt::format_string<Args...> format, Args&&... args) {
  log(LogLevel::kWarn, format, std::forward<Args>(args)...);
}

/// \brief Logs at LogLevel::kInfo.
template <typename... Args>
void log_info(fmt::format_string<Args...> format, Args&&... args) {
  log(LogLevel::kInfo, format, std::forward<Args>(args)...);
}

/// \brief Logs at LogLevel::kDebug.
template <typename... Args>
void log_debug(fmt::format_string<Args...> format, Args&&... args) {
  log(LogLevel::kDebug, format, std::forward<Args>(args)...);
}

}  // namespace mc::common

// memcached's `-o` options, each either applied, accepted as what this design always does, or
// refused: an operator must never believe something is on that is not.

#pragma once

#include <optional>
#include <string>

#include "mc/server/settings.hpp"

namespace mc::server::detail {

/// What became of one `-o name[=value]`.
struct ExtendedOutcome {
  /// Set when the option is refused: the message to print before exiting with status 1.
  std::optional<std::string> error;
  /// Set when the option is accepted without changing anything here: why (logged at start).
  std::optional<std::string> built_in;
};

/// Applies one `-o` option to `settings`.
ExtendedOutcome apply_extended_option(const std::string& option, Settings& settings);

}  // namespace mc::server::detail

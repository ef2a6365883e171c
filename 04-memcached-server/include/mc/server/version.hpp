/// \file
/// \brief The version cppmemcached reports.

#pragma once

#include <string_view>

namespace mc::server {

/// \brief Answered to `version` and printed by `-V`. It starts with the memcached version whose
/// behaviour we follow, because clients such as libmemcached parse major.minor.patch from it.
inline constexpr std::string_view kVersion = "1.6.18-cppmc";

}  // namespace mc::server

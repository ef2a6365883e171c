/// \file
/// \brief memcached's `-u`: a server started as root gives root up once it is listening.

#pragma once

#include <optional>
#include <string>

namespace mc::server {

/// \brief What went wrong switching user: memcached's message and exit status.
struct SwitchUserError {
  std::string message;  ///< e.g. `can't find the user nosuch to switch to`
  int exit_status = 1;  ///< EX_NOUSER or EX_OSERR, as memcached exits
};

/// \brief Run as `user` from now on, with its group and no supplementary groups, if the
/// process runs as root; otherwise does nothing, as memcached does. Every thread of the
/// process switches (glibc applies set*id calls to all threads).
/// \return nothing on success, or why it failed (the server must not go on as root then)
std::optional<SwitchUserError> switch_user(const std::string& user);

}  // namespace mc::server

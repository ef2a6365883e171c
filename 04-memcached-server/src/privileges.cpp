#include "mc/server/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <sysexits.h>
#include <unistd.h>

namespace mc::server {

std::optional<SwitchUserError> switch_user(const std::string& user) {
  if (::geteuid() != 0) return std::nullopt;
  const passwd* account = ::getpwnam(user.c_str());
  if (account == nullptr) {
    return SwitchUserError{"can't find the user " + user + " to switch to", EX_NOUSER};
  }
  // The group first: once the user has changed, changing groups is no longer allowed.
  if (::setgroups(0, nullptr) != 0 || ::setgid(account->pw_gid) != 0 ||
      ::setuid(account->pw_uid) != 0) {
    return SwitchUserError{"failed to assume identity of user " + user, EX_OSERR};
  }
  return std::nullopt;
}

}  // namespace mc::server

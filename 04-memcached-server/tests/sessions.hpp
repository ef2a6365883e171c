// Scripted sessions for the differential test: every command and every error of the text
// protocol, as steps of raw bytes. Each step's replies are compared with real memcached's.

#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace mc::testing {

/// One connection's worth of steps, and the server flags both servers start with.
struct Session {
  std::string name;
  std::vector<std::string> steps;
  std::vector<std::string> server_args = {};
};

std::vector<Session> all_sessions();

/// GoogleTest prints a parameter with this: the name, not 80 bytes of hex.
inline void PrintTo(const Session& session, std::ostream* out) { *out << session.name; }

}  // namespace mc::testing

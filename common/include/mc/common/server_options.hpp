/// \file
/// \brief The options every server shares, as a plain struct (no command-line library needed
/// to hold them; cli.hpp parses them).

#pragma once

#include <cstdint>
#include <string>

namespace mc::common {

/// \brief The flags every server takes. Defaults are the field initialisers; a server may
/// change them before calling add_server_options() (cppmemcached runs 4 threads by default).
struct ServerOptions {
  std::string listen = "127.0.0.1";  ///< `-l`: address to listen on
  std::uint16_t port = 11211;        ///< `-p`: TCP port, 0 picks a free one
  unsigned threads = 1;              ///< `-t`: I/O threads
  int verbosity = 0;                 ///< `-v`, repeatable: `-vv` logs more
};

}  // namespace mc::common

/// \file
/// \brief Command-line conventions shared by every binary, on CLI11.

#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>
#include <asio/ip/tcp.hpp>

namespace mc::common {

/// \brief The flags every server takes. Defaults are the field initialisers; a server may
/// change them before calling add_server_options() (cppmemcached runs 4 threads by default).
struct ServerOptions {
  std::string listen = "127.0.0.1";  ///< `-l`: address to listen on
  std::uint16_t port = 11211;        ///< `-p`: TCP port, 0 picks a free one
  unsigned threads = 1;              ///< `-t`: I/O threads
  int verbosity = 0;                 ///< `-v`, repeatable: `-vv` logs more
};

/// \brief Adds `-v` / `--verbose`, counted: each repetition raises the log level one step.
void add_verbosity_flag(CLI::App& app, int& verbosity);

/// \brief Adds `-p/--port`, `-l/--listen`, `-t/--threads` and `-v` bound to `options`.
void add_server_options(CLI::App& app, ServerOptions& options);

/// \brief Sets the logger from the parsed `-v` count; call after parsing.
void apply_verbosity(int verbosity);

/// \brief Prints `listening on ADDR:PORT` to stdout and flushes it: scripts and tests read
/// this line to learn the port chosen for `-p 0`.
void announce_listening(const asio::ip::tcp::endpoint& endpoint);

}  // namespace mc::common

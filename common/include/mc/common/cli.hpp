/// \file
/// \brief Command-line conventions shared by every binary, on CLI11.

#pragma once

#include <CLI/CLI.hpp>
#include <asio/ip/tcp.hpp>

#include "mc/common/server_options.hpp"

namespace mc::common {

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

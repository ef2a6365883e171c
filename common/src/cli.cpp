#include "mc/common/cli.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "mc/common/log.hpp"

namespace mc::common {

void add_verbosity_flag(CLI::App& app, int& verbosity) {
  app.add_flag("-v,--verbose", verbosity, "Log more; repeat (-vv, -vvv) for even more");
}

void add_server_options(CLI::App& app, ServerOptions& options) {
  app.add_option("-p,--port", options.port, "TCP port to listen on (0 picks a free port)")
      ->capture_default_str();
  app.add_option("-l,--listen", options.listen, "Address to listen on")->capture_default_str();
  app.add_option("-t,--threads", options.threads, "Number of I/O threads")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  add_verbosity_flag(app, options.verbosity);
}

void apply_verbosity(int verbosity) { set_log_level(level_from_verbosity(verbosity)); }

void announce_listening(const asio::ip::tcp::endpoint& endpoint) {
  fmt::print("listening on {}:{}\n", endpoint.address().to_string(), endpoint.port());
  std::fflush(stdout);
}

}  // namespace mc::common

// Chapter 4: cppmemcached, a memcached-compatible server.
//
// main() parses memcached's flags, starts the server and waits, on its own small io_context,
// for SIGINT, SIGTERM or a client's `shutdown` (with -A); then it stops the server gracefully.

#include <fmt/format.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include "mc/common/cli.hpp"
#include "mc/common/log.hpp"
#include "mc/common/stop_signals.hpp"
#include "mc/server/memcached_server.hpp"
#include "mc/server/privileges.hpp"

int main(int argc, char** argv) {
  mc::server::Settings settings;
  if (const auto exit_status = mc::server::parse_settings(argc, argv, settings)) {
    return *exit_status;
  }
  for (const auto& option : settings.built_in) {
    mc::common::log_warn("{} (accepted, nothing to change)", option);
  }

  try {
    //! [main]
    asio::io_context main_io(1);
    mc::common::StopSignals signals(main_io.get_executor(), [](int) {});
    // A client's `shutdown` arrives on an I/O thread; the stop itself happens here, because
    // stopping joins the I/O threads.
    mc::server::MemcachedServer server(
        settings, [&main_io, &signals] { asio::post(main_io, [&signals] { signals.cancel(); }); });
    // Root was needed to bind (a low port); it is not needed to serve.
    if (!settings.user.empty()) {
      if (const auto error = mc::server::switch_user(settings.user)) {
        mc::common::log_error("{}", error->message);
        server.stop();
        return error->exit_status;
      }
    }
    if (const auto metrics = server.metrics_endpoint()) {
      // Before the `listening on` line, which tells scripts that everything is up.
      fmt::print("metrics on http://{}:{}/metrics\n", metrics->address().to_string(),
                 metrics->port());
    }
    mc::common::announce_listening(server.local_endpoint());
    main_io.run();  // returns once a signal or a shutdown command has been handled
    server.stop();
    //! [main]
    return 0;
  } catch (const std::exception& error) {
    mc::common::log_error("cppmemcached: {}", error.what());
    return 1;
  }
}

// Chapter 2: the echo server of chapter 1, rewritten on mc::net.
//
// Everything chapter 1 wrote by hand (the accept loop, the live-connection set, the stop) is
// now the framework's job. What is left is the application: echo what arrives.

#include <string>
#include <string_view>

#include "mc/common/cli.hpp"
#include "mc/common/log.hpp"
#include "mc/common/stop_signals.hpp"
#include "mc/net/raw_codec.hpp"
#include "mc/net/server.hpp"

namespace mc::echo {
namespace {

using EchoConnection = net::Connection<net::RawCodec>;

//! [echo-callbacks]
net::Callbacks<net::RawCodec> echo_callbacks() {
  return {
      .on_connect =
          [](EchoConnection& connection) {
            common::log_info("{}:{} connected", connection.peer().address().to_string(),
                             connection.peer().port());
          },
      // The bytes are a view into the read buffer: copy them into the message we send.
      .on_message = [](EchoConnection& connection,
                       std::string_view bytes) { connection.send(std::string(bytes)); },
      .on_close =
          [](EchoConnection& connection, std::error_code reason) {
            common::log_info("{}:{} disconnected: {}", connection.peer().address().to_string(),
                             connection.peer().port(), reason.message());
          },
  };
}
//! [echo-callbacks]

//! [run]
int run(const common::ServerOptions& flags) {
  net::ServerOptions options;
  options.listen = flags.listen;
  options.port = flags.port;
  options.threads = flags.threads;
  net::Server<net::RawCodec> server(options, echo_callbacks());

  // The server runs on threads of its own; this thread only waits for SIGINT or SIGTERM.
  common::wait_for_stop_signal([&server] { common::announce_listening(server.local_endpoint()); });
  server.stop();
  return 0;
}
//! [run]

}  // namespace
}  // namespace mc::echo

int main(int argc, char** argv) {
  CLI::App app{"Chapter 2 echo server: the chapter 1 echo server on the mc::net framework"};
  mc::common::ServerOptions options;
  mc::common::add_server_options(app, options);
  CLI11_PARSE(app, argc, argv);
  mc::common::apply_verbosity(options.verbosity);

  try {
    return mc::echo::run(options);
  } catch (const std::exception& error) {
    mc::common::log_error("framework_echo_server: {}", error.what());
    return 1;
  }
}

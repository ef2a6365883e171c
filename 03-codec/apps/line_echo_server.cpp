// line_echo_server: the seed project's line example on mc::net and LineCodec. Echoes every
// line back; a line over the limit is answered with an error and the connection is closed.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mc/codec/line_codec.hpp"
#include "mc/common/cli.hpp"
#include "mc/common/log.hpp"
#include "mc/common/stop_signals.hpp"
#include "mc/net/server.hpp"

namespace mc::codec {
namespace {

//! [echo-codec]
// LineCodec closes the connection on an over-long line. This server wants to say why first,
// so it wraps the codec and turns that error into a message: an empty optional, which takes
// the bytes received so far with it.
class EchoLineCodec {
 public:
  using Message = std::optional<std::string_view>;  // no value: the line was too long
  using OutMessage = std::string;

  explicit EchoLineCodec(std::size_t max_line_length) : lines_(max_line_length) {}

  net::Decoded<Message> decode(std::string_view input) const {
    const auto decoded = lines_.decode(input);
    if (decoded.status == net::DecodeStatus::kError) {
      return {net::DecodeStatus::kMessage, input.size(), std::nullopt};
    }
    return {decoded.status, decoded.consumed, decoded.message};
  }
  std::size_t encode(const OutMessage& line, std::vector<asio::const_buffer>& out) const {
    return lines_.encode(line, out);
  }
  std::size_t max_line_length() const { return lines_.max_line_length(); }

 private:
  LineCodec lines_;
};
//! [echo-codec]

using EchoConnection = net::Connection<EchoLineCodec>;

net::Callbacks<EchoLineCodec> echo_callbacks(std::size_t max_line_length) {
  return {
      .on_connect = {},
      .on_message =
          [max_line_length](EchoConnection& connection, const EchoLineCodec::Message& line) {
            if (line) {
              connection.send(std::string(*line));  // the line is a view: copy it to send it
              return;
            }
            connection.send(fmt::format("ERROR line longer than {} bytes", max_line_length));
            connection.close_after_flush();
          },
      .on_close = {},
  };
}

int run(const common::ServerOptions& flags, std::size_t max_line_length) {
  net::ServerOptions options;
  options.listen = flags.listen;
  options.port = flags.port;
  options.threads = flags.threads;
  net::Server<EchoLineCodec> server(options, echo_callbacks(max_line_length),
                                    EchoLineCodec(max_line_length));
  common::wait_for_stop_signal([&server] { common::announce_listening(server.local_endpoint()); });
  server.stop();
  return 0;
}

}  // namespace
}  // namespace mc::codec

int main(int argc, char** argv) {
  CLI::App app{"Chapter 3 line echo server: echoes each line, refuses over-long lines"};
  mc::common::ServerOptions options;
  mc::common::add_server_options(app, options);
  std::size_t max_line_length = 8192;
  app.add_option("-m,--max-line", max_line_length, "longest line accepted, in bytes")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  mc::common::apply_verbosity(options.verbosity);
  try {
    return mc::codec::run(options, max_line_length);
  } catch (const std::exception& error) {
    mc::common::log_error("line_echo_server: {}", error.what());
    return 1;
  }
}

// Chapter 2: an echo load generator on mc::net's Client.
//
// Each of `-c` connections sends `-n` messages of `-s` bytes, keeping `-d` of them in flight,
// and checks that the bytes coming back are exactly the bytes sent, in order. It talks to any
// byte echo server: framework_echo_server, or chapter 1's echo_server for comparison.

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <vector>

#include <asio/post.hpp>

#include "mc/common/cli.hpp"
#include "mc/common/log.hpp"
#include "mc/net/client.hpp"
#include "mc/net/raw_codec.hpp"

namespace mc::echo {
namespace {

using EchoConnection = net::Connection<net::RawCodec>;
using Clock = std::chrono::steady_clock;

struct ClientFlags {
  std::string host = "127.0.0.1";
  std::uint16_t port = 11211;
  unsigned connections = 1;
  std::uint64_t messages = 1000;
  std::size_t size = 32;
  std::uint64_t depth = 1;
  unsigned threads = 1;
  unsigned timeout_seconds = 60;
  int verbosity = 0;
};

/// The byte at `offset` of connection `stream`'s byte stream. Pseudo-random (splitmix64, one
/// mix per 8 bytes), so that a lost, repeated or reordered message changes what arrives.
std::uint8_t stream_byte(std::uint64_t stream, std::uint64_t offset) {
  std::uint64_t x = (stream << 40) ^ (offset >> 3);
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  x ^= x >> 31;
  return static_cast<std::uint8_t>(x >> ((offset & 7) * 8));
}

/// What every connection of the run shares. Callbacks run on the client's I/O threads; the
/// main thread only waits for the last connection to finish.
class EchoRun {
 public:
  explicit EchoRun(const ClientFlags& flags) : flags_(flags), remaining_(flags.connections) {}

  net::Callbacks<net::RawCodec> callbacks() {
    return {
        .on_connect =
            [this](EchoConnection& connection) { connection.context() = Stream{next_id_++}; },
        .on_message = [this](EchoConnection& connection,
                             std::string_view bytes) { on_message(connection, bytes); },
        .on_close = [this](EchoConnection& connection,
                           std::error_code reason) { on_close(connection, reason); },
    };
  }

  /// Sends the first messages of a connection; runs on the connection's thread.
  void begin(EchoConnection& connection) {
    auto& stream = std::any_cast<Stream&>(connection.context());
    while (stream.sent < flags_.messages && stream.sent < flags_.depth)
      send_next(connection, stream);
    if (flags_.messages == 0) end(connection, stream, {});
  }

  /// Waits until every connection has finished or failed. Returns false on timeout.
  bool wait(Clock::time_point deadline) {
    return all_done_.get_future().wait_until(deadline) == std::future_status::ready;
  }

  int failures() const { return failures_.load(); }

 private:
  struct Stream {
    std::uint64_t id;
    std::uint64_t sent = 0;      // messages sent
    std::uint64_t received = 0;  // bytes echoed back and verified
    bool ended = false;
  };

  std::uint64_t total_bytes() const { return flags_.messages * flags_.size; }

  void send_next(EchoConnection& connection, Stream& stream) {
    std::string message(flags_.size, '\0');
    const std::uint64_t first = stream.sent * flags_.size;
    for (std::size_t i = 0; i < message.size(); ++i) {
      message[i] = static_cast<char>(stream_byte(stream.id, first + i));
    }
    ++stream.sent;
    connection.send(std::move(message));
  }

  //! [verify]
  void on_message(EchoConnection& connection, std::string_view bytes) {
    auto& stream = std::any_cast<Stream&>(connection.context());
    if (stream.received + bytes.size() > total_bytes()) {
      return end(connection, stream, "the server sent more bytes than it was sent");
    }
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (static_cast<std::uint8_t>(bytes[i]) != stream_byte(stream.id, stream.received + i)) {
        return end(connection, stream, fmt::format("byte {} differs", stream.received + i));
      }
    }
    stream.received += bytes.size();
    // Every message fully echoed makes room for one more in flight.
    const std::uint64_t echoed = stream.received / flags_.size;
    while (stream.sent < flags_.messages && stream.sent < echoed + flags_.depth) {
      send_next(connection, stream);
    }
    if (stream.received == total_bytes()) end(connection, stream, {});
  }
  //! [verify]

  void on_close(EchoConnection& connection, std::error_code reason) {
    auto& stream = std::any_cast<Stream&>(connection.context());
    if (stream.ended) return;
    end(connection, stream,
        fmt::format("closed after {} of {} bytes: {}", stream.received, total_bytes(),
                    reason.message()));
  }

  /// Called once per connection: it finished, or `failure` says why not.
  void end(EchoConnection& connection, Stream& stream, const std::string& failure) {
    if (stream.ended) return;
    stream.ended = true;
    if (!failure.empty()) {
      fmt::print(stderr, "framework_echo_client: connection {}: {}\n", stream.id, failure);
      ++failures_;
    }
    connection.close();
    if (--remaining_ == 0) all_done_.set_value();
  }

  const ClientFlags flags_;
  std::atomic<std::uint64_t> next_id_{0};
  std::atomic<unsigned> remaining_;
  std::atomic<int> failures_{0};
  std::promise<void> all_done_;
};

int run(const ClientFlags& flags) {
  if (flags.size == 0 || flags.depth == 0) {
    fmt::print(stderr, "framework_echo_client: -s and -d must be at least 1\n");
    return 1;
  }
  EchoRun echo_run(flags);
  net::ClientOptions options;
  options.threads = flags.threads;
  net::Client<net::RawCodec> client(options, echo_run.callbacks());

  std::vector<net::Client<net::RawCodec>::Pointer> connections;
  for (unsigned i = 0; i < flags.connections; ++i) {
    std::error_code error;
    connections.push_back(client.connect(flags.host, flags.port, error));
    if (error) {
      fmt::print(stderr, "framework_echo_client: cannot connect to {}:{}: {}\n", flags.host,
                 flags.port, error.message());
      return 1;
    }
  }

  //! [measure]
  const auto start = Clock::now();
  for (const auto& connection : connections) {
    asio::post(connection->get_executor(),
               [&echo_run, connection] { echo_run.begin(*connection); });
  }
  if (!echo_run.wait(start + std::chrono::seconds(flags.timeout_seconds))) {
    fmt::print(stderr, "framework_echo_client: timed out after {} s\n", flags.timeout_seconds);
    return 1;
  }
  const std::chrono::duration<double> elapsed = Clock::now() - start;
  //! [measure]
  client.stop();
  if (echo_run.failures() > 0) return 1;

  const double messages = static_cast<double>(flags.messages) * flags.connections;
  fmt::print(
      "{} connections x {} messages of {} bytes, {} in flight: {:.3f} s, {:.0f} messages/s\n",
      flags.connections, flags.messages, flags.size, flags.depth, elapsed.count(),
      messages / elapsed.count());
  return 0;
}

}  // namespace
}  // namespace mc::echo

int main(int argc, char** argv) {
  CLI::App app{"Chapter 2 echo client: pipelined load on an echo server, every byte verified"};
  mc::echo::ClientFlags flags;
  app.add_option("-H,--host", flags.host, "Server address")->capture_default_str();
  app.add_option("-p,--port", flags.port, "Server port")->capture_default_str();
  app.add_option("-c,--connections", flags.connections, "Concurrent connections")
      ->check(CLI::Range(1u, 100000u))
      ->capture_default_str();
  app.add_option("-n,--messages", flags.messages, "Messages per connection")->capture_default_str();
  app.add_option("-s,--size", flags.size, "Bytes per message")->capture_default_str();
  app.add_option("-d,--depth", flags.depth, "Messages in flight per connection (pipelining)")
      ->capture_default_str();
  app.add_option("-t,--threads", flags.threads, "Client I/O threads")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  app.add_option("-T,--timeout", flags.timeout_seconds, "Give up after this many seconds")
      ->capture_default_str();
  mc::common::add_verbosity_flag(app, flags.verbosity);
  CLI11_PARSE(app, argc, argv);
  mc::common::apply_verbosity(flags.verbosity);

  try {
    return mc::echo::run(flags);
  } catch (const std::exception& error) {
    fmt::print(stderr, "framework_echo_client: {}\n", error.what());
    return 1;
  }
}

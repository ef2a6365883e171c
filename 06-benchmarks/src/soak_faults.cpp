#include "soak_faults.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/read_until.hpp>
#include <asio/socket_base.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "mc/common/asio.hpp"
#include "mc/net/connector.hpp"

namespace mc::bench::soak::detail {

namespace {

using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;
using common::kUseTuple;
using net::Socket;
using namespace std::chrono_literals;

// What waiting for one reply line gave.
struct Line {
  enum class Kind { kLine, kClosed, kTimeout } kind;
  std::string text;  // without its \r\n
};

// One line from `socket`, `buffer` keeping whatever arrived after it; bounded by `deadline`.
asio::awaitable<Line> read_line(Socket& socket, std::string& buffer, Clock::time_point deadline) {
  asio::steady_timer timer(socket.get_executor(), deadline);
  auto winner =
      co_await (asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n", kUseTuple) ||
                timer.async_wait(kUseTuple));
  if (winner.index() == 1) co_return Line{Line::Kind::kTimeout, {}};
  const auto [error, size] = std::get<0>(winner);
  if (error) co_return Line{Line::Kind::kClosed, {}};
  Line line{Line::Kind::kLine, buffer.substr(0, size - 2)};
  buffer.erase(0, size);
  co_return line;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Lines no memcached command starts with, or commands broken in ways memcached answers with
// ERROR or CLIENT_ERROR. None starts with byte 0x80, which would mean the binary protocol.
std::string garbage_line(std::mt19937_64& rng) {
  std::string line;
  switch (rng() % 7) {
    case 0:
      line = "zz";
      for (std::size_t n = 3 + rng() % 30; n > 0; --n) line.push_back('a' + rng() % 26);
      break;
    case 1:
      line = "~";
      for (std::size_t n = rng() % 60; n > 0; --n)
        line.push_back(static_cast<char>(0x21 + rng() % 94));
      break;
    case 2:
      line = "get " + std::string(251, 'k');  // one byte past the key limit
      break;
    case 3:
      line = "incr soak:garbage abc";
      break;
    case 4:
      line = "set soak:garbage 0 0 xyz";
      break;
    case 5:
      line = "\x01\x02junk\x7f";
      break;
    default:
      line = std::string(3000, 'x');  // longer than memcached's 2048-byte line buffer
  }
  return line + "\r\n";
}

}  // namespace

Faults::Faults(asio::io_context& io, std::uint16_t port, const SoakOptions& options,
               std::vector<std::string> big_keys,
               std::function<std::string(std::mt19937_64&)> victim, SoakResult& result)
    : io_(io),
      port_(port),
      options_(options),
      big_keys_(std::move(big_keys)),
      victim_(std::move(victim)),
      result_(result),
      rng_(options.seed * 104729 + 1),
      tasks_(io.get_executor()) {}

//! [fault-loop]
asio::awaitable<void> Faults::run(Clock::time_point end) {
  const auto start = Clock::now();
  for (unsigned i = 0; i < options_.stall_clients; ++i) tasks_.spawn(stall_loop(end));
  const auto burst_every = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.burst_interval));
  auto next_burst = start + std::min(burst_every, (end - start) / 2);
  const auto pause = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.fault_interval));
  asio::steady_timer timer(io_);
  while (Clock::now() < end) {
    // A pause longer than the run (no short faults wanted) ends with the run.
    timer.expires_at(std::min(Clock::now() + pause, end));
    co_await timer.async_wait(kUseTuple);
    if (Clock::now() >= end) break;
    if (tasks_.live() < options_.stall_clients + 32) {
      switch (rng_() % 3) {
        case 0:
          tasks_.spawn(half_set());
          break;
        case 1:
          tasks_.spawn(reset_mid_reply());
          break;
        default:
          tasks_.spawn(garbage());
      }
    }
    if (options_.burst_interval > 0 && Clock::now() >= next_burst) {
      tasks_.spawn(burst());
      next_burst += burst_every;
    }
  }
  const auto hold = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.stall_hold));
  if (!co_await tasks_.wait(Clock::now() + hold + 20s)) {
    result_.report(Problem::kFault, fmt::format("{} fault clients still running 20 s after the "
                                                "end",
                                                tasks_.live()));
  }
  if (tasks_.failure()) std::rethrow_exception(tasks_.failure());
}
//! [fault-loop]

asio::awaitable<void> Faults::half_set() {
  Socket socket(io_);
  if (co_await net::async_connect(socket, "127.0.0.1", port_, 2s)) {
    ++result_.faults.connect_failures;
    co_return;
  }
  // Half of a whole record of a key a lane owns: if the server ever stored it, that lane reads
  // a torn value.
  const std::string key = victim_(rng_);
  const std::string value = make_record(key, 0, 1000);
  const std::string request =
      fmt::format("set {} 0 0 {}\r\n{}", key, value.size(), value.substr(0, value.size() / 2));
  co_await asio::async_write(socket, asio::buffer(request), kUseTuple);
  socket.close();  // the client dies: the rest of the data block never comes
  ++result_.faults.half_sets;
}

asio::awaitable<void> Faults::reset_mid_reply() {
  Socket socket(io_);
  if (co_await net::async_connect(socket, "127.0.0.1", port_, 2s)) {
    ++result_.faults.connect_failures;
    co_return;
  }
  // Twice every big key: a reply of several hundred KiB, of which we read one piece.
  std::string request = "get";
  for (int round = 0; round < 2; ++round) {
    for (const auto& key : big_keys_) request += " " + key;
  }
  request += "\r\n";
  co_await asio::async_write(socket, asio::buffer(request), kUseTuple);
  std::string piece(4096, '\0');
  asio::steady_timer timer(io_, 2s);
  co_await (socket.async_read_some(asio::buffer(piece), kUseTuple) || timer.async_wait(kUseTuple));
  asio::error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);  // close sends a RST
  socket.close(ignored);
  ++result_.faults.resets;
}

asio::awaitable<void> Faults::garbage() {
  Socket socket(io_);
  if (co_await net::async_connect(socket, "127.0.0.1", port_, 2s)) {
    ++result_.faults.connect_failures;
    co_return;
  }
  ++result_.faults.garbage_clients;
  std::string request;
  for (int n = 0; n < 3; ++n) request += garbage_line(rng_);
  request += "version\r\n";
  co_await asio::async_write(socket, asio::buffer(request), kUseTuple);
  // Every line back must be an error until VERSION; the server may also close.
  std::string buffer;
  const auto deadline = Clock::now() + 5s;
  for (;;) {
    const Line line = co_await read_line(socket, buffer, deadline);
    if (line.kind == Line::Kind::kClosed) {
      ++result_.faults.garbage_closed;
      break;
    }
    if (line.kind == Line::Kind::kTimeout) {
      result_.report(Problem::kFault, "garbage: no VERSION and no close within 5 s");
      break;
    }
    if (starts_with(line.text, "VERSION")) break;
    if (starts_with(line.text, "ERROR") || starts_with(line.text, "CLIENT_ERROR")) {
      ++result_.faults.garbage_errors;
    } else {
      result_.report(Problem::kFault,
                     fmt::format("garbage answered '{}'", line.text.substr(0, 60)));
      break;
    }
  }
}

asio::awaitable<void> Faults::stall_loop(Clock::time_point end) {
  while (Clock::now() < end) co_await stall();
}

//! [stall]
asio::awaitable<void> Faults::stall() {
  Socket socket(io_);
  if (co_await net::async_connect(socket, "127.0.0.1", port_, 2s)) {
    ++result_.faults.connect_failures;
    asio::steady_timer pause(io_, 100ms);  // do not spin while the server refuses
    co_await pause.async_wait(kUseTuple);
    co_return;
  }
  // Pipeline `mn` and never read a reply, until the server stops taking requests, the limit
  // is sent, or the hold time is over. A server that keeps reading must queue every reply.
  std::string chunk;
  for (int n = 0; n < 16384; ++n) chunk += "mn\r\n";
  const std::size_t limit = options_.stall_kib * 1024;
  const auto hold = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.stall_hold));
  asio::steady_timer timer(io_, hold);
  std::size_t sent = 0;
  while (sent < limit) {
    const std::size_t offset = sent % chunk.size();
    const std::size_t size = std::min(chunk.size() - offset, limit - sent);
    auto winner =
        co_await (socket.async_write_some(asio::buffer(chunk.data() + offset, size), kUseTuple) ||
                  timer.async_wait(kUseTuple));
    if (winner.index() == 1) break;
    const auto [error, written] = std::get<0>(winner);
    if (error) break;
    sent += written;
  }
  if (Clock::now() < timer.expiry()) co_await timer.async_wait(kUseTuple);
  socket.close();
  ++result_.faults.stalls;
  result_.faults.stall_bytes += sent;
}
//! [stall]

asio::awaitable<void> Faults::burst() {
  // More connections than -c allows, all open at once: the extra ones must be refused with
  // memcached's error line, and every other must be served.
  const unsigned count = options_.max_connections + 16;
  std::vector<Socket> sockets;
  sockets.reserve(count);
  for (unsigned n = 0; n < count; ++n) {
    Socket socket(io_);
    if (co_await net::async_connect(socket, "127.0.0.1", port_, 2s)) {
      ++result_.faults.connect_failures;
      continue;
    }
    sockets.push_back(std::move(socket));
  }
  for (auto& socket : sockets) {
    co_await asio::async_write(socket, asio::buffer(std::string_view("version\r\n")), kUseTuple);
  }
  const auto deadline = Clock::now() + 5s;
  std::uint64_t refused = 0;
  for (auto& socket : sockets) {
    std::string buffer;
    const Line line = co_await read_line(socket, buffer, deadline);
    if (line.kind == Line::Kind::kLine && starts_with(line.text, "VERSION")) {
      ++result_.faults.burst_served;
    } else if (line.kind == Line::Kind::kClosed ||
               (line.kind == Line::Kind::kLine && starts_with(line.text, "ERROR"))) {
      ++refused;
    } else {
      result_.report(Problem::kFault,
                     line.kind == Line::Kind::kTimeout
                         ? std::string("burst: a connection got no answer within 5 s")
                         : fmt::format("burst: answered '{}'", line.text.substr(0, 60)));
    }
  }
  for (auto& socket : sockets) socket.close();
  result_.faults.burst_refused += refused;
  ++result_.faults.bursts;
  if (refused == 0) {
    result_.report(Problem::kFault, fmt::format("burst of {} connections past -c {}: none refused",
                                                count, options_.max_connections));
  }
}

}  // namespace mc::bench::soak::detail

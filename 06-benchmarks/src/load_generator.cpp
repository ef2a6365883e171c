#include "mc/bench/load_generator.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include <asio/post.hpp>

#include "connection_driver.hpp"
#include "mc/net/client.hpp"

namespace mc::bench {

using detail::Clock;
using detail::ConnectionDriver;

void Totals::merge(const Totals& other) {
  requests += other.requests;
  sets += other.sets;
  gets += other.gets;
  keys_requested += other.keys_requested;
  hits += other.hits;
  errors += other.errors;
  timeouts += other.timeouts;
  verify_errors += other.verify_errors;
  connect_failures += other.connect_failures;
  prefilled += other.prefilled;
  latency.merge(other.latency);
}

double Totals::hit_rate() const {
  return keys_requested == 0 ? 0.0
                             : static_cast<double>(hits) / static_cast<double>(keys_requested);
}

namespace {

using Client = net::Client<detail::ClientCodec>;

// How often the main thread looks for requests past their deadline.
constexpr auto kWatchdogPeriod = std::chrono::milliseconds(100);

std::chrono::nanoseconds seconds(double value) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(value));
}

// The drivers and where they live. Every call into a driver is posted to its connection's
// thread, so a driver's state has a single owner and needs no lock.
class Fleet {
 public:
  void add(std::unique_ptr<ConnectionDriver> driver, Client::Pointer connection) {
    drivers_.push_back(std::move(driver));
    connections_.push_back(std::move(connection));
  }

  // Runs `action(driver)` on each live driver's thread.
  template <typename Action>
  void post_each(Action action) {
    for (std::size_t i = 0; i < drivers_.size(); ++i) {
      if (!connections_[i]) continue;
      asio::post(connections_[i]->get_executor(),
                 [driver = drivers_[i].get(), action] { action(*driver); });
    }
  }

  // Waits for `countdown` to reach zero, giving up on stuck requests as it waits.
  bool wait(detail::Countdown& countdown, Clock::time_point deadline) {
    while (!countdown.wait_until(std::min(deadline, Clock::now() + kWatchdogPeriod))) {
      if (Clock::now() >= deadline) return false;
      const auto now = Clock::now();
      post_each([now](ConnectionDriver& driver) { driver.check_timeouts(now); });
    }
    return true;
  }

  // The totals so far, gathered on the drivers' threads (a copy each, merged under a lock).
  Totals snapshot() {
    struct Gather {
      std::mutex mutex;
      Totals totals;
      detail::Countdown pending;
      explicit Gather(std::size_t n) : pending(n) {}
    };
    // Shared: a reply that comes after the one-second wait must still find it alive.
    auto gather = std::make_shared<Gather>(live_connections());
    post_each([gather](ConnectionDriver& driver) {
      std::lock_guard lock(gather->mutex);
      gather->totals.merge(driver.totals());
      gather->pending.arrive();
    });
    gather->pending.wait_until(Clock::now() + std::chrono::seconds(1));
    std::lock_guard lock(gather->mutex);
    return gather->totals;
  }

  // After the client has stopped (its threads joined), the drivers may be read directly.
  Totals totals() const {
    Totals all;
    for (const auto& driver : drivers_) all.merge(driver->totals());
    return all;
  }

  std::size_t live_connections() const {
    std::size_t live = 0;
    for (const auto& connection : connections_) live += connection ? 1 : 0;
    return live;
  }

 private:
  std::vector<std::unique_ptr<ConnectionDriver>> drivers_;
  std::vector<Client::Pointer> connections_;
};

// The connection's callbacks find their driver in the connection's context slot.
net::Callbacks<detail::ClientCodec> driver_callbacks() {
  net::Callbacks<detail::ClientCodec> callbacks;
  callbacks.on_message = [](detail::Connection& connection, const codec::Response& response) {
    if (auto* driver = ConnectionDriver::of(connection)) driver->on_message(response);
  };
  callbacks.on_close = [](detail::Connection& connection, std::error_code) {
    if (auto* driver = ConnectionDriver::of(connection)) driver->on_close();
  };
  return callbacks;
}

}  // namespace

//! [run-load]
RunResult run_load(const LoadOptions& options, const ProgressCallback& progress) {
  const ValueSource values(options.data_size, options.seed);
  std::optional<ZipfTable> zipf;
  if (options.key_pattern == KeyPattern::kZipf) zipf.emplace(options.key_count);
  const std::size_t total = options.servers.size() * options.connections;
  detail::Countdown prefilled(total);
  detail::Countdown finished(total);
  const detail::Shared shared{options, values, zipf ? &*zipf : nullptr, prefilled, finished};

  net::ClientOptions client_options;
  client_options.threads = std::max(options.threads, 1u);
  client_options.connect_timeout = options.timeout;
  // Declared before the fleet: the drivers must go before the io_contexts they post to.
  Client client(client_options, driver_callbacks());
  Fleet fleet;

  // Each server gets `connections` connections; connection j prefills its slice of the keys.
  const std::uint64_t slice = (options.key_count + options.connections - 1) / options.connections;
  const std::uint64_t per_connection = options.requests / total;
  unsigned index = 0;
  for (const Target& server : options.servers) {
    for (unsigned j = 0; j < options.connections; ++j, ++index) {
      const std::uint64_t begin = options.prefill ? std::min(options.key_count, j * slice) : 0;
      const std::uint64_t end = options.prefill ? std::min(options.key_count, begin + slice) : 0;
      const std::uint64_t budget = per_connection + (index < options.requests % total ? 1 : 0);
      auto driver = std::make_unique<ConnectionDriver>(shared, index, begin, end, budget);
      std::error_code error;
      auto connection = client.connect(server.host, server.port, error);
      if (!connection) {
        driver->connect_failed();
      } else {
        asio::post(connection->get_executor(),
                   [d = driver.get(), connection] { d->attach(connection); });
      }
      fleet.add(std::move(driver), std::move(connection));
    }
  }
  if (fleet.live_connections() == 0) {
    throw std::runtime_error("cannot connect to any server");
  }

  RunResult result;
  const auto prefill_start = Clock::now();
  fleet.wait(prefilled, Clock::time_point::max());
  result.prefill_seconds = std::chrono::duration<double>(Clock::now() - prefill_start).count();

  // The measured window: after the warm-up, for `duration` seconds (or until the requests
  // are all answered).
  const bool timed = options.requests == 0;
  const auto start = Clock::now();
  const auto from = timed ? start + seconds(options.warmup) : start;
  const auto until = timed ? from + seconds(options.duration) : Clock::time_point::max();
  fleet.post_each([from, until](ConnectionDriver& d) { d.start_run(from, until); });

  auto next_report = from + std::chrono::seconds(1);
  while (Clock::now() < until) {
    // Wakes for the watchdog, the progress line and the end; returns early only if every
    // connection is finished (counted runs, or every connection lost).
    if (finished.wait_until(std::min({until, next_report, Clock::now() + kWatchdogPeriod}))) {
      break;
    }
    const auto now = Clock::now();
    fleet.post_each([now](ConnectionDriver& d) { d.check_timeouts(now); });
    if (now >= next_report) {
      if (progress) progress(std::chrono::duration<double>(now - from).count(), fleet.snapshot());
      next_report += std::chrono::seconds(1);
    }
  }
  const auto measured_end = Clock::now();

  // Drain: no new requests; whatever is still unanswered after the timeout is lost.
  fleet.post_each([](ConnectionDriver& d) { d.stop(); });
  fleet.wait(finished, Clock::now() + options.timeout + std::chrono::seconds(1));
  client.stop();

  result.totals = fleet.totals();
  result.connections_opened = static_cast<unsigned>(fleet.live_connections());
  result.seconds =
      timed ? options.duration : std::chrono::duration<double>(measured_end - start).count();
  return result;
}
//! [run-load]

}  // namespace mc::bench

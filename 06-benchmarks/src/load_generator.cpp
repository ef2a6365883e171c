#include "mc/bench/load_generator.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include <asio/post.hpp>

#include "connection_driver.hpp"
#include "mc/net/io_context_pool.hpp"

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

std::chrono::nanoseconds seconds(double value) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(value));
}

// The drivers and the threads they live on. Every call into a driver is posted to its thread,
// so a driver's state has a single owner and needs no lock.
class Fleet {
 public:
  explicit Fleet(unsigned threads) : pool_(std::max(threads, 1u)) {}
  ~Fleet() { stop(Clock::now() + std::chrono::seconds(1)); }
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // The next thread, round-robin: where the next driver should live.
  asio::io_context& next_thread() { return pool_.context(pool_.next()); }

  void add(std::unique_ptr<ConnectionDriver> driver) { drivers_.push_back(std::move(driver)); }

  // Starts the threads; each driver opens its session on its own.
  void start() {
    pool_.start();
    post_each([](ConnectionDriver& driver) { driver.open(); });
  }

  // Runs `action(driver)` on each driver's thread.
  template <typename Action>
  void post_each(Action action) {
    for (const auto& driver : drivers_) {
      asio::post(driver->io(), [driver = driver.get(), action] { action(*driver); });
    }
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
    auto gather = std::make_shared<Gather>(drivers_.size());
    post_each([gather](ConnectionDriver& driver) {
      std::lock_guard lock(gather->mutex);
      gather->totals.merge(driver.totals());
      gather->pending.arrive();
    });
    gather->pending.wait_until(Clock::now() + std::chrono::seconds(1));
    std::lock_guard lock(gather->mutex);
    return gather->totals;
  }

  // Closes every session on its own thread and joins the threads; `deadline` bounds the wait.
  void stop(Clock::time_point deadline) {
    if (std::exchange(stopped_, true)) return;
    post_each([](ConnectionDriver& driver) { driver.close(); });
    pool_.join(deadline);
  }

  // After stop() the drivers may be read directly.
  Totals totals() const {
    Totals all;
    for (const auto& driver : drivers_) all.merge(driver->totals());
    return all;
  }

  unsigned connected() const {
    unsigned count = 0;
    for (const auto& driver : drivers_) count += driver->connected() ? 1 : 0;
    return count;
  }

 private:
  // The pool is declared first, so the drivers go before the io_contexts their callbacks need.
  net::IoContextPool pool_;
  std::vector<std::unique_ptr<ConnectionDriver>> drivers_;
  bool stopped_ = false;
};

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

  Fleet fleet(options.threads);

  // Each server gets `connections` connections; connection j prefills its slice of the keys.
  const std::uint64_t slice = (options.key_count + options.connections - 1) / options.connections;
  const std::uint64_t per_connection = options.requests / total;
  unsigned index = 0;
  for (const Target& server : options.servers) {
    for (unsigned j = 0; j < options.connections; ++j, ++index) {
      const std::uint64_t begin = options.prefill ? std::min(options.key_count, j * slice) : 0;
      const std::uint64_t end = options.prefill ? std::min(options.key_count, begin + slice) : 0;
      const std::uint64_t budget = per_connection + (index < options.requests % total ? 1 : 0);
      fleet.add(std::make_unique<ConnectionDriver>(shared, fleet.next_thread(), server, index,
                                                   begin, end, budget));
    }
  }

  // Connecting and the prefill end by themselves: every call has a deadline.
  RunResult result;
  const auto prefill_start = Clock::now();
  fleet.start();
  prefilled.wait_until(Clock::time_point::max());
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
    // Wakes for the progress line and the end; returns early only if every connection is
    // finished (counted runs, or every connection lost).
    if (finished.wait_until(std::min(until, next_report))) break;
    const auto now = Clock::now();
    if (now >= next_report) {
      if (progress) progress(std::chrono::duration<double>(now - from).count(), fleet.snapshot());
      next_report += std::chrono::seconds(1);
    }
  }
  const auto measured_end = Clock::now();

  // Drain: no new requests; whatever is still unanswered after the timeout is lost.
  fleet.post_each([](ConnectionDriver& d) { d.stop(); });
  finished.wait_until(Clock::now() + options.timeout + std::chrono::seconds(1));
  fleet.stop(Clock::now() + std::chrono::seconds(1));

  result.connections_opened = fleet.connected();
  if (result.connections_opened == 0) throw std::runtime_error("cannot connect to any server");
  result.totals = fleet.totals();
  result.seconds =
      timed ? options.duration : std::chrono::duration<double>(measured_end - start).count();
  return result;
}
//! [run-load]

}  // namespace mc::bench

#include "mc/bench/soak.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <random>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "mc/client/session.hpp"
#include "mc/common/asio.hpp"
#include "soak_faults.hpp"
#include "soak_lane.hpp"
#include "soak_server.hpp"
#include "soak_tasks.hpp"

namespace mc::bench::soak {

std::string_view op_name(Op op) {
  static constexpr std::array<std::string_view, kOpCount> kNames = {
      "set",  "add",       "cas", "append", "incr", "delete",    "get",
      "gets", "multi_get", "mg",  "ms",     "md",   "shared_set"};
  return kNames[static_cast<std::size_t>(op)];
}

void SoakResult::report(Problem problem, std::string description) {
  ++problems[static_cast<std::size_t>(problem)];
  if (examples.size() < 20) {
    examples.push_back(fmt::format("{}: {}", problem_name(problem), std::move(description)));
  }
}

void SoakResult::check(std::string name, bool passed, std::string detail) {
  checks.push_back({std::move(name), passed, std::move(detail)});
}

std::uint64_t SoakResult::problem_total() const {
  std::uint64_t total = 0;
  for (std::size_t p = 1; p < kProblemCount; ++p) total += problems[p];
  return total;
}

bool SoakResult::passed() const {
  return problem_total() == 0 &&
         std::all_of(checks.begin(), checks.end(), [](const auto& c) { return c.passed; });
}

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using detail::Lane;
using detail::TaskGroup;

Clock::duration seconds(double value) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(value));
}

// The counters of `stats` the checks read.
struct Counters {
  std::uint64_t cmd_get = 0, get_hits = 0, get_misses = 0, curr_connections = 0, curr_items = 0;
  bool read = false;
};

asio::awaitable<Counters> read_counters(client::Session& monitor) {
  Counters counters;
  const auto stats = co_await monitor.stats();
  if (!stats) co_return counters;
  for (const auto& stat : *stats) {
    std::uint64_t* field = stat.name == "cmd_get"            ? &counters.cmd_get
                           : stat.name == "get_hits"         ? &counters.get_hits
                           : stat.name == "get_misses"       ? &counters.get_misses
                           : stat.name == "curr_connections" ? &counters.curr_connections
                           : stat.name == "curr_items"       ? &counters.curr_items
                                                             : nullptr;
    if (field != nullptr) {
      std::from_chars(stat.value.data(), stat.value.data() + stat.value.size(), *field);
    }
  }
  counters.read = true;
  co_return counters;
}

// Bursts past -c need a descriptor per connection.
void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

class Soak {
 public:
  Soak(asio::io_context& io, const SoakOptions& options, detail::SoakServer& server,
       SoakResult& result)
      : io_(io), options_(options), server_(server), result_(result), started_(Clock::now()) {}

  asio::awaitable<void> run();

 private:
  client::SessionOptions session_options() const;
  asio::awaitable<void> prefill(client::Session& monitor);
  asio::awaitable<void> load_with_faults();
  asio::awaitable<Counters> quiet_pass(client::Session& monitor);
  void check_items(const Counters& after_pass);
  asio::awaitable<void> sample_rss(const bool& stop);
  asio::awaitable<void> run_all(std::vector<asio::awaitable<void>> tasks, Clock::duration limit,
                                std::string_view what);
  asio::awaitable<void> final_checks(client::Session& monitor, const Counters& baseline,
                                     const Counters& before_pass);
  void sample();

  asio::io_context& io_;
  const SoakOptions& options_;
  detail::SoakServer& server_;
  SoakResult& result_;
  Clock::time_point started_;
  std::vector<std::string> shared_;
  std::vector<std::unique_ptr<client::Session>> sessions_;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

void Soak::sample() {
  if (const auto kib = server_.rss_kib()) {
    result_.rss.push_back({std::chrono::duration<double>(Clock::now() - started_).count(), *kib});
  }
}

asio::awaitable<void> Soak::sample_rss(const bool& stop) {
  asio::steady_timer timer(io_);
  while (!stop) {
    sample();
    timer.expires_after(1s);
    co_await timer.async_wait(common::kUseTuple);
  }
}

// Runs `tasks` at once and waits for all of them; one still running after `limit` is a soak
// that hangs, which is a problem of its own.
asio::awaitable<void> Soak::run_all(std::vector<asio::awaitable<void>> tasks, Clock::duration limit,
                                    std::string_view what) {
  TaskGroup group(io_.get_executor());
  for (auto& task : tasks) group.spawn(std::move(task));
  if (!co_await group.wait(Clock::now() + limit)) {
    result_.report(Problem::kTransport,
                   fmt::format("{}: {} lanes never finished", what, group.live()));
    for (auto& session : sessions_) session->close();  // fails their calls: they end now
    co_await group.wait(Clock::now() + 10s);
  }
  if (group.failure()) std::rethrow_exception(group.failure());
}

//! [soak-run]
asio::awaitable<void> Soak::run() {
  const client::ServerAddress address{"127.0.0.1", server_.port()};
  client::Session monitor(io_, address, session_options());
  const Counters baseline = co_await read_counters(monitor);
  if (const auto version = co_await monitor.version()) result_.server_version = *version;
  bool stop_sampling = false;
  TaskGroup sampler(io_.get_executor());
  sampler.spawn(sample_rss(stop_sampling));

  co_await prefill(monitor);
  co_await load_with_faults();
  const Counters after_pass = co_await quiet_pass(monitor);
  check_items(after_pass);
  lanes_.clear();
  for (auto& session : sessions_) session->close();
  sessions_.clear();
  co_await final_checks(monitor, baseline, after_pass);

  stop_sampling = true;
  co_await sampler.wait(Clock::now() + 5s);
  sample();
  monitor.close();
}
//! [soak-run]

client::SessionOptions Soak::session_options() const {
  client::SessionOptions options;
  options.timeout = options_.timeout;
  return options;
}

// Opens the sessions, gives each its lanes, and stores every key once.
asio::awaitable<void> Soak::prefill(client::Session& monitor) {
  const client::ServerAddress address{"127.0.0.1", server_.port()};
  for (unsigned s = 0; s < options_.shared_keys; ++s) {
    shared_.push_back(fmt::format("soak:s:{}", s));
  }
  for (unsigned c = 0; c < options_.connections; ++c) {
    sessions_.push_back(std::make_unique<client::Session>(io_, address, session_options()));
    for (unsigned d = 0; d < options_.depth; ++d) {
      const detail::LaneSetup setup{static_cast<unsigned>(lanes_.size()), options_, shared_};
      lanes_.push_back(std::make_unique<Lane>(*sessions_.back(), setup, result_));
    }
  }
  // The first four shared keys hold the big values the reset fault asks for.
  for (std::size_t s = 0; s < shared_.size(); ++s) {
    const std::size_t size = s < 4 ? options_.big_value : 100;
    const auto stored = co_await monitor.set(shared_[s], make_record(shared_[s], 0, size));
    if (!stored || *stored != client::Status::kStored) {
      result_.report(Problem::kWrongReply, "set of a shared key before the load failed");
    }
  }
  std::vector<asio::awaitable<void>> tasks;
  for (auto& lane : lanes_) tasks.push_back(lane->prefill());
  co_await run_all(std::move(tasks), 60s, "prefill");
}

// The lanes and the faults side by side, for --duration.
asio::awaitable<void> Soak::load_with_faults() {
  const auto begin = Clock::now();
  const auto end = begin + seconds(options_.duration);
  std::vector<std::string> big_keys(shared_.begin(),
                                    shared_.begin() + std::min<std::size_t>(4, shared_.size()));
  detail::Faults faults(
      io_, server_.port(), options_, std::move(big_keys),
      [this](std::mt19937_64& rng) -> std::string {
        return lanes_[rng() % lanes_.size()]->some_key(rng);
      },
      result_);
  std::vector<asio::awaitable<void>> tasks;
  for (auto& lane : lanes_) tasks.push_back(lane->run(end));
  tasks.push_back(faults.run(end));
  co_await run_all(std::move(tasks), seconds(options_.duration + options_.stall_hold) + 60s,
                   "load");
  result_.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
}

// Every key read once while nothing else talks to the server: its get counters must move by
// exactly what this pass saw. Returns the counters after it.
asio::awaitable<Counters> Soak::quiet_pass(client::Session& monitor) {
  const Counters before = co_await read_counters(monitor);
  std::uint64_t reads = result_.key_reads, hits = result_.hits, misses = result_.misses;
  std::vector<asio::awaitable<void>> tasks;
  for (auto& lane : lanes_) tasks.push_back(lane->verify_all());
  co_await run_all(std::move(tasks), 60s, "final pass");
  const Counters after = co_await read_counters(monitor);
  const std::uint64_t cmd_get = after.cmd_get - before.cmd_get;
  const std::uint64_t get_hits = after.get_hits - before.get_hits;
  const std::uint64_t get_misses = after.get_misses - before.get_misses;
  reads = result_.key_reads - reads;
  hits = result_.hits - hits;
  misses = result_.misses - misses;
  result_.check("get counters moved by the final pass's reads exactly",
                cmd_get == reads && get_hits == hits && get_misses == misses,
                fmt::format("cmd_get +{} get_hits +{} get_misses +{}; read {} keys, {} hits, "
                            "{} misses",
                            cmd_get, get_hits, get_misses, reads, hits, misses));
  co_return after;
}

// After the quiet pass every lane knows what each of its keys holds, and the shared keys are
// never deleted. Without evictions the server must hold exactly those items: none more (a
// half-written set or a garbage line that stored something), none fewer.
void Soak::check_items(const Counters& after_pass) {
  std::size_t present = shared_.size();
  bool all_known = true;
  for (const auto& lane : lanes_) {
    const auto [count, known] = lane->known_present();
    present += count;
    all_known = all_known && known;
  }
  if (options_.evictions || !all_known) return;
  result_.check("curr_items is what the lanes know is stored", after_pass.curr_items == present,
                fmt::format("curr_items {}, lanes know of {}", after_pass.curr_items, present));
}

asio::awaitable<void> Soak::final_checks(client::Session& monitor, const Counters& baseline,
                                         const Counters& after_pass) {
  result_.check("get counters add up",
                after_pass.cmd_get == after_pass.get_hits + after_pass.get_misses,
                fmt::format("cmd_get {} = get_hits {} + get_misses {}", after_pass.cmd_get,
                            after_pass.get_hits, after_pass.get_misses));
  // mg counts as a get in memcached's stats too, but faults send gets of their own: at least
  // what the lanes read, then.
  const std::uint64_t sent = result_.key_reads;
  result_.check(
      "cmd_get counts every key the lanes read", after_pass.cmd_get - baseline.cmd_get >= sent,
      fmt::format("cmd_get +{}, lanes read {} keys", after_pass.cmd_get - baseline.cmd_get, sent));

  // Closed connections leave the server's count as the server notices them: poll, bounded.
  Counters now = co_await read_counters(monitor);
  asio::steady_timer timer(io_);
  for (const auto deadline = Clock::now() + 5s;
       now.curr_connections != baseline.curr_connections && Clock::now() < deadline;) {
    timer.expires_after(100ms);
    co_await timer.async_wait(common::kUseTuple);
    now = co_await read_counters(monitor);
  }
  result_.check("curr_connections back to baseline",
                baseline.read && now.read && now.curr_connections == baseline.curr_connections,
                fmt::format("{} at the start, {} at the end", baseline.curr_connections,
                            now.curr_connections));
}

}  // namespace

SoakResult run_soak(const SoakOptions& options) {
  raise_descriptor_limit();
  SoakResult result;
  detail::SoakServer server(options);
  {
    asio::io_context io;
    Soak soak(io, options, server, result);
    std::exception_ptr failure;
    asio::co_spawn(io, soak.run(), [&failure](std::exception_ptr error) { failure = error; });
    io.run();
    if (failure) std::rethrow_exception(failure);
  }
  std::uint64_t max_kib = 0;
  for (const auto& sample : result.rss) max_kib = std::max(max_kib, sample.kib);
  result.check(fmt::format("RSS at most {} MiB", options.rss_bound_mib()),
               max_kib <= options.rss_bound_mib() * 1024,
               fmt::format("largest {:.1f} MiB", static_cast<double>(max_kib) / 1024));

  const auto before = Clock::now();
  const auto status = server.terminate(options.sigterm_within);
  const double took = std::chrono::duration<double>(Clock::now() - before).count();
  const double within = std::chrono::duration<double>(options.sigterm_within).count();
  result.check(fmt::format("SIGTERM: exit status 0 within {:g} s", within), status && *status == 0,
               status ? fmt::format("status {} after {:.3f} s", *status, took)
                      : fmt::format("still running after {:g} s: killed", within));
  if (!result.passed()) {
    const std::string err = server.stderr_text();
    if (!err.empty()) {
      result.examples.push_back("server stderr (end): " +
                                err.substr(err.size() > 400 ? err.size() - 400 : 0));
    }
  }
  return result;
}

}  // namespace mc::bench::soak

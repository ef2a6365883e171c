#include "connection_driver.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

namespace mc::bench::detail {

namespace {

// The prefill is not measured, so it may pipeline deeply: it only has to be quick.
constexpr std::size_t kPrefillDepth = 64;

// Errors after which the session has no connection to go on with.
bool connection_gone(std::error_code error) {
  return error == client::Error::kConnectionLost || error == client::Error::kNotConnected ||
         error == client::Error::kSessionClosed || error == client::Error::kUnexpectedReply;
}

}  // namespace

ConnectionDriver::ConnectionDriver(const Shared& shared, asio::io_context& io, const Target& server,
                                   unsigned index, std::uint64_t prefill_begin,
                                   std::uint64_t prefill_end, std::uint64_t budget)
    : shared_(shared),
      io_(io),
      server_(server),
      // Sequential walks start spread over the key space, so connections do not move in step.
      chooser_(shared.options.key_pattern, shared.options.key_count, shared.options.seed + index,
               shared.options.key_count / std::max(shared.options.connections, 1u) * index,
               shared.zipf),
      next_prefill_(prefill_begin),
      prefill_end_(prefill_end),
      budget_(budget),
      has_budget_(shared.options.requests > 0),
      multiget_names_(shared.options.multiget) {}

//! [open]
void ConnectionDriver::open() {
  client::SessionOptions options;
  options.timeout = shared_.options.timeout;  // every call's deadline: a late reply is a timeout
  options.connect_timeout = shared_.options.timeout;
  // The generator sends exactly the workload: no idle pings, and no reconnecting behind our
  // back (a lost connection ends this driver, see give_up()).
  options.heartbeat_interval = options.heartbeat_timeout = std::chrono::milliseconds(0);
  options.tls = shared_.options.tls;
  session_.emplace(io_, client::ServerAddress{server_.host, server_.port}, options);
  // Calls made before the connection is up wait for it, so the prefill can start now.
  phase_ = Phase::kPrefill;
  fill(Clock::now());
}
//! [open]

void ConnectionDriver::start_run(Clock::time_point from, Clock::time_point until) {
  if (phase_ == Phase::kDone) return;
  measure_from_ = from;
  measure_until_ = until;
  phase_ = Phase::kRun;
  fill(Clock::now());
}

void ConnectionDriver::stop() {
  stopping_ = true;
  if (in_flight_ == 0) report_finished();
}

void ConnectionDriver::close() {
  phase_ = Phase::kDone;
  if (session_) connected_ = session_->counters().connects.load() > 0;
  // Destroyed on its own thread; the calls still pending complete (as lost) before the thread
  // ends, and the thread ends before the driver does (Fleet::stop joins it).
  session_.reset();
}

//! [fill]
// Tops the pipeline up. Called after each completed call, so a connection always has
// `--pipeline` requests in flight: a closed loop, as memtier_benchmark runs.
void ConnectionDriver::fill(Clock::time_point now) {
  if (std::exchange(filling_, true)) return;  // the loop below is already running
  if (phase_ == Phase::kPrefill) {
    while (phase_ == Phase::kPrefill && in_flight_ < kPrefillDepth &&
           next_prefill_ < prefill_end_) {
      send_set(next_prefill_++, now, false);
    }
    if (phase_ == Phase::kPrefill && in_flight_ == 0) {
      phase_ = Phase::kIdle;
      report_prefilled();
    }
  }
  while (phase_ == Phase::kRun && !stopping_ && in_flight_ < shared_.options.pipeline) {
    if (has_budget_) {
      if (budget_ == 0) {
        stopping_ = true;
        break;
      }
      --budget_;
    }
    send_next(now);
  }
  filling_ = false;
  if ((stopping_ || phase_ == Phase::kDone) && in_flight_ == 0) report_finished();
}
//! [fill]

void ConnectionDriver::send_next(Clock::time_point now) {
  const auto& options = shared_.options;
  const bool measured = now >= measure_from_ && now < measure_until_;
  // SET:GET as a fixed interleaving (1:10 is one set, then ten gets) rather than a coin toss:
  // every window of the run sees the same mix.
  const bool is_set = mix_counter_++ % (options.set_ratio + options.get_ratio) < options.set_ratio;
  if (is_set) {
    send_set(chooser_.next(), now, measured);
  } else if (options.multiget == 1) {
    send_get(now, measured);
  } else {
    send_multiget(now, measured);
  }
}

//! [calls]
// Each call hands the session a callback: the Session (chapter 5) writes the request with
// whatever else is queued, matches the reply, enforces the deadline, and calls back on this
// thread exactly once.
void ConnectionDriver::send_set(std::uint64_t key, Clock::time_point now, bool measured) {
  key_.clear();
  append_key(key_, shared_.options.key_prefix, key);
  ++in_flight_;
  session_->set(key_, shared_.values.value_of(key), {},
                [this, now, measured](client::Result<client::Status> stored) {
                  --in_flight_;
                  if (!answered(stored.error())) return;
                  const bool ok = stored && *stored == client::Status::kStored;
                  if (stored && !ok) ++totals_.errors;  // NOT_STORED: nothing else should do
                  if (ok && phase_ == Phase::kPrefill) ++totals_.prefilled;
                  record(now, measured, false, 0, 0);
                });
}

void ConnectionDriver::send_get(Clock::time_point now, bool measured) {
  const std::uint64_t key = chooser_.next();
  key_.clear();
  append_key(key_, shared_.options.key_prefix, key);
  ++in_flight_;
  session_->get(key_, {},
                [this, key, now, measured](client::Result<std::optional<client::Item>> item) {
                  --in_flight_;
                  if (!answered(item.error())) return;
                  const bool hit = item && *item;
                  if (hit) check(key, **item);
                  record(now, measured, true, 1, hit ? 1 : 0);
                });
}
//! [calls]

void ConnectionDriver::send_multiget(Clock::time_point now, bool measured) {
  std::string_view names[100];  // --multiget is at most 100
  const unsigned count = shared_.options.multiget;
  std::vector<std::uint64_t> asked;  // only kept for --verify
  for (unsigned i = 0; i < count; ++i) {
    const std::uint64_t key = chooser_.next();
    multiget_names_[i].clear();
    append_key(multiget_names_[i], shared_.options.key_prefix, key);
    names[i] = multiget_names_[i];
    if (shared_.options.verify) asked.push_back(key);
  }
  ++in_flight_;
  session_->get_multi(std::span<const std::string_view>(names, count), {},
                      [this, asked = std::move(asked), count, now,
                       measured](client::Result<std::vector<client::Item>> items) {
                        --in_flight_;
                        if (!answered(items.error())) return;
                        const std::uint64_t hits =
                            items ? std::min<std::uint64_t>(items->size(), count) : 0;
                        if (items && shared_.options.verify) {
                          for (const auto& item : *items) check(asked, item);
                        }
                        record(now, measured, true, count, hits);
                      });
}

//! [verify]
// The item must be the key we asked for, with the value every writer stores for it.
void ConnectionDriver::check(std::uint64_t asked, const client::Item& item) {
  if (!shared_.options.verify) return;
  std::uint64_t key = 0;
  const bool good =
      parse_key(item.key, shared_.options.key_prefix, shared_.options.key_count, key) &&
      key == asked && item.flags == 0 && item.value == shared_.values.value_of(key);
  if (!good) ++totals_.verify_errors;
}
//! [verify]

void ConnectionDriver::check(const std::vector<std::uint64_t>& asked, const client::Item& item) {
  std::uint64_t key = 0;
  const bool found =
      parse_key(item.key, shared_.options.key_prefix, shared_.options.key_count, key) &&
      std::find(asked.begin(), asked.end(), key) != asked.end();
  if (found) {
    check(key, item);
  } else {
    ++totals_.verify_errors;
  }
}

// Counts a call's failure, if it failed. True if the server answered (an error reply, such as
// SERVER_ERROR out of memory, is an answer: it counts as an error and as a request); false if
// it did not, a timeout or a lost connection, and then the pipeline is topped up here.
bool ConnectionDriver::answered(std::error_code error) {
  if (!error) return true;
  if (error == client::Error::kTimeout) {
    ++totals_.timeouts;
  } else if (error == client::Error::kNotConnected && session_ &&
             session_->counters().connects.load() == 0) {
    ++totals_.connect_failures;  // never connected: the server is down, or not there
    give_up();
  } else if (connection_gone(error)) {
    // Lost with the connection; when the drain deadline closed it, the reply was late.
    ++(stopping_ ? totals_.timeouts : totals_.errors);
    give_up();
  } else {
    ++totals_.errors;
    return true;
  }
  fill(Clock::now());
  return false;
}

void ConnectionDriver::record(Clock::time_point sent, bool measured, bool is_get,
                              std::uint64_t keys, std::uint64_t hits) {
  const auto now = Clock::now();
  if (measured) {
    ++totals_.requests;
    if (is_get) {
      ++totals_.gets;
      totals_.keys_requested += keys;
      totals_.hits += hits;
    } else {
      ++totals_.sets;
    }
    totals_.latency.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - sent).count()));
  }
  fill(now);  // the reply's time is the next request's send time: one clock read, not two
}

// The connection is gone: the session is closed (no reconnecting in the middle of a
// measurement), every call still pending completes as lost, and the driver reports itself done.
void ConnectionDriver::give_up() {
  phase_ = Phase::kDone;
  if (session_) session_->close();
  report_prefilled();
  if (in_flight_ == 0) report_finished();
}

void ConnectionDriver::report_prefilled() {
  if (std::exchange(prefill_reported_, true)) return;
  shared_.prefilled.arrive();
}

void ConnectionDriver::report_finished() {
  if (std::exchange(finish_reported_, true)) return;
  shared_.finished.arrive();
}

}  // namespace mc::bench::detail

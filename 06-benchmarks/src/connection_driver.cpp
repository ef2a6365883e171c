#include "connection_driver.hpp"

#include <algorithm>
#include <any>
#include <charconv>
#include <variant>

namespace mc::bench::detail {

namespace {

// The prefill is not measured, so it may pipeline deeply: it only has to be quick.
constexpr std::size_t kPrefillDepth = 64;

}  // namespace

void Countdown::arrive() {
  std::lock_guard lock(mutex_);
  if (count_ > 0 && --count_ == 0) zero_.notify_all();
}

bool Countdown::wait_until(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return zero_.wait_until(lock, deadline, [this] { return count_ == 0; });
}

ConnectionDriver::ConnectionDriver(const Shared& shared, unsigned index,
                                   std::uint64_t prefill_begin, std::uint64_t prefill_end,
                                   std::uint64_t budget)
    : shared_(shared),
      // Sequential walks start spread over the key space, so connections do not move in step.
      chooser_(shared.options.key_pattern, shared.options.key_count, shared.options.seed + index,
               shared.options.key_count / std::max(shared.options.connections, 1u) * index,
               shared.zipf),
      next_prefill_(prefill_begin),
      prefill_end_(prefill_end),
      budget_(budget),
      has_budget_(shared.options.requests > 0) {}

ConnectionDriver* ConnectionDriver::of(Connection& connection) {
  auto* driver = std::any_cast<ConnectionDriver*>(&connection.context());
  return driver ? *driver : nullptr;
}

void ConnectionDriver::attach(Connection::Pointer connection) {
  connection_ = std::move(connection);
  connection_->context() = this;
  phase_ = Phase::kPrefill;
  fill(Clock::now());
}

void ConnectionDriver::connect_failed() {
  ++totals_.connect_failures;
  phase_ = Phase::kDone;
  report_prefilled();
  report_finished();
}

void ConnectionDriver::start_run(Clock::time_point from, Clock::time_point until) {
  if (phase_ == Phase::kDone) return;
  measure_from_ = from;
  measure_until_ = until;
  phase_ = Phase::kRun;
  fill(Clock::now());
}

void ConnectionDriver::stop() {
  stopping_ = true;
  if (in_flight_.empty()) report_finished();
}

//! [fill]
// Tops the pipeline up. Called after each completed reply, so a connection always has
// `--pipeline` requests in flight: a closed loop, as memtier_benchmark runs.
void ConnectionDriver::fill(Clock::time_point now) {
  if (phase_ == Phase::kPrefill) {
    while (in_flight_.size() < kPrefillDepth && next_prefill_ < prefill_end_) {
      send_set(next_prefill_++, now, false);
    }
    if (in_flight_.empty()) {
      phase_ = Phase::kIdle;
      report_prefilled();
    }
    return;
  }
  if (phase_ != Phase::kRun) return;
  while (!stopping_ && in_flight_.size() < shared_.options.pipeline) {
    if (has_budget_) {
      if (budget_ == 0) {
        stopping_ = true;
        break;
      }
      --budget_;
    }
    send_next(now);
  }
  if (stopping_ && in_flight_.empty()) report_finished();
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
  } else {
    send_get(now, measured);
  }
}

void ConnectionDriver::send_set(std::uint64_t key, Clock::time_point now, bool measured) {
  const std::string_view value = shared_.values.value_of(key);
  codec::OutRequest request;
  request.line.append("set ");
  append_key(request.line, shared_.options.key_prefix, key);
  request.line.append(" 0 0 ");
  char digits[20];
  request.line.append(digits, std::to_chars(digits, digits + sizeof digits, value.size()).ptr);
  request.line.append("\r\n");
  // The value is a view into the ValueSource, which outlives the client: no keep_alive needed.
  request.data = value;
  request.has_data = true;
  in_flight_.push_back({Kind::kSet, measured, 0, 0, now});
  connection_->send(std::move(request));
}

void ConnectionDriver::send_get(Clock::time_point now, bool measured) {
  const auto& options = shared_.options;
  codec::OutRequest request;
  request.line.append("get");
  for (unsigned i = 0; i < options.multiget; ++i) {
    const std::uint64_t key = chooser_.next();
    request.line.push_back(' ');
    append_key(request.line, options.key_prefix, key);
    get_keys_.push_back(key);
  }
  request.line.append("\r\n");
  in_flight_.push_back({Kind::kGet, measured, options.multiget, 0, now});
  connection_->send(std::move(request));
}

//! [on-message]
// Replies come in request order, so each piece belongs to the oldest request in flight. A get
// is answered by VALUE pieces and END; a set by one status line; any request by an error line.
void ConnectionDriver::on_message(const codec::Response& response) {
  if (in_flight_.empty()) {  // a reply to nothing: the stream is out of step
    ++totals_.errors;
    abandon(totals_.errors);
    return;
  }
  InFlight& oldest = in_flight_.front();
  const bool is_get = oldest.kind == Kind::kGet;
  if (const auto* value = std::get_if<codec::ValueResponse>(&response); value && is_get) {
    on_value(oldest, *value);
  } else if (std::holds_alternative<codec::EndResponse>(response) && is_get) {
    complete(true);
  } else if (const auto* status = std::get_if<codec::StatusResponse>(&response);
             status && !is_get) {
    complete(status->status == codec::Status::kStored);
  } else if (std::holds_alternative<codec::ErrorResponse>(response)) {
    complete(false);  // CLIENT_ERROR, SERVER_ERROR out of memory...: answered, but failed
  } else {
    abandon(totals_.errors);  // a reply of the wrong kind: the stream is out of step
  }
}
//! [on-message]

//! [verify]
void ConnectionDriver::on_value(InFlight& request, const codec::ValueResponse& value) {
  ++request.values;
  if (!shared_.options.verify) return;
  // The key must be one we asked for, and its value the one every writer stores for it.
  const auto& options = shared_.options;
  std::uint64_t key = 0;
  const auto asked = get_keys_.begin();
  const bool good = request.values <= request.keys &&
                    parse_key(value.key, options.key_prefix, options.key_count, key) &&
                    std::find(asked, asked + request.keys, key) != asked + request.keys &&
                    value.flags == 0 && value.data == shared_.values.value_of(key);
  if (!good) ++totals_.verify_errors;
}
//! [verify]

void ConnectionDriver::complete(bool ok) {
  const auto now = Clock::now();
  const InFlight done = in_flight_.front();
  in_flight_.pop_front();
  if (done.kind == Kind::kGet) {
    get_keys_.erase(get_keys_.begin(), get_keys_.begin() + done.keys);
  }
  if (!ok) ++totals_.errors;
  if (phase_ == Phase::kPrefill && ok) ++totals_.prefilled;
  if (done.measured) {
    ++totals_.requests;
    if (done.kind == Kind::kGet) {
      ++totals_.gets;
      totals_.keys_requested += done.keys;
      totals_.hits += std::min(done.values, done.keys);
    } else {
      ++totals_.sets;
    }
    totals_.latency.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - done.sent).count()));
  }
  fill(now);  // the reply's time is the next request's send time: one clock read, not two
}

void ConnectionDriver::check_timeouts(Clock::time_point now) {
  if (phase_ == Phase::kDone || in_flight_.empty()) return;
  if (now - in_flight_.front().sent < shared_.options.timeout) return;
  abandon(totals_.timeouts);
}

void ConnectionDriver::on_close() {
  if (phase_ == Phase::kDone) return;
  // Closed by the server, or by the client's stop after the drain deadline (then the requests
  // still out were late, not refused).
  abandon(stopping_ ? totals_.timeouts : totals_.errors);
}

// The connection is useless from here: a reply went missing or out of order, or it closed.
// Every request still in flight is lost and counted in `lost`; the driver reports itself done.
void ConnectionDriver::abandon(std::uint64_t& lost) {
  lost += in_flight_.size();
  in_flight_.clear();
  get_keys_.clear();
  phase_ = Phase::kDone;
  if (connection_) connection_->close();
  report_prefilled();
  report_finished();
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

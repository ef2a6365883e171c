#include "lookaside_connection.hpp"

#include <chrono>
#include <utility>

namespace mc::bench::detail {

namespace {

// Errors after which the session has no connection to go on with.
bool connection_gone(std::error_code error) {
  return error == client::Error::kConnectionLost || error == client::Error::kNotConnected ||
         error == client::Error::kSessionClosed || error == client::Error::kUnexpectedReply;
}

}  // namespace

LookasideConnection::LookasideConnection(const LookasideShared& shared, asio::io_context& io,
                                         unsigned index, std::uint64_t budget, std::uint64_t warmup)
    : shared_(shared),
      io_(io),
      random_(shared.options.seed + index),
      budget_(budget),
      warmup_(warmup) {
  counts_.phase_gets.resize(shared.options.phases);
  counts_.phase_hits.resize(shared.options.phases);
}

void LookasideConnection::start() {
  client::SessionOptions options;
  options.timeout = shared_.options.timeout;
  options.connect_timeout = shared_.options.timeout;
  // Exactly the workload: no idle pings, and no reconnecting behind our back (give_up()).
  options.heartbeat_interval = options.heartbeat_timeout = std::chrono::milliseconds(0);
  session_.emplace(io_, client::ServerAddress{"127.0.0.1", shared_.options.port}, options);
  // Look-ups started before the connection is up wait for it.
  for (unsigned i = 0; i < shared_.options.depth; ++i) {
    ++active_;
    look_up();
  }
}

void LookasideConnection::close() {
  if (session_) connected_ = session_->counters().connects.load() > 0;
  // Destroyed on its own thread; pending calls complete (as lost) before the thread ends.
  session_.reset();
}

//! [look-up]
// One look-up of the application's cache: ask for the key; on a miss the application makes the
// value (here: takes it from the shared text) and stores it for the next reader. Each look-up
// starts the next when it ends, so `--depth` of them are always running.
void LookasideConnection::look_up() {
  if (!more_to_send()) {
    finish_one();
    return;
  }
  const std::uint64_t key = shared_.zipf.sample(random_.uniform());
  const unsigned phase = current_phase();
  const bool measured = sent_++ >= warmup_;
  key_.clear();
  append_key(key_, shared_.options.key_prefix, key);
  session_->get(key_, {},
                [this, key, phase, measured](client::Result<std::optional<client::Item>> item) {
                  on_get(key, phase, measured, std::move(item));
                });
}

void LookasideConnection::on_get(std::uint64_t key, unsigned phase, bool measured,
                                 client::Result<std::optional<client::Item>> item) {
  if (!item) {
    ++counts_.get_errors;
    if (connection_gone(item.error())) give_up();
    look_up();
    return;
  }
  const bool hit = item->has_value();
  if (!measured) {
    ++counts_.warmup_gets;
  } else {
    ++counts_.gets;
    ++counts_.phase_gets[phase];
    ++(hit ? counts_.hits : counts_.misses);
    if (hit) ++counts_.phase_hits[phase];
  }
  key_.clear();
  append_key(key_, shared_.options.key_prefix, key);
  if (hit) {
    if (!expected(key, **item)) ++counts_.bad_values;
    look_up();
    return;
  }
  client::StoreOptions store;
  store.exptime = shared_.profile.ttl_seconds(key);
  const auto value = shared_.text.substr(0, shared_.profile.value_size(key, phase));
  session_->set(key_, value, store, [this, measured](client::Result<client::Status> stored) {
    on_set(measured, stored);
  });
}
//! [look-up]

void LookasideConnection::on_set(bool measured, client::Result<client::Status> stored) {
  if (measured) {
    ++counts_.sets;
    // SERVER_ERROR out of memory, a timeout or a lost connection: the value was not cached.
    if (!stored || *stored != client::Status::kStored) ++counts_.set_errors;
  }
  if (!stored && connection_gone(stored.error())) give_up();
  look_up();
}

bool LookasideConnection::more_to_send() const {
  if (gave_up_) return false;
  if (shared_.options.requests > 0 && sent_ >= budget_) return false;
  return Clock::now() < shared_.stop_at;
}

// Counted runs move through the phases by the gets sent, so that a seed gives every connection
// the same sequence of keys and sizes whatever the machine's speed; timed runs by the clock.
// The phases divide the measured gets: the warm-up fills the cache with the first phase's mix,
// and every shift of the mix happens while the hit ratio is being counted.
unsigned LookasideConnection::current_phase() const {
  const auto& options = shared_.options;
  if (options.requests > 0) {
    if (sent_ < warmup_) return 0;
    return phase_at(static_cast<double>(sent_ - warmup_), static_cast<double>(budget_ - warmup_),
                    options.phases);
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - shared_.start).count();
  return phase_at(elapsed, options.duration, options.phases);
}

// A hit must be the key asked for, holding a value of a size this key has in some phase (it
// may have been stored in an earlier one), with the bytes every writer stores.
bool LookasideConnection::expected(std::uint64_t key, const client::Item& item) const {
  if (item.key != key_ || item.flags != 0) return false;
  for (unsigned phase = 0; phase < shared_.options.phases; ++phase) {
    const std::size_t size = shared_.profile.value_size(key, phase);
    if (item.value.size() == size) return item.value == shared_.text.substr(0, size);
  }
  return false;
}

// The connection is gone: close the session (no reconnecting in the middle of a measurement);
// the calls still pending complete as lost and end their look-ups.
void LookasideConnection::give_up() {
  if (std::exchange(gave_up_, true)) return;
  if (session_) session_->close();
}

void LookasideConnection::finish_one() {
  if (--active_ > 0 || std::exchange(finish_reported_, true)) return;
  shared_.finished.arrive();
}

}  // namespace mc::bench::detail

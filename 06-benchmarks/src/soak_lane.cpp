// The lane: the keys it owns, how it judges a reply, and its reads (its writes are in
// soak_lane_writes.cpp).

#include "soak_lane.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

namespace mc::bench::soak::detail {

namespace {

using State = Expected::State;
using client::MetaStatus;
using client::Status;

constexpr std::size_t kCounters = 4;

}  // namespace

std::string_view reply_name(Status status) {
  switch (status) {
    case Status::kStored:
      return "STORED";
    case Status::kNotStored:
      return "NOT_STORED";
    case Status::kExists:
      return "EXISTS";
    case Status::kNotFound:
      return "NOT_FOUND";
    case Status::kDeleted:
      return "DELETED";
    default:
      return "another status";
  }
}

std::string_view reply_name(MetaStatus status) {
  constexpr std::string_view kNames[] = {"HD", "VA", "EN", "NS", "EX", "NF", "MN"};
  return kNames[static_cast<std::size_t>(status)];
}

namespace {

// A value in a problem report: its start, and its length when it is long.
std::string shorten(std::string_view value) {
  if (value.size() <= 48) return std::string(value);
  return fmt::format("{}... ({} bytes)", value.substr(0, 48), value.size());
}

std::string describe(const Expected& expected) {
  switch (expected.state) {
    case State::kAbsent:
      return "nothing";
    case State::kUnknown:
      return "unknown";
    case State::kPresent:
      break;
  }
  return fmt::format("'{}' flags {}", shorten(expected.value), expected.flags);
}

}  // namespace

Lane::Lane(client::Session& session, const LaneSetup& setup, SoakResult& result)
    : session_(session),
      setup_(setup),
      result_(result),
      rng_(setup.options.seed * 7919 + setup.id) {
  for (unsigned i = 0; i < setup.options.keys_per_lane; ++i) {
    keys_.push_back(fmt::format("soak:{}:{}", setup.id, i));
  }
  expected_.resize(keys_.size());
  for (std::size_t c = 0; c < kCounters; ++c) {
    counters_.push_back(fmt::format("soak:{}:n{}", setup.id, c));
  }
  counter_expected_.resize(counters_.size());
}

std::pair<std::size_t, bool> Lane::known_present() const {
  std::size_t present = 0;
  bool all_known = true;
  for (const auto* states : {&expected_, &counter_expected_}) {
    for (const Expected& expected : *states) {
      present += expected.state == State::kPresent ? 1 : 0;
      all_known = all_known && expected.state != State::kUnknown;
    }
  }
  return {present, all_known};
}

const std::string& Lane::some_key(std::mt19937_64& rng) const {
  return keys_[rng() % keys_.size()];
}

std::string Lane::next_value(std::size_t i) {
  const std::size_t size = 40 + rng_() % setup_.options.max_value;
  return make_record(keys_[i], ++version_, size);
}

std::uint32_t Lane::flags_of(std::uint64_t version) const {
  return static_cast<std::uint32_t>(version * 2654435761u + setup_.id);
}

void Lane::judge_hit(const std::string& key, Expected& expected, std::string_view value,
                     std::uint32_t flags) {
  ++result_.key_reads;
  ++result_.hits;
  const Problem problem = check_hit(key, expected, value, flags);
  if (problem != Problem::kNone) {
    result_.report(problem, fmt::format("{}: expected {}, read '{}' flags {}", key,
                                        describe(expected), shorten(value), flags));
  }
  // Once read, a whole value of this key is what is there (a later read must not go back).
  if (expected.state == State::kUnknown && problem == Problem::kNone) {
    expected = Expected::present(std::string(value), flags);
  }
}

void Lane::judge_miss(const std::string& key, Expected& expected) {
  ++result_.key_reads;
  ++result_.misses;
  const Problem problem = check_miss(expected, setup_.options.evictions);
  if (problem != Problem::kNone) {
    result_.report(problem, fmt::format("{}: expected {}, got a miss", key, describe(expected)));
  }
  expected = Expected::absent();
}

void Lane::judge_shared(const std::string& key, const std::string* value) {
  ++result_.key_reads;
  if (value == nullptr) {
    ++result_.misses;
    // Shared keys are stored before the load and never deleted.
    if (!setup_.options.evictions) {
      result_.report(Problem::kUnexpectedMiss, fmt::format("{}: shared key missing", key));
    }
    return;
  }
  ++result_.hits;
  const Problem problem = check_shared(key, *value);
  if (problem != Problem::kNone) {
    result_.report(problem, fmt::format("{}: read '{}'", key, shorten(*value)));
  }
}

void Lane::wrong_reply(const std::string& key, std::string_view command, std::string_view got) {
  result_.report(Problem::kWrongReply, fmt::format("{} {}: answered {}", command, key, got));
}

bool Lane::failed(std::error_code error, const std::string& key, std::string_view command) {
  if (!error) return false;
  const bool lost = client::is_unreachable(error) || error == client::Error::kNotConnected ||
                    error == client::Error::kSessionClosed;
  result_.report(lost ? Problem::kTransport : Problem::kWrongReply,
                 fmt::format("{} {}: {}", command, key, error.message()));
  return true;
}

asio::awaitable<void> Lane::prefill() {
  for (std::size_t i = 0; i < keys_.size(); ++i) co_await set(i);
  for (std::size_t c = 0; c < counters_.size(); ++c) {
    const std::string value = std::to_string(kCounterStart);
    const auto stored = co_await session_.set(counters_[c], value);
    if (failed(stored.error(), counters_[c], "set")) {
      counter_expected_[c] = Expected::unknown();
    } else {
      counter_expected_[c] = Expected::present(value, 0);
    }
  }
}

asio::awaitable<void> Lane::run(std::chrono::steady_clock::time_point end) {
  while (std::chrono::steady_clock::now() < end) co_await one_command();
}

asio::awaitable<void> Lane::verify_all() {
  for (std::size_t i = 0; i < keys_.size(); ++i) co_await get(i, false);
  for (std::size_t c = 0; c < counters_.size(); ++c) co_await get_counter(c);
}

//! [command-mix]
asio::awaitable<void> Lane::one_command() {
  const std::size_t i = rng_() % keys_.size();
  const unsigned dice = rng_() % 100;
  if (dice < 16) {
    co_await set(i);
  } else if (dice < 21) {
    co_await add(i);
  } else if (dice < 29) {
    co_await cas(i);
  } else if (dice < 36) {
    co_await append(i);
  } else if (dice < 43) {
    co_await incr(rng_() % counters_.size());
  } else if (dice < 49) {
    co_await remove(i);
  } else if (dice < 63) {
    co_await get(i, false);
  } else if (dice < 68) {
    co_await get(i, true);
  } else if (dice < 78) {
    co_await multi_get();
  } else if (dice < 86) {
    co_await meta_get(i);
  } else if (dice < 92) {
    co_await meta_set(i);
  } else if (dice < 96) {
    co_await meta_delete(i);
  } else {
    co_await shared_set();
  }
}
//! [command-mix]

asio::awaitable<void> Lane::get_counter(std::size_t c) {
  const auto item = co_await session_.get(counters_[c]);
  ++result_.ops[static_cast<std::size_t>(Op::kGet)];
  if (failed(item.error(), counters_[c], "get")) co_return;
  if (item->has_value()) {
    judge_hit(counters_[c], counter_expected_[c], (*item)->value, (*item)->flags);
  } else {
    judge_miss(counters_[c], counter_expected_[c]);
  }
}

asio::awaitable<void> Lane::get(std::size_t i, bool with_cas) {
  const std::string& key = keys_[i];
  // Not `with_cas ? co_await a : co_await b`: g++ 12 destroys such a result twice.
  client::Result<std::optional<client::Item>> item;
  if (with_cas) {
    item = co_await session_.gets(key);
  } else {
    item = co_await session_.get(key);
  }
  ++result_.ops[static_cast<std::size_t>(with_cas ? Op::kGets : Op::kGet)];
  if (failed(item.error(), key, with_cas ? "gets" : "get")) co_return;
  if (!item->has_value()) {
    judge_miss(key, expected_[i]);
    co_return;
  }
  if (with_cas && (*item)->cas == 0) wrong_reply(key, "gets", "no cas unique");
  judge_hit(key, expected_[i], (*item)->value, (*item)->flags);
}

asio::awaitable<void> Lane::multi_get() {
  // Up to 8 owned keys, one counter and two shared keys, all different.
  std::vector<std::string> keys;
  std::vector<std::size_t> owned;
  for (int n = 0; n < 8; ++n) {
    const std::size_t i = rng_() % keys_.size();
    if (std::find(owned.begin(), owned.end(), i) == owned.end()) owned.push_back(i);
  }
  for (const std::size_t i : owned) keys.push_back(keys_[i]);
  const std::size_t counter = rng_() % counters_.size();
  keys.push_back(counters_[counter]);
  const std::size_t shared_first = rng_() % setup_.shared.size();
  const std::size_t shared_second = (shared_first + 1) % setup_.shared.size();
  keys.push_back(setup_.shared[shared_first]);
  if (shared_second != shared_first) keys.push_back(setup_.shared[shared_second]);

  const auto items = co_await session_.get_multi(std::span<const std::string>(keys));
  ++result_.ops[static_cast<std::size_t>(Op::kMultiGet)];
  if (failed(items.error(), keys.front(), "multi-get")) co_return;
  std::vector<const client::Item*> found(keys.size(), nullptr);
  for (const client::Item& item : *items) {
    const auto at = std::find(keys.begin(), keys.end(), item.key);
    if (at == keys.end() || found[at - keys.begin()] != nullptr) {
      wrong_reply(item.key, "multi-get", "a key that was not asked for, or twice");
      continue;
    }
    found[at - keys.begin()] = &item;
  }
  for (std::size_t n = 0; n < keys.size(); ++n) {
    const client::Item* item = found[n];
    if (n < owned.size()) {
      Expected& expected = expected_[owned[n]];
      if (item != nullptr) {
        judge_hit(keys[n], expected, item->value, item->flags);
      } else {
        judge_miss(keys[n], expected);
      }
    } else if (n == owned.size()) {
      if (item != nullptr) {
        judge_hit(keys[n], counter_expected_[counter], item->value, item->flags);
      } else {
        judge_miss(keys[n], counter_expected_[counter]);
      }
    } else {
      judge_shared(keys[n], item != nullptr ? &item->value : nullptr);
    }
  }
}

asio::awaitable<void> Lane::meta_get(std::size_t i) {
  const std::string& key = keys_[i];
  const auto reply = co_await session_.meta_get(key, "v f");
  ++result_.ops[static_cast<std::size_t>(Op::kMetaGet)];
  if (failed(reply.error(), key, "mg")) co_return;
  if (reply->status == MetaStatus::kEn) {
    judge_miss(key, expected_[i]);
  } else if (reply->status == MetaStatus::kVa) {
    std::uint32_t flags = 0;
    const auto text = reply->flag('f');
    if (text) std::from_chars(text->data(), text->data() + text->size(), flags);
    judge_hit(key, expected_[i], reply->value, flags);
  } else {
    wrong_reply(key, "mg", reply_name(reply->status));
  }
}

}  // namespace mc::bench::soak::detail

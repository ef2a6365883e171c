// The lane's writes: each one's reply is judged against what the lane knows of the key, and
// the lane's knowledge becomes what the server acknowledged.

#include <fmt/format.h>

#include <charconv>

#include "soak_lane.hpp"

namespace mc::bench::soak::detail {

namespace {

using State = Expected::State;
using client::MetaStatus;
using client::Status;

// An appended value grows until it passes this many times --max-value; then it is set afresh.
constexpr std::size_t kAppendGrowth = 4;

}  // namespace

asio::awaitable<void> Lane::set(std::size_t i) {
  std::string value = next_value(i);
  const std::uint32_t flags = flags_of(version_);
  const auto stored = co_await session_.set(keys_[i], value, {.flags = flags});
  ++result_.ops[static_cast<std::size_t>(Op::kSet)];
  if (failed(stored.error(), keys_[i], "set")) {
    expected_[i] = Expected::unknown();
  } else if (*stored != Status::kStored) {
    wrong_reply(keys_[i], "set", reply_name(*stored));
    expected_[i] = Expected::unknown();
  } else {
    expected_[i] = Expected::present(std::move(value), flags);
  }
}

asio::awaitable<void> Lane::add(std::size_t i) {
  std::string value = next_value(i);
  const std::uint32_t flags = flags_of(version_);
  const auto stored = co_await session_.add(keys_[i], value, {.flags = flags});
  ++result_.ops[static_cast<std::size_t>(Op::kAdd)];
  Expected& expected = expected_[i];
  if (failed(stored.error(), keys_[i], "add")) {
    expected = Expected::unknown();
  } else if (*stored == Status::kStored) {
    // Over a present value only eviction explains it.
    if (expected.state == State::kPresent && !setup_.options.evictions) {
      wrong_reply(keys_[i], "add over a present value", "STORED");
    }
    expected = Expected::present(std::move(value), flags);
  } else if (*stored == Status::kNotStored) {
    if (expected.state == State::kAbsent) {
      wrong_reply(keys_[i], "add of an absent key", "NOT_STORED");
      expected = Expected::unknown();
    }
  } else {
    wrong_reply(keys_[i], "add", reply_name(*stored));
    expected = Expected::unknown();
  }
}

asio::awaitable<void> Lane::cas(std::size_t i) {
  const std::string& key = keys_[i];
  Expected& expected = expected_[i];
  const auto item = co_await session_.gets(key);
  ++result_.ops[static_cast<std::size_t>(Op::kGets)];
  if (failed(item.error(), key, "gets")) co_return;
  std::uint64_t unique = 12345;
  if (item->has_value()) {
    judge_hit(key, expected, (*item)->value, (*item)->flags);
    unique = (*item)->cas;
  } else {
    judge_miss(key, expected);
  }
  // One cas in four carries a unique no item has: it must never store.
  const bool wrong_unique = item->has_value() && rng_() % 4 == 0;
  if (wrong_unique) unique += std::uint64_t{1} << 40;
  std::string value = next_value(i);
  const std::uint32_t flags = flags_of(version_);
  const auto stored = co_await session_.cas(key, value, unique, {.flags = flags});
  ++result_.ops[static_cast<std::size_t>(Op::kCas)];
  if (failed(stored.error(), key, "cas")) {
    expected = Expected::unknown();
    co_return;
  }
  const bool was_there = item->has_value();
  const bool evicted_allowed = setup_.options.evictions;
  switch (*stored) {
    case Status::kStored:
      if (!was_there || wrong_unique)
        wrong_reply(key, "cas with a unique that cannot match", "STORED");
      expected = Expected::present(std::move(value), flags);
      break;
    case Status::kExists:
      // Nobody else writes this key: only the wrong unique may be refused this way.
      if (!was_there || !wrong_unique) {
        wrong_reply(key, "cas with the unique gets returned", "EXISTS");
        expected = Expected::unknown();
      }
      break;
    case Status::kNotFound:
      if (was_there && !evicted_allowed) wrong_reply(key, "cas of a present key", "NOT_FOUND");
      expected = Expected::absent();
      break;
    default:
      wrong_reply(key, "cas", reply_name(*stored));
      expected = Expected::unknown();
  }
}

asio::awaitable<void> Lane::append(std::size_t i) {
  Expected& expected = expected_[i];
  if (expected.state == State::kPresent &&
      expected.value.size() > kAppendGrowth * setup_.options.max_value) {
    co_await set(i);  // keep values from growing without end
    co_return;
  }
  const std::string record = make_record(keys_[i], ++version_, 40 + rng_() % 200);
  const auto stored = co_await session_.append(keys_[i], record);
  ++result_.ops[static_cast<std::size_t>(Op::kAppend)];
  if (failed(stored.error(), keys_[i], "append")) {
    expected = Expected::unknown();
  } else if (*stored == Status::kStored) {
    if (expected.state == State::kPresent) {
      expected.value += record;  // append keeps the item's flags
    } else {
      if (expected.state == State::kAbsent)
        wrong_reply(keys_[i], "append to an absent key", "STORED");
      expected = Expected::unknown();
    }
  } else if (*stored == Status::kNotStored) {
    if (expected.state == State::kPresent && !setup_.options.evictions) {
      wrong_reply(keys_[i], "append to a present key", "NOT_STORED");
    }
    expected = Expected::absent();
  } else {
    wrong_reply(keys_[i], "append", reply_name(*stored));
    expected = Expected::unknown();
  }
}

asio::awaitable<void> Lane::incr(std::size_t c) {
  const std::string& key = counters_[c];
  Expected& expected = counter_expected_[c];
  const std::uint64_t delta = 1 + rng_() % 100;
  const auto value = co_await session_.incr(key, delta);
  ++result_.ops[static_cast<std::size_t>(Op::kIncr)];
  if (failed(value.error(), key, "incr")) {
    expected = Expected::unknown();
    co_return;
  }
  if (!value->has_value()) {
    judge_miss(key, expected);
    --result_.key_reads;  // an incr is not a get: keep the read counts the server's
    --result_.misses;
    const std::string start = std::to_string(kCounterStart);
    const auto stored = co_await session_.set(key, start);
    ++result_.ops[static_cast<std::size_t>(Op::kSet)];
    if (!failed(stored.error(), key, "set") && *stored == Status::kStored) {
      expected = Expected::present(start, 0);
    } else {
      expected = Expected::unknown();
    }
    co_return;
  }
  const std::string got = std::to_string(**value);
  if (expected.state == State::kPresent) {
    std::uint64_t before = 0;
    std::from_chars(expected.value.data(), expected.value.data() + expected.value.size(), before);
    const Expected after = Expected::present(std::to_string(before + delta), expected.flags);
    const Problem problem = check_hit(key, after, got, expected.flags);
    if (problem != Problem::kNone) {
      result_.report(
          problem, fmt::format("incr {} by {}: expected {}, got {}", key, delta, after.value, got));
    }
  } else if (expected.state == State::kAbsent) {
    wrong_reply(key, "incr of an absent key", got);
  }
  expected = Expected::present(got, expected.state == State::kPresent ? expected.flags : 0);
  if (rng_() % 2 == 0) co_await get_counter(c);
}

asio::awaitable<void> Lane::remove(std::size_t i) {
  Expected& expected = expected_[i];
  const auto removed = co_await session_.remove(keys_[i]);
  ++result_.ops[static_cast<std::size_t>(Op::kDelete)];
  if (failed(removed.error(), keys_[i], "delete")) {
    expected = Expected::unknown();
    co_return;
  }
  if (*removed == Status::kDeleted) {
    if (expected.state == State::kAbsent)
      wrong_reply(keys_[i], "delete of an absent key", "DELETED");
  } else if (*removed == Status::kNotFound) {
    if (expected.state == State::kPresent && !setup_.options.evictions) {
      wrong_reply(keys_[i], "delete of a present key", "NOT_FOUND");
    }
  } else {
    wrong_reply(keys_[i], "delete", reply_name(*removed));
  }
  expected = Expected::absent();
}

asio::awaitable<void> Lane::meta_set(std::size_t i) {
  std::string value = next_value(i);
  const std::uint32_t flags = flags_of(version_);
  const auto reply = co_await session_.meta_set(keys_[i], value, fmt::format("F{}", flags));
  ++result_.ops[static_cast<std::size_t>(Op::kMetaSet)];
  if (failed(reply.error(), keys_[i], "ms")) {
    expected_[i] = Expected::unknown();
  } else if (reply->status != MetaStatus::kHd) {
    wrong_reply(keys_[i], "ms", reply_name(reply->status));
    expected_[i] = Expected::unknown();
  } else {
    expected_[i] = Expected::present(std::move(value), flags);
  }
}

asio::awaitable<void> Lane::meta_delete(std::size_t i) {
  Expected& expected = expected_[i];
  const auto reply = co_await session_.meta_delete(keys_[i], "");
  ++result_.ops[static_cast<std::size_t>(Op::kMetaDelete)];
  if (failed(reply.error(), keys_[i], "md")) {
    expected = Expected::unknown();
    co_return;
  }
  if (reply->status == MetaStatus::kHd) {
    if (expected.state == State::kAbsent) wrong_reply(keys_[i], "md of an absent key", "HD");
  } else if (reply->status == MetaStatus::kNf) {
    if (expected.state == State::kPresent && !setup_.options.evictions) {
      wrong_reply(keys_[i], "md of a present key", "NF");
    }
  } else {
    wrong_reply(keys_[i], "md", reply_name(reply->status));
  }
  expected = Expected::absent();
}

asio::awaitable<void> Lane::shared_set() {
  // The first four shared keys hold the big values the reset fault reads.
  const std::size_t s = rng_() % setup_.shared.size();
  const std::size_t size =
      s < 4 ? setup_.options.big_value : 40 + rng_() % setup_.options.max_value;
  const std::string& key = setup_.shared[s];
  const auto stored = co_await session_.set(key, make_record(key, ++version_, size));
  ++result_.ops[static_cast<std::size_t>(Op::kSharedSet)];
  if (!failed(stored.error(), key, "set") && *stored != Status::kStored) {
    wrong_reply(key, "set of a shared key", reply_name(*stored));
  }
}

}  // namespace mc::bench::soak::detail

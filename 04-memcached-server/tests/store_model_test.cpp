// A randomized differential test: the store against a plain std::unordered_map model of
// memcached's semantics, for a few hundred thousand operations with a moving clock.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <charconv>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "mc/server/store.hpp"

namespace mc::server {
namespace {

constexpr std::int64_t kStart = 1'700'000'000;

// What the store should hold, in unix times, written as directly as possible.
class Model {
 public:
  struct Entry {
    std::string value;
    std::uint32_t flags = 0;
    std::int64_t expires = 0;  // unix time; 0 = never
    std::uint64_t cas = 0;
    std::uint64_t seq = 0;  // when it was stored, for flush_all
  };

  std::int64_t now = kStart;

  Entry* find(const std::string& key) {
    apply_flush();
    const auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    const Entry& e = it->second;
    if (e.seq < flushed_before_ || (e.expires != 0 && e.expires <= now)) {
      map_.erase(it);
      return nullptr;
    }
    return &it->second;
  }
  std::int64_t expires_at(std::int64_t exptime) const {
    if (exptime == 0) return 0;
    if (exptime < 0) return 1;
    return exptime > kMaxRelativeExptime ? exptime : now + exptime;
  }
  // The store picks CAS uniques (from where it put the item); the model checks that each is
  // new, and then expects it back.
  Entry& put(const std::string& key, std::string value, std::uint32_t flags, std::int64_t expires,
             std::uint64_t cas) {
    EXPECT_TRUE(fresh(cas)) << cas;
    Entry& e = map_[key];
    e = Entry{std::move(value), flags, expires, cas, ++seq_};
    return e;
  }
  void bump(Entry& e, std::uint64_t cas) {
    EXPECT_TRUE(fresh(cas)) << cas;
    e.cas = cas;
  }
  bool erase(const std::string& key) { return find(key) != nullptr && map_.erase(key) == 1; }
  void flush(std::int64_t delay) {
    flush_at_ = (delay > 0 ? now + delay : now) - 1;
    apply_flush();
  }

 private:
  void apply_flush() {
    if (flush_at_ != 0 && flush_at_ <= now) {
      flushed_before_ = seq_ + 1;
      flush_at_ = 0;
    }
  }
  bool fresh(std::uint64_t cas) { return cas != 0 && issued_.insert(cas).second; }

  std::unordered_map<std::string, Entry> map_;
  std::unordered_set<std::uint64_t> issued_;
  std::uint64_t seq_ = 0;
  std::uint64_t flushed_before_ = 0;
  std::int64_t flush_at_ = 0;
};

// Digits followed by spaces only (the model's values never start with a space or a sign).
std::optional<std::uint64_t> model_number(const std::string& value) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end == value.data()) return std::nullopt;
  for (const char* p = end; p != value.data() + value.size(); ++p) {
    if (*p != ' ') return std::nullopt;
  }
  return n;
}

TEST(StoreModel, AgreesWithAReferenceModelOnRandomOperations) {
  Clock clock(kStart);
  Store store(StoreOptions{}, clock);
  Model model;
  std::mt19937_64 rng(20240601);
  const auto pick = [&](std::uint64_t n) { return rng() % n; };
  const auto random_value = [&]() -> std::string {
    switch (pick(8)) {
      case 0:
      case 1:
      case 2:
      case 3:
        return std::to_string(rng() >> pick(64));  // a number, sometimes 20 digits
      case 4:
        return std::string(pick(20), static_cast<char>('a' + pick(26)));
      case 5:
        return "99999999999999999999";  // 20 digits, beyond 2^64: non-numeric
      default:
        return std::string(pick(300), 'x');
    }
  };
  const auto random_exptime = [&]() -> std::int64_t {
    switch (pick(6)) {
      case 0:
        return -1;
      case 1:
        return static_cast<std::int64_t>(1 + pick(5));
      case 2:
        return model.now + static_cast<std::int64_t>(pick(8)) - 2;  // absolute, maybe past
      default:
        return 0;
    }
  };

  constexpr int kOperations = 300'000;
  for (int op = 0; op < kOperations; ++op) {
    SCOPED_TRACE(op);
    const std::string key = fmt::format("key{}", pick(300));
    const std::uint32_t flags = pick(4) == 0 ? static_cast<std::uint32_t>(rng()) : 0;
    const unsigned choice = static_cast<unsigned>(pick(100));
    if (choice < 30) {  // get
      const ItemHandle item = store.get(key);
      const Model::Entry* e = model.find(key);
      ASSERT_EQ(bool(item), e != nullptr);
      if (e != nullptr) {
        ASSERT_EQ(item.value(), e->value);
        ASSERT_EQ(item.flags(), e->flags);
        ASSERT_EQ(item.cas(), e->cas);
      }
    } else if (choice < 60) {  // the storage commands
      const auto mode = static_cast<StoreMode>(pick(6));
      const std::string value = random_value();
      const std::int64_t exptime = random_exptime();
      Model::Entry* e = model.find(key);
      std::uint64_t cas = 0;  // only cas compares one here
      if (mode == StoreMode::kCas) cas = e != nullptr && pick(2) == 0 ? e->cas : 1 + pick(1000);
      const StoreOutcome got = store.store(mode, key, value, flags, exptime, cas);
      StoreResult want = StoreResult::kStored;
      if (mode == StoreMode::kAdd && e != nullptr) want = StoreResult::kNotStored;
      if (mode == StoreMode::kReplace || mode == StoreMode::kAppend ||
          mode == StoreMode::kPrepend) {
        if (e == nullptr) want = StoreResult::kNotStored;
      }
      if (mode == StoreMode::kCas) {
        want = e == nullptr ? StoreResult::kNotFound
                            : (e->cas == cas ? StoreResult::kStored : StoreResult::kExists);
      }
      ASSERT_EQ(got.result, want);
      if (want == StoreResult::kStored) {
        if (mode == StoreMode::kAppend || mode == StoreMode::kPrepend) {
          const Model::Entry old = *e;
          const std::string joined =
              mode == StoreMode::kAppend ? old.value + value : value + old.value;
          model.put(key, joined, old.flags, old.expires, got.cas);
        } else {
          model.put(key, value, flags, model.expires_at(exptime), got.cas);
        }
      }
    } else if (choice < 72) {  // incr/decr
      const bool incr = pick(2) == 0;
      const std::uint64_t amount = pick(3) == 0 ? rng() : pick(1000);
      const DeltaOutcome got = store.delta(key, incr, amount);
      Model::Entry* e = model.find(key);
      if (e == nullptr) {
        ASSERT_EQ(got.result, DeltaResult::kNotFound);
        continue;
      }
      const std::optional<std::uint64_t> n = model_number(e->value);
      if (!n) {
        ASSERT_EQ(got.result, DeltaResult::kNonNumeric);
        continue;
      }
      const std::uint64_t want = incr ? *n + amount : (amount > *n ? 0 : *n - amount);
      ASSERT_EQ(got.result, DeltaResult::kOk);
      ASSERT_EQ(got.value, want);
      std::string digits = std::to_string(want);
      if (digits.size() <= e->value.size()) {
        digits.resize(e->value.size(), ' ');  // rewritten in place, padded
        e->value = digits;
        model.bump(*e, got.cas);
      } else {
        const Model::Entry old = *e;
        model.put(key, digits, old.flags, old.expires, got.cas);
      }
    } else if (choice < 80) {  // delete
      ASSERT_EQ(store.remove(key), model.erase(key));
    } else if (choice < 88) {  // touch / gat
      const std::int64_t exptime = random_exptime();
      Model::Entry* e = model.find(key);
      const ItemHandle item = store.gat(key, exptime);
      ASSERT_EQ(bool(item), e != nullptr);
      if (e != nullptr) {
        ASSERT_EQ(item.value(), e->value);
        ASSERT_EQ(item.cas(), e->cas);  // a touch is not a change, even if it moves the item
        e->expires = model.expires_at(exptime);
      }
    } else if (choice < 96) {  // time passes
      const auto seconds = static_cast<std::uint32_t>(pick(3));
      clock.advance(seconds);
      model.now += seconds;
    } else if (choice < 97 && pick(5) == 0) {  // flush_all, sometimes delayed
      const std::int64_t delay = pick(2) == 0 ? 0 : static_cast<std::int64_t>(pick(4));
      store.flush_all(delay);
      model.flush(delay);
    } else if (choice >= 97) {  // the background sweep must not change what anyone sees
      store.expire_some(pick(50));
    }
  }
  EXPECT_GT(store.stats().get_hits, 1000u);
  EXPECT_GT(store.stats().incr_hits + store.stats().decr_hits, 1000u);
}

}  // namespace
}  // namespace mc::server

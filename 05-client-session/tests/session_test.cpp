// Every Session operation against a real server (memcached, and cppmemcached when built), in
// the three styles: coroutine, callback and future.

#include "mc/client/session.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <asio/use_future.hpp>

#include "support.hpp"

namespace mc::client {
namespace {

using testing::Backend;
using namespace std::chrono_literals;

class SessionTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    server_.emplace(testing::start_backend(GetParam()));
    session_.emplace(io_.io(), ServerAddress{"127.0.0.1", server_->port});
  }

  // Runs a coroutine that uses the session on the io thread and returns its result.
  template <typename T>
  T run(asio::awaitable<T> task) {
    return io_.run(std::move(task));
  }

  Session& session() { return *session_; }

  testing::IoThread io_;
  std::optional<testing::RunningServer> server_;
  std::optional<Session> session_;
};

TEST_P(SessionTest, SetThenGetReturnsTheValueAndFlags) {
  const auto got = run([&]() -> asio::awaitable<Result<std::optional<Item>>> {
    const auto stored = co_await session().set("greeting", "hello", {.flags = 42});
    EXPECT_EQ(stored.value(), Status::kStored);
    co_return co_await session().get("greeting");
  }());
  ASSERT_TRUE(got) << got.error().message();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->key, "greeting");
  EXPECT_EQ((*got)->value, "hello");
  EXPECT_EQ((*got)->flags, 42u);
}

TEST_P(SessionTest, GetOfAMissingKeyIsAnEmptyOptionalNotAnError) {
  const auto got = run(session().get("absent"));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_FALSE(got->has_value());
}

TEST_P(SessionTest, ValuesAreBinarySafeAndMayBeEmpty) {
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes += static_cast<char>(b);
  bytes += "\r\nEND\r\nVALUE x 0 1\r\n";  // protocol text inside a value is just bytes
  const auto [binary, empty] = run([&]() -> asio::awaitable<std::pair<std::string, std::string>> {
    co_await session().set("binary", bytes);
    co_await session().set("empty", "");
    auto b = co_await session().get("binary");
    auto e = co_await session().get("empty");
    co_return std::pair{b.value().value().value, e.value().value().value};
  }());
  EXPECT_EQ(binary, bytes);
  EXPECT_EQ(empty, "");
}

TEST_P(SessionTest, AddReplaceAppendPrependFollowMemcachedRules) {
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await session().replace("k", "x")).value(), Status::kNotStored);
    EXPECT_EQ((co_await session().append("k", "x")).value(), Status::kNotStored);
    EXPECT_EQ((co_await session().add("k", "middle")).value(), Status::kStored);
    EXPECT_EQ((co_await session().add("k", "again")).value(), Status::kNotStored);
    EXPECT_EQ((co_await session().append("k", ">")).value(), Status::kStored);
    EXPECT_EQ((co_await session().prepend("k", "<")).value(), Status::kStored);
    EXPECT_EQ((co_await session().get("k")).value()->value, "<middle>");
    EXPECT_EQ((co_await session().replace("k", "new")).value(), Status::kStored);
    EXPECT_EQ((co_await session().get("k")).value()->value, "new");
  }());
}

TEST_P(SessionTest, GetsAndCasDetectAConcurrentWrite) {
  run([&]() -> asio::awaitable<void> {
    co_await session().set("counter", "1");
    const auto first = (co_await session().gets("counter")).value().value();
    EXPECT_NE(first.cas, 0u);
    EXPECT_EQ((co_await session().cas("counter", "2", first.cas)).value(), Status::kStored);
    EXPECT_EQ((co_await session().cas("counter", "3", first.cas)).value(), Status::kExists);
    EXPECT_EQ((co_await session().cas("nothing", "3", first.cas)).value(), Status::kNotFound);
    EXPECT_EQ((co_await session().get("counter")).value()->value, "2");
  }());
}

TEST_P(SessionTest, DeleteAnswersDeletedThenNotFound) {
  run([&]() -> asio::awaitable<void> {
    co_await session().set("doomed", "x");
    EXPECT_EQ((co_await session().remove("doomed")).value(), Status::kDeleted);
    EXPECT_EQ((co_await session().remove("doomed")).value(), Status::kNotFound);
    EXPECT_FALSE((co_await session().get("doomed")).value().has_value());
  }());
}

TEST_P(SessionTest, IncrAndDecrCountAndReportMissesAndNonNumbers) {
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await session().incr("hits", 1)).value(), std::nullopt);
    co_await session().set("hits", "10");
    EXPECT_EQ((co_await session().incr("hits", 5)).value(), 15u);
    EXPECT_EQ((co_await session().decr("hits", 20)).value(), 0u);  // stops at zero
    co_await session().set("word", "ten");
    EXPECT_EQ((co_await session().incr("word", 1)).error(), Error::kNonNumeric);
  }());
}

TEST_P(SessionTest, TouchGatAndGatsChangeExpiryAndReturnTheItem) {
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await session().touch("ghost", 100)).value(), Status::kNotFound);
    co_await session().set("t", "v");
    EXPECT_EQ((co_await session().touch("t", 100)).value(), Status::kTouched);
    EXPECT_EQ((co_await session().gat(200, "t")).value()->value, "v");
    EXPECT_NE((co_await session().gats(300, "t")).value()->cas, 0u);
    EXPECT_FALSE((co_await session().gat(100, "ghost")).value().has_value());
    // A negative exptime expires the item at once.
    co_await session().touch("t", -1);
    EXPECT_FALSE((co_await session().get("t")).value().has_value());
  }());
}

TEST_P(SessionTest, GetMultiReturnsEveryHitInOneRequest) {
  const auto before = session().counters().requests.load();
  const auto items = run([&]() -> asio::awaitable<Result<std::vector<Item>>> {
    co_await session().set("a", "1");
    co_await session().set("c", "3");
    const std::vector<std::string> keys = {"a", "b", "c"};
    co_return co_await session().get_multi(keys);
  }());
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].key, "a");
  EXPECT_EQ((*items)[1].value, "3");
  EXPECT_EQ(session().counters().requests.load() - before, 3u);  // two sets and one get
}

TEST_P(SessionTest, FlushAllEmptiesTheCache) {
  run([&]() -> asio::awaitable<void> {
    co_await session().set("x", "1");
    EXPECT_EQ((co_await session().flush_all()).value(), Status::kOk);
    EXPECT_FALSE((co_await session().get("x")).value().has_value());
  }());
}

TEST_P(SessionTest, VersionAndStatsDescribeTheServer) {
  const auto version = run(session().version());
  ASSERT_TRUE(version) << version.error().message();
  EXPECT_FALSE(version->empty());
  const auto stats = run(session().stats());
  ASSERT_TRUE(stats) << stats.error().message();
  const auto pid =
      std::find_if(stats->begin(), stats->end(), [](const Stat& s) { return s.name == "pid"; });
  ASSERT_NE(pid, stats->end());
  EXPECT_EQ(pid->value, std::to_string(server_->process.pid()));
  const auto settings = run(session().stats("settings"));
  ASSERT_TRUE(settings) << settings.error().message();
  EXPECT_FALSE(settings->empty());
}

TEST_P(SessionTest, MetaCommandsSetGetAndDeleteWithFlags) {
  const auto probe = run(session().meta_get("probe", "v"));
  if (probe.error() == Error::kUnknownCommand) {
    GTEST_SKIP() << testing::backend_name(GetParam()) << " does not know the meta commands yet";
  }
  run([&]() -> asio::awaitable<void> {
    const auto set = (co_await session().meta_set("m", "value", "F7 T0")).value();
    EXPECT_EQ(set.status, MetaStatus::kHd);
    const auto got = (co_await session().meta_get("m", "v f")).value();
    EXPECT_EQ(got.status, MetaStatus::kVa);
    EXPECT_EQ(got.value, "value");
    EXPECT_EQ(got.flag('f'), "7");
    EXPECT_EQ(got.flags.find('O'), std::string::npos);  // our opaque is not the caller's
    EXPECT_EQ((co_await session().meta_delete("m", "")).value().status, MetaStatus::kHd);
    EXPECT_EQ((co_await session().meta_get("m", "v")).value().status, MetaStatus::kEn);
    // q would hide a reply and O is ours: both are refused before anything is sent.
    EXPECT_EQ((co_await session().meta_get("m", "v q")).error(), Error::kBadArgument);
    EXPECT_EQ((co_await session().meta_get("m", "O5")).error(), Error::kBadArgument);
  }());
}

TEST_P(SessionTest, BadKeysFailBeforeAnythingIsSent) {
  run(session().version());  // connected
  const auto before = session().counters().requests.load();
  run([&]() -> asio::awaitable<void> {
    for (const std::string& key :
         {std::string(), std::string("two words"), std::string(251, 'k'), std::string("tab\there"),
          std::string("nl\n"), std::string("nul\0x", 5)}) {
      EXPECT_EQ((co_await session().get(key)).error(), Error::kBadKey) << key;
      EXPECT_EQ((co_await session().set(key, "v")).error(), Error::kBadKey) << key;
    }
    EXPECT_TRUE(co_await session().set(std::string(250, 'k'), "longest key"));
  }());
  EXPECT_EQ(session().counters().requests.load() - before, 1u);  // only the 250-byte key went out
}

TEST_P(SessionTest, TooLargeValueIsAnErrorAndTheConnectionCarriesOn) {
  run([&]() -> asio::awaitable<void> {
    const std::string huge(2 * 1024 * 1024, 'x');  // above the default 1 MiB item limit
    EXPECT_EQ((co_await session().set("huge", huge)).error(), Error::kValueTooLarge);
    EXPECT_EQ((co_await session().set("small", "ok")).value(), Status::kStored);
  }());
}

TEST_P(SessionTest, NoreplyCallsCompleteWhenWritten) {
  run([&]() -> asio::awaitable<void> {
    const auto set = co_await session().set("quiet", "1", {.noreply = true});
    EXPECT_TRUE(set) << set.error().message();
    EXPECT_TRUE(co_await session().incr("quiet", 4, {.noreply = true}));
    // Replies stay matched: the get answers with the value both noreply calls left.
    EXPECT_EQ((co_await session().get("quiet")).value()->value, "5");
    EXPECT_TRUE(co_await session().remove("quiet", {.noreply = true}));
    EXPECT_FALSE((co_await session().get("quiet")).value().has_value());
  }());
}

TEST_P(SessionTest, CallbackAndFutureStylesShareTheCore) {
  std::promise<Result<Status>> stored;
  session().set("styles", "cb", {}, [&](Result<Status> r) { stored.set_value(std::move(r)); });
  auto future = stored.get_future();
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(future.get().value(), Status::kStored);

  auto got = session().get("styles", {}, asio::use_future);
  ASSERT_EQ(got.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(got.get().value()->value, "cb");
}

//! [pipelined-test]
TEST_P(SessionTest, TenThousandPipelinedRequestsFromAHundredCoroutinesAreAllAnswered) {
  constexpr int kCoroutines = 100;
  constexpr int kPairs = 50;  // a set and a get each: 100 requests per coroutine
  const auto requests_before = session().counters().requests.load();
  const auto writes_before = session().counters().write_calls.load();
  std::atomic<int> correct = 0;
  std::vector<std::future<void>> done;
  // The lambda outlives the coroutines, which reach its captures through it; `c` is a
  // parameter, so each coroutine frame has its own copy.
  auto task = [&](int c) -> asio::awaitable<void> {
    for (int i = 0; i < kPairs; ++i) {
      const std::string key = fmt::format("c{}:k{}", c, i);
      const std::string value = fmt::format("value {} of coroutine {}", i, c);
      const auto stored = co_await session().set(key, value, {.timeout = 10s});
      const auto got = co_await session().get(key, {.timeout = 10s});
      if (stored && *stored == Status::kStored && got && *got && (*got)->value == value) {
        ++correct;
      }
    }
  };
  for (int c = 0; c < kCoroutines; ++c) {
    done.push_back(asio::co_spawn(io_.io(), task(c), asio::use_future));
  }
  for (auto& d : done) ASSERT_EQ(d.wait_for(60s), std::future_status::ready);
  EXPECT_EQ(correct.load(), kCoroutines * kPairs);
  const auto requests = session().counters().requests.load() - requests_before;
  const auto writes = session().counters().write_calls.load() - writes_before;
  EXPECT_EQ(requests, 10'000u);
  // With a hundred callers, most writes carry many requests.
  EXPECT_LT(writes * 4, requests) << writes << " writes for " << requests << " requests";
  ::testing::Test::RecordProperty("write_calls", static_cast<int>(writes));
}
//! [pipelined-test]

TEST_P(SessionTest, RequestsQueuedTogetherGoOutInOneWrite) {
  ASSERT_TRUE(run(session().version()));  // connected and idle
  constexpr int kRequests = 1000;
  const auto writes_before = session().counters().write_calls.load();
  std::atomic<int> answered = 0;
  std::promise<void> all;
  // One handler on the session's thread makes every call before the writer can run, the way
  // a burst of callers does between two turns of the event loop.
  asio::post(io_.io(), [&] {
    for (int i = 0; i < kRequests; ++i) {
      session().get(fmt::format("burst{}", i), {}, [&](Result<std::optional<Item>> r) {
        if (r && ++answered == kRequests) all.set_value();
      });
    }
  });
  ASSERT_EQ(all.get_future().wait_for(30s), std::future_status::ready);
  EXPECT_EQ(session().counters().write_calls.load() - writes_before, 1u);
}

INSTANTIATE_TEST_SUITE_P(Servers, SessionTest, ::testing::ValuesIn(testing::backends()),
                         [](const auto& info) { return testing::backend_name(info.param); });

}  // namespace
}  // namespace mc::client

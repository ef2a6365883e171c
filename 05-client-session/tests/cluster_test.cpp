// Cluster against four real servers: placement, get_multi fan-out, ejection and re-adding;
// and SyncClient, the blocking face of it.

#include "mc/client/cluster.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csignal>

#include <asio/use_future.hpp>

#include "mc/client/sync_client.hpp"
#include "support.hpp"

namespace mc::client {
namespace {

using namespace std::chrono_literals;
using testing::Backend;

class ClusterTest : public ::testing::TestWithParam<Backend> {
 protected:
  void start(std::size_t count, ClusterOptions options = {}) {
    std::vector<ServerAddress> addresses;
    for (std::size_t i = 0; i < count; ++i) {
      servers_.push_back(testing::start_backend(GetParam()));
      addresses.push_back({"127.0.0.1", servers_.back().port});
    }
    cluster_.emplace(io_.io(), addresses, options);
  }

  template <typename T>
  T run(std::function<asio::awaitable<T>()> task) {
    return io_.run(task());
  }

  // The first key of the form `key:N` that lives on server `index`.
  std::string key_on(std::size_t index) {
    return run<std::string>([&]() -> asio::awaitable<std::string> {
      for (int n = 0;; ++n) {
        std::string key = fmt::format("key:{}", n);
        if (cluster_->locate(key) == index) co_return key;
      }
    });
  }

  testing::IoThread io_;
  std::vector<testing::RunningServer> servers_;
  std::optional<Cluster> cluster_;
};

TEST_P(ClusterTest, StoresEveryKeyOnTheServerTheLocatorPicks) {
  start(4);
  constexpr int kKeys = 200;
  run<void>([&]() -> asio::awaitable<void> {
    for (int n = 0; n < kKeys; ++n) {
      EXPECT_TRUE(co_await cluster_->set(fmt::format("key:{}", n), "v"));
    }
    // Ask each server directly: a key is on its own server and on no other.
    for (int n = 0; n < kKeys; ++n) {
      const std::string key = fmt::format("key:{}", n);
      const auto home = cluster_->locate(key);
      for (std::size_t s = 0; s < cluster_->size(); ++s) {
        const auto got = co_await cluster_->session(s).get(key);
        EXPECT_EQ(got.value().has_value(), s == home) << key << " on server " << s;
      }
    }
  });
}

//! [get-multi-test]
TEST_P(ClusterTest, GetMultiSendsOneRequestToEachServerAndMergesTheHits) {
  start(4);
  std::vector<std::string> keys;
  for (int n = 0; n < 100; ++n) keys.push_back(fmt::format("key:{}", n));
  const auto items =
      run<Result<std::vector<Item>>>([&]() -> asio::awaitable<Result<std::vector<Item>>> {
        for (std::size_t n = 0; n < keys.size(); n += 2) {
          co_await cluster_->set(keys[n], fmt::format("value of {}", keys[n]));
        }
        std::vector<std::uint64_t> before;
        for (std::size_t s = 0; s < cluster_->size(); ++s) {
          before.push_back(cluster_->session(s).counters().requests.load());
        }
        const std::vector<std::string_view> views(keys.begin(), keys.end());
        auto result = co_await cluster_->get_multi(views);
        for (std::size_t s = 0; s < cluster_->size(); ++s) {
          EXPECT_EQ(cluster_->session(s).counters().requests.load() - before[s], 1u);
        }
        co_return result;
      });
  ASSERT_TRUE(items) << items.error().message();
  ASSERT_EQ(items->size(), 50u);  // the even keys
  for (const auto& item : *items) EXPECT_EQ(item.value, "value of " + item.key);
}
//! [get-multi-test]

TEST_P(ClusterTest, GetMultiCountsTheKeysOfADeadServerAsMisses) {
  ClusterOptions options;
  options.eject_after = 0;
  start(3, options);
  const std::string dead_key = key_on(1);
  const std::string live_key = key_on(0);
  run<void>([&]() -> asio::awaitable<void> {
    co_await cluster_->set(dead_key, "d");
    co_await cluster_->set(live_key, "l");
  });
  servers_[1].process.signal(SIGKILL);
  ASSERT_TRUE(servers_[1].process.wait(10s));
  const auto items =
      run<Result<std::vector<Item>>>([&]() -> asio::awaitable<Result<std::vector<Item>>> {
        const std::vector<std::string_view> keys = {dead_key, live_key};
        co_return co_await cluster_->get_multi(keys);
      });
  ASSERT_TRUE(items) << items.error().message();
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ(items->front().key, live_key);
}

TEST_P(ClusterTest, GetEachTellsAMissFromAFailedServer) {
  ClusterOptions options;
  options.eject_after = 0;
  start(2, options);
  const std::string hit = key_on(0);
  const std::string dead = key_on(1);
  servers_[1].process.signal(SIGKILL);
  ASSERT_TRUE(servers_[1].process.wait(10s));
  run<void>([&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await cluster_->session(0).set(hit, "v"));
    const std::string_view keys[] = {dead, hit, "absent:0", hit};
    const auto answers = co_await cluster_->get_each(keys);
    EXPECT_TRUE(answers);
    if (!answers) co_return;
    EXPECT_EQ(answers->size(), 4u);
    EXPECT_TRUE(is_unreachable((*answers)[0].error())) << (*answers)[0].error().message();
    EXPECT_EQ((*answers)[1].value()->value, "v");
    EXPECT_GT((*answers)[1].value()->cas, 0u);  // get_each asks with gets
    const bool absent_answered = cluster_->locate("absent:0") == 0u;
    EXPECT_EQ((*answers)[2].has_value(), absent_answered);
    if (absent_answered) {
      EXPECT_FALSE((*answers)[2].value());
    }
    EXPECT_EQ((*answers)[3].value()->value, "v");  // a key asked twice answers twice
    EXPECT_EQ((co_await cluster_->get_each({})).error(), Error::kBadArgument);
  });
}

//! [eject-test]
TEST_P(ClusterTest, EjectsAFailingServerAndPutsItBackWhenAProbeReachesIt) {
  ClusterOptions options;
  options.eject_after = 2;
  options.retry_after = 100ms;
  options.session.reconnect_max = 50ms;
  start(2, options);
  const std::string key = key_on(1);
  const std::uint16_t port = servers_[1].port;
  servers_[1].process.signal(SIGKILL);
  ASSERT_TRUE(servers_[1].process.wait(10s));

  run<void>([&]() -> asio::awaitable<void> {
    for (int failure = 0; failure < 2; ++failure) {
      const auto got = co_await cluster_->get(key);
      EXPECT_TRUE(is_unreachable(got.error())) << got.error().message();
    }
    // Two failures in a row: server 1 is out, its keys go to server 0.
    EXPECT_FALSE(cluster_->locator().is_alive(1));
    EXPECT_EQ(cluster_->locate(key), 0u);
    EXPECT_EQ(cluster_->ejections(), 1u);
    EXPECT_EQ((co_await cluster_->set(key, "moved")).value(), Status::kStored);
    EXPECT_EQ((co_await cluster_->session(0).get(key)).value()->value, "moved");
  });
  // Retry periods pass and probes fail: it stays out, and callers see no failure.
  ASSERT_TRUE(testing::wait_until([&] {
    return run<bool>([&]() -> asio::awaitable<bool> { co_return cluster_->probes() >= 3; });
  }));
  run<void>([&]() -> asio::awaitable<void> {
    EXPECT_FALSE(cluster_->locator().is_alive(1));
    for (int call = 0; call < 10; ++call) {
      EXPECT_EQ((co_await cluster_->get(key)).value()->value, "moved");
    }
    EXPECT_EQ(cluster_->ejections(), 1u);
  });
  // Back on its port, it answers the next probe and returns to the ring.
  servers_.push_back(testing::start_backend(GetParam(), port));
  ASSERT_TRUE(testing::wait_until([&] {
    return run<bool>([&]() -> asio::awaitable<bool> { co_return cluster_->locate(key) == 1u; });
  }));
  EXPECT_EQ(cluster_->ejections(), 1u);
}
//! [eject-test]

// A server that accepts connections and never answers: its probes time out in the background,
// so it stays out, and no caller waits for it after the ejection.
TEST_P(ClusterTest, ASilentServerStaysOutWhileItsProbesTimeOut) {
  testing::FakeServer silent;
  servers_.push_back(testing::start_backend(GetParam()));
  ClusterOptions options;
  options.eject_after = 2;
  options.retry_after = 50ms;
  options.session.timeout = 100ms;
  cluster_.emplace(
      io_.io(),
      std::vector<ServerAddress>{{"127.0.0.1", servers_[0].port}, {"127.0.0.1", silent.port()}},
      options);
  const std::string key = key_on(1);
  run<void>([&]() -> asio::awaitable<void> {
    for (int failure = 0; failure < 2; ++failure) {
      EXPECT_EQ((co_await cluster_->get(key)).error(), Error::kTimeout);
    }
    EXPECT_FALSE(cluster_->locator().is_alive(1));
  });
  ASSERT_TRUE(testing::wait_until([&] {
    return run<bool>([&]() -> asio::awaitable<bool> { co_return cluster_->probes() >= 3; });
  }));
  run<void>([&]() -> asio::awaitable<void> {
    EXPECT_FALSE(cluster_->locator().is_alive(1));
    for (int call = 0; call < 10; ++call) {
      const auto got = co_await cluster_->get(key);  // server 0's now: a miss, not a timeout
      EXPECT_TRUE(got && !*got) << got.error().message();
    }
    EXPECT_EQ(cluster_->ejections(), 1u);
  });
}

TEST_P(ClusterTest, ModuloLeavesTheKeysOfAnEjectedServerWithoutAServer) {
  ClusterOptions options;
  options.distribution = Distribution::kModulo;
  options.eject_after = 1;
  options.retry_after = 60s;
  start(2, options);
  const std::string key = key_on(1);
  servers_[1].process.signal(SIGKILL);
  ASSERT_TRUE(servers_[1].process.wait(10s));
  run<void>([&]() -> asio::awaitable<void> {
    EXPECT_TRUE(is_unreachable((co_await cluster_->get(key)).error()));
    EXPECT_EQ((co_await cluster_->get(key)).error(), Error::kNoServer);
    EXPECT_TRUE(co_await cluster_->set(key_on(0), "still here"));
  });
}

TEST_P(ClusterTest, AnswersDoNotCountAsFailures) {
  ClusterOptions options;
  options.eject_after = 1;
  start(2, options);
  run<void>([&]() -> asio::awaitable<void> {
    co_await cluster_->set("word", "text");
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ((co_await cluster_->arithmetic(true, "word", 1)).error(), Error::kNonNumeric);
      EXPECT_EQ((co_await cluster_->get("bad key")).error(), Error::kBadKey);
    }
    EXPECT_EQ(cluster_->ejections(), 0u);
  });
}

INSTANTIATE_TEST_SUITE_P(Servers, ClusterTest, ::testing::ValuesIn(testing::backends()),
                         [](const auto& info) { return testing::backend_name(info.param); });

class SyncClientTest : public ::testing::TestWithParam<Backend> {};

TEST_P(SyncClientTest, EveryOperationAsABlockingCall) {
  auto a = testing::start_backend(GetParam());
  auto b = testing::start_backend(GetParam());
  SyncClient client({{"127.0.0.1", a.port}, {"127.0.0.1", b.port}});
  EXPECT_EQ(client.set("k", "v", {.flags = 9}).value(), Status::kStored);
  EXPECT_EQ(client.get("k").value()->flags, 9u);
  EXPECT_EQ(client.add("k", "x").value(), Status::kNotStored);
  EXPECT_EQ(client.replace("k", "w").value(), Status::kStored);
  EXPECT_EQ(client.append("k", ">").value(), Status::kStored);
  EXPECT_EQ(client.prepend("k", "<").value(), Status::kStored);
  const auto item = client.gets("k").value().value();
  EXPECT_EQ(item.value, "<w>");
  EXPECT_EQ(client.cas("k", "c", item.cas).value(), Status::kStored);
  EXPECT_EQ(client.cas("k", "d", item.cas).value(), Status::kExists);
  EXPECT_EQ(client.gat(100, "k").value()->value, "c");
  EXPECT_EQ(client.touch("k", 100).value(), Status::kTouched);
  EXPECT_EQ(client.set("n", "1").value(), Status::kStored);
  EXPECT_EQ(client.incr("n", 41).value(), 42u);
  EXPECT_EQ(client.decr("n", 2).value(), 40u);
  const std::vector<std::string_view> keys = {"k", "n", "absent"};
  EXPECT_EQ(client.get_multi(keys).value().size(), 2u);
  EXPECT_EQ(client.remove("k").value(), Status::kDeleted);
  EXPECT_FALSE(client.get("k").value().has_value());
  for (std::size_t s = 0; s < 2; ++s) {
    EXPECT_FALSE(client.version(s).value().empty());
    EXPECT_FALSE(client.stats(s).value().empty());
  }
  EXPECT_EQ(client.version(2).error(), Error::kBadArgument);
  if (client.meta_get("probe", "v").error() != Error::kUnknownCommand) {
    EXPECT_EQ(client.meta_set("m", "meta", "T0").value().status, MetaStatus::kHd);
    EXPECT_EQ(client.meta_get("m", "v").value().value, "meta");
    EXPECT_EQ(client.meta_delete("m", "").value().status, MetaStatus::kHd);
  }
  EXPECT_EQ(client.flush_all().value(), Status::kOk);
  EXPECT_FALSE(client.get("n").value().has_value());
}

TEST_P(SyncClientTest, ManyThreadsShareOneClient) {
  auto server = testing::start_backend(GetParam());
  SyncClient client({{"127.0.0.1", server.port}});
  std::atomic<int> correct = 0;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 100; ++i) {
          const std::string key = fmt::format("t{}:{}", t, i);
          if (client.set(key, key) && client.get(key).value()->value == key) ++correct;
        }
      });
    }
  }
  EXPECT_EQ(correct.load(), 800);
}

INSTANTIATE_TEST_SUITE_P(Servers, SyncClientTest, ::testing::ValuesIn(testing::backends()),
                         [](const auto& info) { return testing::backend_name(info.param); });

}  // namespace
}  // namespace mc::client

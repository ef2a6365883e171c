// cppmc_bench end to end: against cppmemcached, against a server that answers wrong,
// against one that stops answering, and against no server at all. The servers here are real TCP
// servers on 127.0.0.1.

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "json_number.hpp"
#include "mc/codec/memcached_codec.hpp"
#include "mc/net/server.hpp"
#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"

namespace {

using namespace std::chrono_literals;
using mc::bench::testing::json_number;
using Codec = mc::codec::MemcachedServerCodec<>;
using FakeConnection = mc::net::Connection<Codec>;

// One I/O thread on a free port: the fakes below rely on having a single thread.
mc::net::ServerOptions one_thread() {
  mc::net::ServerOptions options;
  options.threads = 1;
  return options;
}

mc::testing::RunResult run_bench(std::uint16_t port, std::vector<std::string> extra) {
  std::vector<std::string> args = {"--servers", "127.0.0.1:" + std::to_string(port), "--json", "-"};
  args.insert(args.end(), extra.begin(), extra.end());
  return mc::testing::run(CPPMC_BENCH_PATH, args, {}, 60s);
}

TEST(CppmcBench, ProducesSaneJsonAgainstCppmemcached) {
  auto [server, port] = mc::testing::start_server(CPPMEMCACHED_PATH, {"-t", "1", "-m", "64"});
  const auto result =
      run_bench(port, {"--connections", "4", "--pipeline", "4", "--duration", "2", "--key-count",
                       "2000", "--prefill", "--verify", "--multiget", "2"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_GT(json_number(result.out, "ops_per_sec"), 0);
  EXPECT_GT(json_number(result.out, "requests"), 0);
  EXPECT_EQ(json_number(result.out, "hit_rate"), 1.0);  // every key was prefilled
  EXPECT_EQ(json_number(result.out, "verify_errors"), 0);
  EXPECT_EQ(json_number(result.out, "errors"), 0);
  EXPECT_EQ(json_number(result.out, "timeouts"), 0);
  EXPECT_EQ(json_number(result.out, "prefilled"), 2000);
  EXPECT_GT(json_number(result.out, "p99_us"), 0);
  EXPECT_LE(json_number(result.out, "p50_us"), json_number(result.out, "p99_us"));
  EXPECT_LE(json_number(result.out, "p99_us"), json_number(result.out, "p999_us"));
  server.stop();
}

TEST(CppmcBench, SendsExactlyTheRequestedNumberOfRequests) {
  auto [server, port] = mc::testing::start_server(CPPMEMCACHED_PATH, {"-t", "1"});
  const auto result =
      run_bench(port, {"--connections", "3", "--pipeline", "8", "--requests", "1000"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(json_number(result.out, "requests"), 1000);
  EXPECT_EQ(json_number(result.out, "hit_rate"), 0);  // nothing prefilled, 1:10 sets and gets
  server.stop();
}

// A memcached look-alike that corrupts what it stores: the last byte of every value changes.
// Without --verify it looks perfectly healthy (and fast).
class CorruptingServer {
 public:
  CorruptingServer() : server_(one_thread(), callbacks()) {}
  std::uint16_t port() const { return server_.local_endpoint().port(); }

 private:
  mc::net::Callbacks<Codec> callbacks() {
    mc::net::Callbacks<Codec> callbacks;
    callbacks.on_message = [this](FakeConnection& connection, const mc::codec::Request& request) {
      if (const auto* store = std::get_if<mc::codec::StorageRequest>(&request)) {
        std::string value(store->data);
        if (!value.empty()) value.back() ^= 1;
        values_[std::string(store->key)] = std::make_shared<const std::string>(std::move(value));
        connection.send(mc::codec::constant_reply(mc::codec::reply::kStored));
      } else if (const auto* get = std::get_if<mc::codec::RetrievalRequest>(&request)) {
        for (const auto key : get->keys()) {
          const auto found = values_.find(std::string(key));
          if (found == values_.end()) continue;
          const mc::codec::ValueResponse value{.key = key, .data = *found->second};
          connection.send(mc::codec::compose_reply<std::shared_ptr<const void>>(
              mc::codec::Response(value), found->second));
        }
        connection.send(mc::codec::constant_reply(mc::codec::reply::kEnd));
      }
    };
    return callbacks;
  }

  // One I/O thread: only it touches the map.
  std::map<std::string, std::shared_ptr<const std::string>> values_;
  mc::net::Server<Codec> server_;
};

TEST(CppmcBench, VerifyCatchesAServerThatReturnsWrongValues) {
  CorruptingServer server;
  const std::vector<std::string> workload = {"--connections", "2",   "--requests", "500",
                                             "--key-count",   "100", "--prefill"};
  const auto unchecked = run_bench(server.port(), workload);
  ASSERT_EQ(unchecked.status, 0) << unchecked.err;
  EXPECT_EQ(json_number(unchecked.out, "verify_errors"), 0);  // it looks fine unchecked

  auto args = workload;
  args.push_back("--verify");
  const auto checked = run_bench(server.port(), args);
  EXPECT_EQ(checked.status, 1);
  EXPECT_GT(json_number(checked.out, "verify_errors"), 0);
  EXPECT_NE(checked.err.find("values read back were wrong"), std::string::npos) << checked.err;
}

// Reads requests and never answers a get: every connection must end in timeouts, not a hang.
class SilentServer {
 public:
  SilentServer() : server_(one_thread(), callbacks()) {}
  std::uint16_t port() const { return server_.local_endpoint().port(); }

 private:
  static mc::net::Callbacks<Codec> callbacks() {
    mc::net::Callbacks<Codec> callbacks;
    callbacks.on_message = [](FakeConnection& connection, const mc::codec::Request& request) {
      if (std::holds_alternative<mc::codec::StorageRequest>(request)) {
        connection.send(mc::codec::constant_reply(mc::codec::reply::kStored));
      }
    };
    return callbacks;
  }
  mc::net::Server<Codec> server_;
};

TEST(CppmcBench, EndsAndCountsTimeoutsWhenTheServerStopsAnswering) {
  SilentServer server;
  const auto result = run_bench(server.port(), {"--connections", "3", "--pipeline", "2",
                                                "--duration", "1", "--timeout", "200"});
  ASSERT_NE(result.status, -1) << "cppmc_bench had to be killed: it hung";
  EXPECT_GT(json_number(result.out, "timeouts"), 0);
  EXPECT_EQ(json_number(result.out, "errors"), 0);
}

TEST(CppmcBench, SaysSoWhenNoServerIsListening) {
  const auto result = run_bench(mc::testing::free_port(), {"--duration", "1", "--timeout", "500"});
  ASSERT_NE(result.status, -1) << "cppmc_bench had to be killed: it hung";
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("cannot connect to any server"), std::string::npos) << result.err;
}

}  // namespace

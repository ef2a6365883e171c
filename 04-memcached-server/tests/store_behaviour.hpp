// What the store behaviour tests share: starting cppmemcached or memcached with the same
// flags, and a blocking client's view of storage commands, retrievals and stats.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"

namespace store_behaviour {

using mc::testing::LineClient;
using mc::testing::Process;

inline constexpr std::string_view kMemcached = "/usr/bin/memcached";

enum class Server { kCppmemcached, kMemcached };

inline std::string server_name(Server server) {
  return server == Server::kCppmemcached ? "cppmemcached" : "memcached";
}

struct RunningServer {
  Process process;
  std::uint16_t port;
};

// Both servers get the same flags. cppmemcached picks a free port itself and prints it;
// memcached is handed one, and as root it must be told which user to become.
inline RunningServer start_server(Server server, std::vector<std::string> flags) {
  flags.insert(flags.end(), {"-l", "127.0.0.1", "-U", "0"});
  if (server == Server::kCppmemcached) {
    auto [process, port] = mc::testing::start_server(CPPMEMCACHED_PATH, std::move(flags));
    return {std::move(process), port};
  }
  const std::uint16_t port = mc::testing::free_port();
  flags.insert(flags.end(), {"-p", std::to_string(port)});
  if (::geteuid() == 0) flags.insert(flags.end(), {"-u", "nobody"});
  Process process = Process::start(std::string(kMemcached), flags);
  if (!mc::testing::wait_until_accepting(port)) {
    throw std::runtime_error("memcached did not start: " + process.stderr_text());
  }
  return {std::move(process), port};
}

// A value whose bytes depend on their position and on `salt`, so a reply that returns an
// older value of the same length, or a shifted one, does not compare equal.
inline std::string pattern(std::size_t size, unsigned salt = 0) {
  static constexpr std::string_view kAlphabet =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string value(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    value[i] = kAlphabet[(i * 7 + i / kAlphabet.size() + salt) % kAlphabet.size()];
  }
  return value;
}

// Sends one storage command (set, add, append, ...) and returns its reply line.
inline std::string store(LineClient& client, std::string_view command, std::string_view key,
                         std::string_view value) {
  client.send(fmt::format("{} {} 0 0 {}\r\n{}\r\n", command, key, value.size(), value));
  return client.read_line();
}

struct Value {
  std::string key;
  std::string data;
  std::uint64_t cas = 0;  // 0 unless the reply carried one (gets)
};

// Reads a whole retrieval reply: VALUE lines with their data blocks, up to END. Any other
// line (an error) throws, quoting it.
inline std::vector<Value> read_values(LineClient& client) {
  std::vector<Value> values;
  for (std::string line = client.read_line(); line != "END\r\n"; line = client.read_line()) {
    std::istringstream header(line);
    std::string word;
    Value value;
    std::uint32_t flags = 0;
    std::size_t bytes = 0;
    if (!(header >> word >> value.key >> flags >> bytes) || word != "VALUE") {
      throw std::runtime_error("expected VALUE or END, got: " + line);
    }
    header >> value.cas;
    std::string block = client.read_exact(bytes + 2);
    if (!block.ends_with("\r\n")) throw std::runtime_error("data block of " + value.key);
    block.resize(bytes);
    value.data = std::move(block);
    values.push_back(std::move(value));
  }
  return values;
}

// `get key`: the value, or nothing on a miss.
inline std::optional<std::string> get(LineClient& client, std::string_view key) {
  client.send(fmt::format("get {}\r\n", key));
  auto values = read_values(client);
  if (values.empty()) return std::nullopt;
  return std::move(values.front().data);
}

// Checks `get key` without printing megabytes when the values differ.
inline void expect_value(LineClient& client, std::string_view key, const std::string& expected) {
  const auto actual = get(client, key);
  ASSERT_TRUE(actual.has_value()) << key << " is missing";
  EXPECT_EQ(actual->size(), expected.size()) << key;
  EXPECT_TRUE(*actual == expected) << key << " holds other bytes";
}

// `stats` or `stats <group>`: every STAT line as name and value.
inline std::map<std::string, std::string> stats(LineClient& client, std::string_view group = {}) {
  client.send(group.empty() ? std::string("stats\r\n") : fmt::format("stats {}\r\n", group));
  std::map<std::string, std::string> result;
  for (std::string line = client.read_line(); line != "END\r\n"; line = client.read_line()) {
    std::istringstream fields(line);
    std::string word, name, value;
    if (!(fields >> word >> name >> value) || word != "STAT") {
      throw std::runtime_error("expected STAT or END, got: " + line);
    }
    result[name] = value;
  }
  return result;
}

inline std::uint64_t stat_value(LineClient& client, const std::string& name) {
  return std::stoull(stats(client).at(name));
}

// Sets `count` keys `<prefix><n>`, the value of key n being `sizes[n % sizes.size()]` bytes,
// a thousand requests per write; returns how many were not STORED.
inline int set_many(LineClient& client, std::string_view prefix, int first, int count,
                    const std::vector<std::size_t>& sizes) {
  constexpr int kBatch = 1000;
  const std::string longest(*std::max_element(sizes.begin(), sizes.end()), 'v');
  int refused = 0;
  for (int start = first; start < first + count; start += kBatch) {
    const int end = std::min(first + count, start + kBatch);
    std::string batch;
    for (int n = start; n < end; ++n) {
      const std::size_t size = sizes[static_cast<std::size_t>(n) % sizes.size()];
      batch += fmt::format("set {}{} 0 0 {}\r\n", prefix, n, size);
      batch.append(longest, 0, size).append("\r\n");
    }
    client.send(batch);
    for (int n = start; n < end; ++n) {
      if (client.read_line() != "STORED\r\n") ++refused;
    }
  }
  return refused;
}

// One running server per call to start(), stopped by PID when the test ends. The exit status
// is not checked here: these tests are about the store, and server_test checks the shutdown.
class StoreBehaviour : public ::testing::TestWithParam<Server> {
 protected:
  std::uint16_t start(std::vector<std::string> flags) {
    servers_.push_back(start_server(GetParam(), std::move(flags)));
    return servers_.back().port;
  }

  void TearDown() override {
    for (auto& server : servers_) {
      server.process.stop();
      // A server that died (a sanitizer's report, say) wrote why to its own stderr.
      if (HasFailure())
        std::fprintf(stderr, "server stderr:\n%s\n", server.process.stderr_text().c_str());
    }
  }

  std::vector<RunningServer> servers_;
};

}  // namespace store_behaviour

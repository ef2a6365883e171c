#include "soak_server.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "mc/testing/net.hpp"

namespace mc::bench::soak::detail {

namespace {

// Process::start runs a path, not a name: find `memcached` on PATH as a shell would.
std::string find_binary(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const std::filesystem::path candidate = std::filesystem::path(dirs.substr(0, colon)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  throw std::runtime_error("cannot find " + name + " on PATH");
}

//! [server-flags]
std::vector<std::string> common_flags(const SoakOptions& options) {
  std::vector<std::string> flags = {"-t", std::to_string(options.server_threads),
                                    "-m", std::to_string(options.memory_mb),
                                    "-c", std::to_string(options.max_connections)};
  // -M: refuse a store rather than evict, so that a miss is always a bug.
  if (!options.evictions) flags.push_back("-M");
  return flags;
}

std::pair<testing::Process, std::uint16_t> start(const SoakOptions& options) {
  const std::string path = find_binary(options.server);
  std::vector<std::string> flags = common_flags(options);
  if (!options.memcached) return testing::start_server(path, flags);  // -p 0, reads the port
  // memcached cannot pick a port and say which: give it one that was free a moment ago.
  const std::uint16_t port = testing::free_port();
  for (const std::string flag : {"-u", "nobody", "-l", "127.0.0.1", "-U", "0", "-p"}) {
    flags.push_back(flag);
  }
  flags.push_back(std::to_string(port));
  auto process = testing::Process::start(path, flags);
  if (!testing::wait_until_accepting(port)) {
    throw std::runtime_error("memcached did not accept on port " + std::to_string(port) + ": " +
                             process.stderr_text());
  }
  return {std::move(process), port};
}
//! [server-flags]

}  // namespace

SoakServer::SoakServer(const SoakOptions& options) : SoakServer(start(options)) {}

SoakServer::SoakServer(std::pair<testing::Process, std::uint16_t> started)
    : process_(std::move(started.first)), port_(started.second) {}

std::optional<std::uint64_t> SoakServer::rss_kib() const {
  std::ifstream status("/proc/" + std::to_string(process_.pid()) + "/status");
  std::string word;
  while (status >> word) {
    if (word != "VmRSS:") continue;
    std::uint64_t kib = 0;
    if (status >> kib) return kib;
  }
  return std::nullopt;
}

std::optional<int> SoakServer::terminate(std::chrono::milliseconds within) {
  process_.signal(SIGTERM);
  if (auto status = process_.wait(within)) return status;
  process_.stop(std::chrono::milliseconds(0));
  return std::nullopt;
}

}  // namespace mc::bench::soak::detail

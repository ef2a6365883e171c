// set_get: stores a key on a memcached server and reads it back, with cppmemcached's client
// library. A program outside the tutorial's build: see CMakeLists.txt here, or build it alone:
//   c++ -std=c++20 set_get.cpp $(pkg-config --cflags --libs cppmemcached-client) -o set_get
// Run: set_get [HOST [PORT]]   (default 127.0.0.1 11211)
#include <cstdio>
#include <cstdlib>

#include "mc/client/sync_client.hpp"

int main(int argc, char** argv) {
  mc::client::ServerAddress server{.host = argc > 1 ? argv[1] : "127.0.0.1"};
  if (argc > 2) server.port = static_cast<std::uint16_t>(std::atoi(argv[2]));
  mc::client::SyncClient client({server});

  const auto stored = client.set("greeting", "hello from set_get");
  if (!stored || *stored != mc::client::Status::kStored) {
    std::fprintf(stderr, "set failed: %s\n",
                 stored ? "not stored" : stored.error().message().c_str());
    return 1;
  }
  const auto item = client.get("greeting");
  if (!item || !*item) {
    std::fprintf(stderr, "get failed: %s\n", item ? "not found" : item.error().message().c_str());
    return 1;
  }
  std::printf("greeting = %s\n", (*item)->value.c_str());
  return 0;
}

#include "mc/net/spare_read_buffers.hpp"

#include <array>
#include <utility>

namespace mc::net {
namespace {

struct Spare {
  std::unique_ptr<char[]> buffer;
  std::size_t size = 0;
};

// Each thread's stock. A thread's connections take and give back in turn, so one buffer
// usually serves them all.
thread_local std::array<Spare, SpareReadBuffers::kKept> stock;
thread_local std::size_t stocked = 0;

}  // namespace

std::unique_ptr<char[]> SpareReadBuffers::take(std::size_t size) {
  for (std::size_t i = stocked; i-- > 0;) {
    if (stock[i].size != size) continue;
    auto buffer = std::move(stock[i].buffer);
    stock[i] = std::move(stock[--stocked]);
    return buffer;
  }
  // Not zeroed: a read overwrites what it uses.
  return std::make_unique_for_overwrite<char[]>(size);
}

void SpareReadBuffers::give_back(std::unique_ptr<char[]> buffer, std::size_t size) {
  if (stocked == kKept || !buffer) return;  // freed here
  stock[stocked++] = Spare{std::move(buffer), size};
}

std::size_t SpareReadBuffers::kept() { return stocked; }

}  // namespace mc::net

/// \file
/// \brief Read buffers that a thread's idle connections have given back, for the next
/// connection of that thread with bytes to read.

#pragma once

#include <cstddef>
#include <memory>

namespace mc::net {

/// \brief A per-thread stock of read buffers. A connection with nothing buffered gives its
/// read buffer back before it waits for bytes, and takes one when bytes arrive: ten thousand
/// idle connections hold no read buffer at all, and the few that are reading share a handful.
/// memcached does the same with its per-thread read buffer cache.
///
/// Every function works on the calling thread's own stock, so no lock is needed; a connection
/// always calls them from its own thread.
class SpareReadBuffers {
 public:
  /// How many buffers a thread keeps at most; more are freed.
  static constexpr std::size_t kKept = 4;

  /// \brief A buffer of `size` bytes (contents undefined): a kept one if there is one of that
  /// size, else a new one.
  static std::unique_ptr<char[]> take(std::size_t size);

  /// \brief Keeps `buffer` (of `size` bytes) for the next take(), or frees it if the thread
  /// already keeps kKept.
  static void give_back(std::unique_ptr<char[]> buffer, std::size_t size);

  /// \brief How many buffers the calling thread keeps now (for tests).
  static std::size_t kept();
};

}  // namespace mc::net

/// \file
/// \brief Counters a connection keeps about itself, readable from any thread.

#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "mc/common/counter.hpp"

namespace mc::net {

/// \brief What one connection has done so far. Only the connection's own thread writes these;
/// any thread may read them (tests, a stats command, a monitoring thread).
struct ConnectionStats {
  std::atomic<std::uint64_t> bytes_read{0};        ///< bytes received from the peer
  std::atomic<std::uint64_t> reads{0};             ///< reads of the socket that brought bytes
  std::atomic<std::uint64_t> bytes_written{0};     ///< bytes the writer handed to the socket
  std::atomic<std::uint64_t> messages_decoded{0};  ///< messages passed to on_message
  std::atomic<std::uint64_t> messages_sent{0};     ///< messages queued by send()
  std::atomic<std::uint64_t> write_calls{0};       ///< gathered async_write calls
  std::atomic<std::uint64_t> read_pauses{0};       ///< times backpressure stopped the reader
  std::atomic<bool> reader_paused{false};          ///< backpressure stops the reader now
  std::atomic<std::uint64_t> yields{0};      ///< times the reader let others run (a turn was used)
  std::atomic<std::size_t> queued_bytes{0};  ///< encoded bytes waiting to be written
  std::atomic<std::size_t> peak_queued_bytes{0};  ///< the most queued_bytes ever was
  std::atomic<std::size_t> read_buffer_bytes{0};  ///< the read buffer's size now
  std::atomic<std::uint64_t> sleeps{0};  ///< times it went to sleep while idle (sleep_if_idle)
};

}  // namespace mc::net

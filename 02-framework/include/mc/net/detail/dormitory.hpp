/// \file
/// \brief Where the sleeping connections of one io_context wait: one epoll set for all of them.

#pragma once

#include <cstddef>
#include <system_error>

#include <asio/execution_context.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>

namespace mc::net::detail {

/// \brief What waits in a Dormitory: told when its socket has something to read (or its peer
/// has gone).
class Sleeper {
 public:
  /// \brief Called on the dormitory's thread when the sleeper's descriptor is readable or hung
  /// up. The sleeper must dismiss() it: until then it is reported again at every look.
  virtual void wake_in_dormitory() = 0;

 protected:
  ~Sleeper() = default;
};

/// \brief An Asio service, one per io_context (`asio::use_service<Dormitory>(context)`), that
/// watches the sockets of that io_context's sleeping connections in an epoll set of its own.
///
/// A socket that Asio watches costs its reactor a 168-byte record, and a readiness wait on it
/// an 88-byte operation. A socket released from Asio and admitted here costs the process
/// nothing: the kernel keeps its entry in the set, and all the sleepers of a thread share one
/// wait. Waking one costs two system calls (out of this set, back into Asio's), which is why
/// only connections idle for a while sleep.
///
/// Like the connections it serves, a dormitory belongs to the one thread that runs its
/// io_context: every member function must be called there.
class Dormitory final : public asio::execution_context::service {
 public:
  /// \brief The service's identity for asio::use_service.
  inline static asio::execution_context::id id;

  /// \brief Creates the epoll set (throws std::system_error if the kernel refuses).
  explicit Dormitory(asio::io_context& context);

  /// \brief Watches `fd` (no longer in any Asio socket) for `sleeper`. On failure (no memory
  /// for the kernel's entry) returns the error and watches nothing.
  std::error_code admit(int fd, Sleeper& sleeper);

  /// \brief Stops watching `fd`, before it goes back to an Asio socket or is closed.
  void dismiss(int fd);

  /// \brief How many descriptors are admitted now.
  std::size_t size() const { return sleepers_; }

 private:
  void shutdown() override {}
  void watch();
  void wake_ready();

  asio::posix::stream_descriptor set_;  // the epoll set's own descriptor, watched by Asio
  std::size_t sleepers_ = 0;
  bool watching_ = false;
};

}  // namespace mc::net::detail

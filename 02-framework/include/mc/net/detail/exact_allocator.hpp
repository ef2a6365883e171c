/// \file
/// \brief An allocator that gives an Asio operation a block of exactly its own size.

#pragma once

#include <cstddef>
#include <memory>

namespace mc::net::detail {

/// \brief Plain `operator new` and `delete`, for handlers bound with asio::bind_allocator.
///
/// By default Asio allocates each pending operation through a small per-thread cache that
/// hands out any free block big enough. That is fast for the short operations of a busy
/// connection, but a wait that may last hours should not keep a block sized for the last,
/// larger operation: a sleeping connection's readiness wait took 270 bytes that way, against
/// 88 for the operation itself. (Asio treats every std::allocator as "use the cache", hence a
/// type of our own.)
template <typename T>
struct ExactAllocator {
  using value_type = T;  ///< what allocate() returns memory for

  ExactAllocator() = default;
  /// \brief Asio rebinds the allocator to its operation's type.
  template <typename U>
  ExactAllocator(const ExactAllocator<U>& /*other*/) noexcept {
  }  // NOLINT(google-explicit-constructor)

  /// \brief Memory for `n` objects of type T.
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  /// \brief Gives back what allocate(n) returned.
  void deallocate(T* pointer, std::size_t n) noexcept {
    std::allocator<T>{}.deallocate(pointer, n);
  }

  /// \brief All ExactAllocators are interchangeable.
  template <typename U>
  bool operator==(const ExactAllocator<U>& /*other*/) const noexcept {
    return true;
  }
};

}  // namespace mc::net::detail

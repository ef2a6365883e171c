/// \file
/// \brief Asio spellings shared by every stage: errors as values, and spawn handlers that report.

#pragma once

#include <exception>
#include <string>

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace mc::common {

/// \brief Completion token for coroutines that want `(error_code, result...)` as a tuple
/// instead of an exception: on hot paths a closed socket is a normal event, not an error.
inline constexpr asio::experimental::as_tuple_t<asio::use_awaitable_t<>> kUseTuple{};

/// \brief kUseTuple for a coroutine of type `asio::awaitable<T, Executor>`, one that runs on a
/// concrete executor type rather than asio::any_io_executor. Hot paths use it: each completion
/// then skips a type-erased copy of the executor and a type-erased dispatch.
template <typename Executor>
inline constexpr asio::experimental::as_tuple_t<asio::use_awaitable_t<Executor>> kUseTupleOn{};

/// \brief Logs `error` at error level, naming the task it escaped from.
void log_exception(const std::string& task, std::exception_ptr error);

/// \brief A `co_spawn` completion handler that logs an escaped exception instead of dropping it
/// silently, as `asio::detached` would.
/// \param task a name for the log line, such as `"accept loop"`
/// \return a handler callable with the coroutine's `std::exception_ptr`
inline auto report_exception(std::string task) {
  return [task = std::move(task)](std::exception_ptr error) {
    if (error) log_exception(task, error);
  };
}

}  // namespace mc::common

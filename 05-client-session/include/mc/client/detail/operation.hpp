/// \file
/// \brief One request in a session: its command, the reply gathered so far, its deadline, and
/// the caller's completion handler, called exactly once.

#pragma once

#include <chrono>
#include <memory>
#include <system_error>
#include <type_traits>
#include <utility>

#include <asio/associated_executor.hpp>
#include <asio/dispatch.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include "mc/client/detail/command.hpp"
#include "mc/client/detail/reply.hpp"
#include "mc/client/result.hpp"

namespace mc::client::detail {

/// \brief A request from submission to completion. The session owns it through a shared_ptr
/// (its queues, and the write queue, which views its bytes).
///
/// complete() may be called many times (a reply, a timeout, a lost connection race for it); only
/// the first call reaches the caller. A request that timed out stays in the session's FIFO,
/// done, until its late reply arrives and is thrown away: that keeps every later reply matched
/// to the right request.
class Operation {
 public:
  /// \brief A request for `command`.
  explicit Operation(Command command) : command(std::move(command)) {}
  virtual ~Operation() = default;
  Operation(const Operation&) = delete;
  Operation& operator=(const Operation&) = delete;

  /// \brief Whether the caller has been given an outcome.
  [[nodiscard]] bool done() const { return done_; }

  /// \brief Gives the caller the reply (`error` empty) or `error`, unless that happened already.
  /// The handler runs inline if the caller shares the session's executor.
  void complete(std::error_code error) {
    if (done_) return;
    done_ = true;
    deliver(error, Delivery::kDispatch);
  }

  /// \brief As complete(), but the handler is always queued, never run from inside this call.
  /// For outcomes known while the call is being made (a bad key, no connection): Asio requires
  /// that an operation completing inside its initiating function does not call the handler
  /// from there, or a coroutine looping on a failing call would recurse until the stack ends.
  void complete_posted(std::error_code error) {
    if (done_) return;
    done_ = true;
    deliver(error, Delivery::kPost);
  }

  Command command;  ///< what to send and how its reply looks
  Reply reply;      ///< the reply so far
  /// When the session completes it with Error::kTimeout, unless something else came first.
  std::chrono::steady_clock::time_point deadline{};

 protected:
  /// \brief Whether the handler may run inline (dispatch) or must be queued (post).
  enum class Delivery { kDispatch, kPost };

  /// \brief Hands the outcome to the caller's handler, on the handler's own executor.
  virtual void deliver(std::error_code error, Delivery how) = 0;

 private:
  bool done_ = false;
};

/// \brief An Operation whose result is a `Result<T>` for a handler of signature
/// `void(Result<T>)`: a coroutine's use_awaitable, a use_future promise or a plain callback.
template <typename T, typename Handler>
class TypedOperation final : public Operation {
 public:
  /// \brief Takes the handler; keeps its executor busy (work guard) until completion, as Asio
  /// requires of an outstanding asynchronous operation.
  TypedOperation(Command command, asio::io_context::executor_type executor, Handler handler)
      : Operation(std::move(command)),
        work_(asio::get_associated_executor(handler, executor)),
        handler_(std::move(handler)) {}

 private:
  //! [deliver]
  void deliver(std::error_code error, Delivery how) override {
    Result<T> result =
        error ? Result<T>(error) : to_result(std::move(reply), std::type_identity<T>{});
    // A coroutine resumes on its own executor and a callback runs where it asked to run:
    // dispatch() runs it inline if we are there already, else it queues it there; post()
    // always queues it, for outcomes known before the initiating call has returned.
    auto invoke = [handler = std::move(handler_), result = std::move(result)]() mutable {
      std::move(handler)(std::move(result));
    };
    if (how == Delivery::kPost) {
      asio::post(work_.get_executor(), std::move(invoke));
    } else {
      asio::dispatch(work_.get_executor(), std::move(invoke));
    }
    work_.reset();
  }
  //! [deliver]

  using Executor = asio::associated_executor_t<Handler, asio::io_context::executor_type>;
  asio::executor_work_guard<Executor> work_;
  Handler handler_;
};

}  // namespace mc::client::detail

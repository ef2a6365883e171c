/// \file
/// \brief A GoogleTest fixture that runs one server binary per test.

#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mc/testing/process.hpp"

namespace mc::testing {

/// \brief Starts a server binary for a test and stops it afterwards, expecting a clean exit.
///
/// A fixture derived from it calls start() in SetUp() (or in the test itself, to choose the
/// flags); TearDown() sends SIGTERM and expects exit status 0. A test that stops the server
/// itself calls forget() afterwards.
class ServerFixture : public ::testing::Test {
 protected:
  /// \brief Starts `path` with `-p 0` and `args`, and waits for its `listening on` line.
  void start(const std::string& path, std::vector<std::string> args = {}) {
    auto [server, port] = start_server(path, std::move(args));
    server_.emplace(std::move(server));
    port_ = port;
  }

  /// \brief Stops the server and checks that it exited with status 0.
  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->stop(), 0) << server_->stderr_text();
    }
  }

  /// \brief Lets go of a server the test has stopped (or watched stop) itself.
  void forget() { server_.reset(); }

  std::optional<Process> server_;  ///< the running server, if any
  std::uint16_t port_ = 0;         ///< the port it listens on
};

}  // namespace mc::testing

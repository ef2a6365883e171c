#include "mc/common/cli.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

// CLI11 takes argv from the end; this keeps the test's arguments in reading order.
void parse(CLI::App& app, std::vector<std::string> args) {
  std::reverse(args.begin(), args.end());
  app.parse(args);
}

TEST(Cli, ServerOptionsHaveTheirDefaults) {
  CLI::App app;
  mc::common::ServerOptions options;
  mc::common::add_server_options(app, options);
  parse(app, {});
  EXPECT_EQ(options.listen, "127.0.0.1");
  EXPECT_EQ(options.port, 11211);
  EXPECT_EQ(options.threads, 1u);
  EXPECT_EQ(options.verbosity, 0);
}

TEST(Cli, ParsesEveryServerFlag) {
  CLI::App app;
  mc::common::ServerOptions options;
  mc::common::add_server_options(app, options);
  parse(app, {"-p", "0", "-l", "127.0.0.2", "-t", "3", "-vv"});
  EXPECT_EQ(options.port, 0);
  EXPECT_EQ(options.listen, "127.0.0.2");
  EXPECT_EQ(options.threads, 3u);
  EXPECT_EQ(options.verbosity, 2);
}

TEST(Cli, RejectsAPortOutOfRange) {
  CLI::App app;
  mc::common::ServerOptions options;
  mc::common::add_server_options(app, options);
  EXPECT_THROW(parse(app, {"-p", "70000"}), CLI::ParseError);
}

TEST(Cli, RejectsZeroThreads) {
  CLI::App app;
  mc::common::ServerOptions options;
  mc::common::add_server_options(app, options);
  EXPECT_THROW(parse(app, {"-t", "0"}), CLI::ParseError);
}

}  // namespace

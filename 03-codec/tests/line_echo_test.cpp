// line_echo_server, run as a real process on a free port.

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"
#include "mc/testing/server_fixture.hpp"

namespace {

class LineEchoServerTest : public mc::testing::ServerFixture {
 protected:
  void SetUp() override { start(LINE_ECHO_SERVER_PATH, {"--max-line", "16"}); }
};

TEST_F(LineEchoServerTest, EchoesEachLine) {
  mc::testing::LineClient client(port_);
  client.send("hello\r\nsecond line\r\n");
  EXPECT_EQ(client.read_line(), "hello\r\n");
  EXPECT_EQ(client.read_line(), "second line\r\n");
  client.send("split ");
  client.send("line\r\n");
  EXPECT_EQ(client.read_line(), "split line\r\n");
}

TEST_F(LineEchoServerTest, AnswersAnOverLongLineWithAnErrorAndCloses) {
  mc::testing::LineClient client(port_);
  client.send("short\r\nthis line is far too long\r\nnever read\r\n");
  EXPECT_EQ(client.read_line(), "short\r\n");
  EXPECT_EQ(client.read_line(), "ERROR line longer than 16 bytes\r\n");
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(LineEchoServerTest, KeepsServingOtherClients) {
  mc::testing::LineClient bad(port_);
  bad.send(std::string(100, 'x'));
  EXPECT_EQ(bad.read_line(), "ERROR line longer than 16 bytes\r\n");
  mc::testing::LineClient good(port_);
  good.send("still here\r\n");
  EXPECT_EQ(good.read_line(), "still here\r\n");
}

}  // namespace

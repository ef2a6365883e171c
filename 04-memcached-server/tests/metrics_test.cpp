// The metrics endpoint of a running cppmemcached (-o metrics_port=0), read the way operators
// read it: with curl-like requests, with promtool, and with a real Prometheus scraping it.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"

namespace {

using namespace std::chrono_literals;
using mc::testing::LineClient;
using mc::testing::Process;

constexpr const char* kPromtool = "/usr/bin/promtool";
constexpr const char* kPrometheus = "/usr/bin/prometheus";

struct HttpReply {
  std::string status_line;
  std::string headers;
  std::string body;
};

// One request on a new connection; the server answers and closes.
HttpReply http(std::uint16_t port, const std::string& request) {
  LineClient client(port);
  client.send(request);
  HttpReply reply;
  reply.status_line = client.read_line();
  std::size_t length = 0;
  for (std::string line = client.read_line(); line != "\r\n"; line = client.read_line()) {
    reply.headers += line;
    if (line.starts_with("Content-Length: ")) length = std::stoul(line.substr(16));
  }
  reply.body = client.read_exact(length);
  EXPECT_TRUE(client.wait_closed(10s)) << "the listener keeps the connection open";
  return reply;
}

HttpReply get(std::uint16_t port, const std::string& path) {
  return http(port,
              fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path));
}

// The value of one sample line (`name{labels} value`) in an exposition, or -1.
double sample(const std::string& exposition, const std::string& series) {
  const std::string prefix = series + " ";
  std::size_t at = 0;
  while ((at = exposition.find(prefix, at)) != std::string::npos) {
    if (at == 0 || exposition[at - 1] == '\n') {
      return std::stod(exposition.substr(at + prefix.size()));
    }
    at += prefix.size();
  }
  return -1;
}

// A cppmemcached with metrics on a port it picked; it prints that port before `listening on`.
class Metrics : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.emplace(Process::start(CPPMEMCACHED_PATH, {"-p", "0", "-o", "metrics_port=0"}));
    const std::regex metrics_line(R"(metrics on http://127\.0\.0\.1:(\d+)/metrics)");
    while (auto line = server_->read_line(10s)) {
      std::smatch match;
      if (std::regex_match(*line, match, metrics_line)) metrics_port_ = std::stoi(match[1]);
      if (line->starts_with("listening on ")) {
        port_ = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
        break;
      }
    }
    ASSERT_NE(port_, 0) << server_->stderr_text();
    ASSERT_NE(metrics_port_, 0) << "no metrics line";
  }

  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->stop(), 0) << server_->stderr_text();
    }
  }

  // Three sets, two hits, one miss, one delete.
  void drive() {
    LineClient client(port_);
    for (int i = 0; i < 3; ++i) {
      client.send(fmt::format("set k{} 0 0 1\r\nx\r\n", i));
      ASSERT_EQ(client.read_line(), "STORED\r\n");
    }
    client.send("get k0\r\nget k1\r\nget nope\r\ndelete k2\r\n");
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(client.read_line(), fmt::format("VALUE k{} 0 1\r\n", i));
      ASSERT_EQ(client.read_line(), "x\r\n");
      ASSERT_EQ(client.read_line(), "END\r\n");
    }
    ASSERT_EQ(client.read_line(), "END\r\n");
    ASSERT_EQ(client.read_line(), "DELETED\r\n");
  }

  // The metrics once `name` reads `expected`, within a bounded wait: a client's close reaches
  // the server after the client has moved on, so connection counts settle a moment later.
  std::string scrape_when(const std::string& name, double expected) {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    do {
      text = get(metrics_port_, "/metrics").body;
    } while (sample(text, name) != expected && std::chrono::steady_clock::now() < deadline);
    return text;
  }

  std::optional<Process> server_;
  std::uint16_t port_ = 0;
  std::uint16_t metrics_port_ = 0;
};

TEST_F(Metrics, CountsCommandsUnderMemcachedExporterNames) {
  drive();
  scrape_when("memcached_current_connections", 0);  // drive()'s connection has gone
  const auto reply = get(metrics_port_, "/metrics");
  EXPECT_EQ(reply.status_line, "HTTP/1.1 200 OK\r\n");
  EXPECT_NE(reply.headers.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  const std::string& text = reply.body;
  EXPECT_EQ(sample(text, R"(memcached_commands_total{command="get",status="hit"})"), 2);
  EXPECT_EQ(sample(text, R"(memcached_commands_total{command="get",status="miss"})"), 1);
  EXPECT_EQ(sample(text, R"(memcached_commands_total{command="set",status="hit"})"), 3);
  EXPECT_EQ(sample(text, R"(memcached_commands_total{command="delete",status="hit"})"), 1);
  EXPECT_EQ(sample(text, "memcached_current_items"), 2);
  EXPECT_EQ(sample(text, "memcached_items_total"), 3);
  EXPECT_EQ(sample(text, "memcached_current_connections"), 0);
  EXPECT_EQ(sample(text, "memcached_connections_total"), 1);
  EXPECT_GT(sample(text, "memcached_read_bytes_total"), 0);
}

TEST_F(Metrics, TimesEachCommandInAHistogram) {
  drive();
  const std::string text = get(metrics_port_, "/metrics").body;
  EXPECT_EQ(sample(text, R"(cppmemcached_command_duration_seconds_count{command="set"})"), 3);
  EXPECT_EQ(sample(text, R"(cppmemcached_command_duration_seconds_count{command="get"})"), 3);
  EXPECT_EQ(
      sample(text, R"(cppmemcached_command_duration_seconds_bucket{command="get",le="+Inf"})"), 3);
  EXPECT_GT(sample(text, R"(cppmemcached_command_duration_seconds_sum{command="get"})"), 0);
  EXPECT_EQ(sample(text, R"(cppmemcached_command_duration_seconds_count{command="incr"})"), -1)
      << "a command never sent has no series";
}

TEST_F(Metrics, ShowsConnectionsByStateAndMemoryByUse) {
  LineClient idle(port_);
  idle.send("version\r\n");
  ASSERT_TRUE(idle.read_line().starts_with("VERSION "));
  drive();
  const std::string text = scrape_when(R"(cppmemcached_connections{state="reading"})", 1);
  EXPECT_EQ(sample(text, R"(cppmemcached_connections{state="reading"})"), 1);
  EXPECT_EQ(sample(text, R"(cppmemcached_connections{state="blocked"})"), 0);
  EXPECT_GT(sample(text, R"(cppmemcached_memory_bytes{use="items"})"), 0);
  EXPECT_GT(sample(text, R"(cppmemcached_memory_bytes{use="hash_table"})"), 0);
  // Idle connections hold no read buffer; one with half a value buffered holds one. (Polled:
  // a connection gives its buffer back just after its reply has gone.)
  const auto read_buffers_become = [&](auto condition) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition(sample(get(metrics_port_, "/metrics").body,
                           R"(cppmemcached_memory_bytes{use="read_buffers"})"))) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(read_buffers_become([](double bytes) { return bytes == 0; }));
  LineClient half(port_);
  half.send("set half 0 0 100\r\n0123456789");
  EXPECT_TRUE(read_buffers_become([](double bytes) { return bytes > 0; }));
}

TEST_F(Metrics, AnswersHealthzAndRefusesTheRest) {
  const auto health = get(metrics_port_, "/healthz");
  EXPECT_EQ(health.status_line, "HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(health.body, "OK\n");
  EXPECT_EQ(get(metrics_port_, "/nope").status_line, "HTTP/1.1 404 Not Found\r\n");
  EXPECT_EQ(http(metrics_port_, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n").status_line,
            "HTTP/1.1 405 Method Not Allowed\r\n");
  EXPECT_EQ(http(metrics_port_, "stats\r\n\r\n").status_line, "HTTP/1.1 400 Bad Request\r\n");
  EXPECT_EQ(http(metrics_port_, "GET /metrics HTTP/1.1\r\n" + std::string(9000, 'x')).status_line,
            "HTTP/1.1 400 Bad Request\r\n");
}

TEST_F(Metrics, StopsCleanlyWithAScrapeHalfSent) {
  LineClient stalled(metrics_port_);
  stalled.send("GET /metr");
  EXPECT_EQ(server_->stop(), 0) << server_->stderr_text();
  server_.reset();
  EXPECT_TRUE(stalled.wait_closed(10s));
}

TEST_F(Metrics, PassesPromtoolCheck) {
  if (!std::filesystem::exists(kPromtool)) GTEST_SKIP() << kPromtool << " is not installed";
  drive();
  const std::string text = get(metrics_port_, "/metrics").body;
  const auto result = mc::testing::run(kPromtool, {"check", "metrics"}, text, 30s);
  EXPECT_EQ(result.status, 0) << result.out << result.err;
}

// A real Prometheus scrapes the server every 200 ms; its query API must then show the counter
// the test moved.
TEST_F(Metrics, IsScrapedByARealPrometheus) {
  if (!std::filesystem::exists(kPrometheus)) GTEST_SKIP() << kPrometheus << " is not installed";
  char dir_template[] = "/tmp/cppmc-prometheus-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::filesystem::path dir = dir_template;
  {
    std::ofstream config(dir / "prometheus.yml");
    config << fmt::format(
        "global:\n"
        "  scrape_interval: 200ms\n"
        "  scrape_timeout: 200ms\n"
        "scrape_configs:\n"
        "  - job_name: cppmemcached\n"
        "    static_configs:\n"
        "      - targets: ['127.0.0.1:{}']\n",
        metrics_port_);
  }
  const std::uint16_t web_port = mc::testing::free_port();
  auto prometheus = Process::start(
      kPrometheus, {fmt::format("--config.file={}", (dir / "prometheus.yml").string()),
                    fmt::format("--storage.tsdb.path={}", (dir / "data").string()),
                    fmt::format("--web.listen-address=127.0.0.1:{}", web_port)});
  ASSERT_TRUE(mc::testing::wait_until_accepting(web_port, 20s)) << prometheus.stderr_text();
  drive();
  // memcached_commands_total{command="get",status="hit"}, URL-encoded.
  const std::string query =
      "/api/v1/query?query=memcached_commands_total%7Bcommand%3D%22get%22%2Cstatus%3D%22hit%22%7D";
  std::string last;
  bool seen = false;
  for (const auto deadline = std::chrono::steady_clock::now() + 20s;
       !seen && std::chrono::steady_clock::now() < deadline;) {
    last = get(web_port, query).body;
    // {"status":"success","data":{"resultType":"vector","result":[{"metric":{...},"value":[t,"2"]}]}}
    seen = last.find(R"(,"2"]})") != std::string::npos;
    if (!seen) {
      // Not a sleep for correctness: a bounded poll, paced so as not to spin.
      std::this_thread::sleep_for(100ms);
    }
  }
  EXPECT_TRUE(seen) << "last answer: " << last << "\nprometheus: " << prometheus.stderr_text();
  EXPECT_EQ(prometheus.stop(), 0);
  std::filesystem::remove_all(dir);
}

TEST(MetricsPort, IsRefusedWhenNotAPort) {
  for (const std::string option : {"metrics_port=", "metrics_port=http", "metrics_port=65536"}) {
    SCOPED_TRACE(option);
    const auto result = mc::testing::run(CPPMEMCACHED_PATH, {"-p", "0", "-o", option}, {}, 10s);
    EXPECT_EQ(result.status, 1);
    EXPECT_NE(result.err.find("metrics_port requires a port number"), std::string::npos)
        << result.err;
  }
}

TEST(MetricsPort, InUseStopsTheServerAtStart) {
  // The port of a listener that is running: binding it again must fail, and say so.
  auto [holder, port] = mc::testing::start_server(CPPMEMCACHED_PATH);
  const auto result = mc::testing::run(
      CPPMEMCACHED_PATH, {"-p", "0", "-o", fmt::format("metrics_port={}", port)}, {}, 10s);
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("in use"), std::string::npos) << result.err;
  EXPECT_EQ(holder.stop(), 0);
}

}  // namespace

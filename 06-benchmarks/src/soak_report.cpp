// The soak's result as a one-screen summary and as JSON.

#include <fmt/format.h>

#include <algorithm>

#include "mc/bench/soak.hpp"

namespace mc::bench::soak {

namespace {

double mib(std::uint64_t kib) { return static_cast<double>(kib) / 1024; }

std::uint64_t total_ops(const SoakResult& result) {
  std::uint64_t total = 0;
  for (const auto count : result.ops) total += count;
  return total;
}

// At most `count` samples, evenly spaced over the run, the last one included.
std::vector<RssSample> spread(const std::vector<RssSample>& samples, std::size_t count) {
  if (samples.size() <= count) return samples;
  std::vector<RssSample> picked;
  for (std::size_t n = 0; n < count; ++n) {
    picked.push_back(samples[n * (samples.size() - 1) / (count - 1)]);
  }
  return picked;
}

std::string json_string(std::string_view text) {
  std::string out;
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace

std::string summary(const SoakOptions& options, const SoakResult& result) {
  std::string out;
  auto line = [&out](const std::string& text) {
    out += text;
    out += '\n';
  };
  line(fmt::format("cppmc_soak: {} {}, {:.0f} s, {} connections x {} lanes, -t {} -m {} -c {}{}",
                   options.server, result.server_version, result.seconds, options.connections,
                   options.depth, options.server_threads, options.memory_mb,
                   options.max_connections, options.evictions ? "" : " -M"));
  const std::uint64_t ops = total_ops(result);
  line(fmt::format("commands  {} answered, {:.0f}/s", ops,
                   result.seconds > 0 ? static_cast<double>(ops) / result.seconds : 0.0));
  std::string row = " ";
  for (std::size_t op = 0; op < kOpCount; ++op) {
    row += fmt::format(" {} {}", op_name(static_cast<Op>(op)), result.ops[op]);
    if (op % 7 == 6 || op + 1 == kOpCount) {
      line(row);
      row.resize(1);  // the leading space (assigning " " trips g++ 12's -Wrestrict)
    }
  }
  line(fmt::format("key reads {}: {} hits, {} misses", result.key_reads, result.hits,
                   result.misses));
  row = fmt::format("problems  {}:", result.problem_total());
  for (std::size_t p = 1; p < kProblemCount; ++p) {
    row += fmt::format(" {} {}", problem_name(static_cast<Problem>(p)), result.problems[p]);
  }
  line(row);
  const FaultCounts& f = result.faults;
  line(
      fmt::format("faults    half-sets {}, resets mid-reply {}, garbage clients {} ({} error "
                  "lines, {} closed)",
                  f.half_sets, f.resets, f.garbage_clients, f.garbage_errors, f.garbage_closed));
  line(
      fmt::format("          stalled readers {} ({:.1f} MiB of mn taken), bursts past -c {} "
                  "({} served, {} refused), failed connects {}",
                  f.stalls, static_cast<double>(f.stall_bytes) / (1 << 20), f.bursts,
                  f.burst_served, f.burst_refused, f.connect_failures));
  std::uint64_t max_kib = 0;
  for (const auto& sample : result.rss) max_kib = std::max(max_kib, sample.kib);
  row = std::string("RSS MiB  ");
  for (const auto& sample : spread(result.rss, 8)) {
    row += fmt::format(" {:.0f}s:{:.1f}", sample.seconds, mib(sample.kib));
  }
  line(row);
  line(fmt::format("          max {:.1f}, bound {}", mib(max_kib), options.rss_bound_mib()));
  line("checks");
  for (const auto& check : result.checks) {
    line(fmt::format("  {}  {}: {}", check.passed ? "PASS" : "FAIL", check.name, check.detail));
  }
  if (!result.examples.empty()) {
    line("first problems");
    for (const auto& example : result.examples) line(fmt::format("  {}", example));
  }
  line(result.passed() ? "RESULT: PASS" : "RESULT: FAIL");
  return out;
}

std::string to_json(const SoakOptions& options, const SoakResult& result) {
  std::string ops;
  for (std::size_t op = 0; op < kOpCount; ++op) {
    ops += fmt::format("{}\"{}\": {}", op == 0 ? "" : ", ", op_name(static_cast<Op>(op)),
                       result.ops[op]);
  }
  std::string problems;
  for (std::size_t p = 1; p < kProblemCount; ++p) {
    problems += fmt::format("{}\"{}\": {}", p == 1 ? "" : ", ",
                            problem_name(static_cast<Problem>(p)), result.problems[p]);
  }
  std::string examples;
  for (const auto& example : result.examples) {
    if (!examples.empty()) examples += ", ";
    examples += json_string(example);
  }
  std::string checks;
  for (const auto& check : result.checks) {
    checks += fmt::format("{}{{\"name\": {}, \"passed\": {}, \"detail\": {}}}",
                          checks.empty() ? "" : ", ", json_string(check.name), check.passed,
                          json_string(check.detail));
  }
  std::string rss;
  for (const auto& sample : result.rss) {
    rss += fmt::format("{}[{:.1f}, {}]", rss.empty() ? "" : ", ", sample.seconds, sample.kib);
  }
  const FaultCounts& f = result.faults;
  return fmt::format(
      "{{\"server\": {}, \"version\": {}, \"seconds\": {:.1f}, \"connections\": {}, "
      "\"lanes\": {}, \"memory_mb\": {}, \"max_connections\": {}, \"evictions\": {}, "
      "\"passed\": {},\n \"ops\": {{{}}},\n \"key_reads\": {}, \"hits\": {}, \"misses\": {},\n"
      " \"problems\": {{{}}},\n \"examples\": [{}],\n"
      " \"faults\": {{\"half_sets\": {}, \"resets\": {}, \"garbage_clients\": {}, "
      "\"garbage_errors\": {}, \"garbage_closed\": {}, \"stalls\": {}, \"stall_bytes\": {}, "
      "\"bursts\": {}, \"burst_served\": {}, \"burst_refused\": {}, \"connect_failures\": {}}},\n"
      " \"checks\": [{}],\n \"rss_bound_mib\": {}, \"rss_kib\": [{}]}}\n",
      json_string(options.server), json_string(result.server_version), result.seconds,
      options.connections, options.connections * options.depth, options.memory_mb,
      options.max_connections, options.evictions, result.passed(), ops, result.key_reads,
      result.hits, result.misses, problems, examples, f.half_sets, f.resets, f.garbage_clients,
      f.garbage_errors, f.garbage_closed, f.stalls, f.stall_bytes, f.bursts, f.burst_served,
      f.burst_refused, f.connect_failures, checks, options.rss_bound_mib(), rss);
}

}  // namespace mc::bench::soak

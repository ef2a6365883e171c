// cppmc's command line: `cppmc [options] SUBCOMMAND [operands and options, in any order]`.
//
// Hand-written rather than CLI11 because keys are arbitrary text: CLI11 splits an operand
// written `[a,b]` into two and has no way to keep a key such as `-h` or `--timeout` apart from
// an option other than `--`, which this parser honours as every Unix tool does.

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mc/client/locator.hpp"

namespace mc::cppmc {

/// Everything the command line says.
struct Arguments {
  std::string servers;  // empty: not given (MEMCACHED_SERVERS, then 127.0.0.1:11211)
  std::chrono::milliseconds timeout{1000};
  client::Distribution distribution = client::Distribution::kKetama;
  bool help = false;
  std::string command;                // the subcommand
  std::vector<std::string> operands;  // what follows it: keys, values, numbers
  std::int32_t exptime = 0;           // set --exptime
  std::uint32_t flags = 0;            // set --flags F
  bool show_flags = false;            // get --flags
  bool tls = false;                   // --tls
  std::string tls_ca;                 // --tls-ca FILE (empty: the system's CAs)
  std::string tls_cert;               // --tls-cert FILE
  std::string tls_key;                // --tls-key FILE
};

/// The arguments, or why they are wrong (a message for stderr; empty on success).
struct ParsedArguments {
  Arguments arguments;
  std::string error;
};

/// Options may come before or after the subcommand and between operands; `--opt=value` and
/// `--opt value` both work; after `--` everything is an operand. A word that starts with `-`
/// and a digit is an operand (a negative number, for incr to refuse as memcached does).
ParsedArguments parse_arguments(const std::vector<std::string>& words);

/// An expiry in seconds, as memcached takes it (a 32-bit signed number); empty if it is not one.
std::optional<std::int32_t> parse_exptime(std::string_view text);

/// The subcommands, for help and for "unknown subcommand".
extern const char* const kUsage;

}  // namespace mc::cppmc

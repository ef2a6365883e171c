// Numbers the way memcached reads them: its safe_strtoul/safe_strtol/safe_strtoull wrappers
// around the C library (util.c). The quirks are part of the protocol, so we keep them:
// leading whitespace and a '+' are accepted, "-0" is zero, a 32-bit field silently keeps the
// low 32 bits of a larger number (flags 4294967296 are stored as 0), and an exptime below
// INT_MIN wraps. A token ends at its first NUL, as a C string would.

#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mc::codec::detail {

/// What strtoull(3) saw in a token: the magnitude, the sign, and whether it was a number.
struct ScannedNumber {
  std::uint64_t magnitude = 0;
  bool negative = false;
  bool ok = false;
};

inline bool is_c_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Scans like strtoull(token, &end, 10) and then applies memcached's end check: the number
// must be followed by the end of the token, a NUL, or whitespace. Overflow is an error
// (ERANGE), as in the C library.
inline ScannedNumber scan_number(std::string_view token) {
  ScannedNumber result;
  std::size_t i = 0;
  while (i < token.size() && is_c_space(token[i])) ++i;
  if (i < token.size() && (token[i] == '+' || token[i] == '-')) {
    result.negative = token[i] == '-';
    ++i;
  }
  const std::size_t digits_start = i;
  for (; i < token.size() && token[i] >= '0' && token[i] <= '9'; ++i) {
    const auto digit = static_cast<std::uint64_t>(token[i] - '0');
    if (result.magnitude > (UINT64_MAX - digit) / 10) return {};  // ERANGE
    result.magnitude = result.magnitude * 10 + digit;
  }
  if (i == digits_start) return {};
  if (i < token.size() && token[i] != '\0' && !is_c_space(token[i])) return {};
  result.ok = true;
  return result;
}

// safe_strtoull: strtoull negates "-N" modulo 2^64; memcached then refuses a '-' only if the
// result looks negative as a signed number.
inline std::optional<std::uint64_t> parse_u64(std::string_view token) {
  const ScannedNumber n = scan_number(token);
  if (!n.ok) return std::nullopt;
  const std::uint64_t value = n.negative ? (~n.magnitude + 1) : n.magnitude;
  if (n.negative && static_cast<std::int64_t>(value) < 0) return std::nullopt;
  return value;
}

// safe_strtoul: the same check on a 64-bit unsigned long, then truncation to 32 bits.
inline std::optional<std::uint32_t> parse_u32(std::string_view token) {
  const auto value = parse_u64(token);
  if (!value) return std::nullopt;
  return static_cast<std::uint32_t>(*value);
}

// safe_strtol: strtol into a 64-bit long (overflow is an error), then the low 32 bits.
// memcached 1.6.18 stores `set k 0 4102444800 1` (the exptime wraps negative: expired at once)
// and reads a length of 4294967297 as 1.
inline std::optional<std::int32_t> parse_i32(std::string_view token) {
  const ScannedNumber n = scan_number(token);
  if (!n.ok) return std::nullopt;
  constexpr std::uint64_t kLongMax = static_cast<std::uint64_t>(INT64_MAX);
  if (n.magnitude > kLongMax + (n.negative ? 1 : 0)) return std::nullopt;  // ERANGE
  const std::int64_t value = n.negative ? static_cast<std::int64_t>(~n.magnitude + 1)
                                        : static_cast<std::int64_t>(n.magnitude);
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(value)));
}

}  // namespace mc::codec::detail

namespace mc::codec::detail {

// A plain decimal number and nothing else: what a well-formed reply carries.
inline std::optional<std::uint64_t> parse_digits(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace mc::codec::detail

#include "mc/bench/soak_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace mc::bench::soak {

std::string_view problem_name(Problem problem) {
  static constexpr std::array<std::string_view, kProblemCount> kNames = {
      "none",        "stale",       "torn",      "foreign", "unexpected_miss", "wrong_value",
      "wrong_flags", "wrong_reply", "transport", "fault",   "server"};
  return kNames[static_cast<std::size_t>(problem)];
}

namespace {

constexpr char kField = '|';
constexpr char kEnd = ';';
constexpr std::size_t kChecksumDigits = 16;

// FNV-1a: any changed, missing or moved byte changes it (with overwhelming probability).
std::uint64_t checksum(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

// Filler letters that depend on key and version, so two writes of one key differ everywhere.
void append_filler(std::string& out, std::string_view key, std::uint64_t version,
                   std::size_t count) {
  std::uint64_t state = checksum(key) ^ (version * 0x9E3779B97F4A7C15ull);
  for (std::size_t i = 0; i < count; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    out.push_back(static_cast<char>('a' + (state >> 59) % 26));
  }
}

template <typename T>
bool parse_number(std::string_view text, T& value, int base = 10) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  return error == std::errc{} && end == text.data() + text.size();
}

std::optional<Record> parse_record(std::string_view record) {
  // key|version|filler|checksum, and the checksum covers everything before its separator.
  const auto last = record.rfind(kField);
  if (last == std::string_view::npos || record.size() - last - 1 != kChecksumDigits) {
    return std::nullopt;
  }
  std::uint64_t sum = 0;
  if (!parse_number(record.substr(last + 1), sum, 16)) return std::nullopt;
  const std::string_view body = record.substr(0, last);
  if (checksum(body) != sum) return std::nullopt;
  const auto first = body.find(kField);
  const auto second = first == std::string_view::npos ? first : body.find(kField, first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  Record result;
  result.key = body.substr(0, first);
  if (!parse_number(body.substr(first + 1, second - first - 1), result.version)) {
    return std::nullopt;
  }
  return result;
}

bool is_counter(std::string_view value) {
  return !value.empty() &&
         std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string make_record(std::string_view key, std::uint64_t version, std::size_t size) {
  std::string record = fmt::format("{}{}{}{}", key, kField, version, kField);
  const std::size_t fixed = record.size() + 1 + kChecksumDigits + 1;
  append_filler(record, key, version, size > fixed ? size - fixed : 0);
  fmt::format_to(std::back_inserter(record), "{}{:016x}{}", kField, checksum(record), kEnd);
  return record;
}

std::optional<std::vector<Record>> parse_records(std::string_view value) {
  std::vector<Record> records;
  while (!value.empty()) {
    const auto end = value.find(kEnd);
    if (end == std::string_view::npos) return std::nullopt;  // the last record was cut short
    const auto record = parse_record(value.substr(0, end));
    if (!record) return std::nullopt;
    records.push_back(*record);
    value.remove_prefix(end + 1);
  }
  if (records.empty()) return std::nullopt;
  return records;
}

//! [check-hit]
Problem check_hit(std::string_view key, const Expected& expected, std::string_view value,
                  std::uint32_t flags) {
  using State = Expected::State;
  if (expected.state == State::kPresent && value == expected.value) {
    return flags == expected.flags ? Problem::kNone : Problem::kWrongFlags;
  }
  // Counters hold digits, not records: an older count is stale, any other a wrong value.
  if (is_counter(value) && (expected.state != State::kPresent || is_counter(expected.value))) {
    if (expected.state != State::kPresent) {
      return expected.state == State::kUnknown ? Problem::kNone : Problem::kStale;
    }
    std::uint64_t got = 0;
    std::uint64_t want = 0;
    const bool numbers = parse_number(value, got) && parse_number(expected.value, want);
    return numbers && got < want ? Problem::kStale : Problem::kWrongValue;
  }
  const auto records = parse_records(value);
  if (!records) return Problem::kTorn;
  for (const Record& record : *records) {
    if (record.key != key) return Problem::kForeign;
  }
  switch (expected.state) {
    case State::kUnknown:
      return Problem::kNone;  // whole and this key's: the unanswered write may have landed
    case State::kAbsent:
      return Problem::kStale;  // a deleted (or never acknowledged) value came back
    case State::kPresent:
      break;
  }
  const auto wanted = parse_records(expected.value);
  if (wanted && records->back().version < wanted->back().version) return Problem::kStale;
  return Problem::kWrongValue;
}
//! [check-hit]

Problem check_miss(const Expected& expected, bool evictions_allowed) {
  if (expected.state != Expected::State::kPresent || evictions_allowed) return Problem::kNone;
  return Problem::kUnexpectedMiss;
}

Problem check_shared(std::string_view key, std::string_view value) {
  const auto records = parse_records(value);
  if (!records) return Problem::kTorn;
  for (const Record& record : *records) {
    if (record.key != key) return Problem::kForeign;
  }
  return Problem::kNone;
}

}  // namespace mc::bench::soak

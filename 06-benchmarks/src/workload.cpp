#include "mc/bench/workload.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace mc::bench {

ZipfTable::ZipfTable(std::uint64_t key_count, double exponent)
    : n(key_count), theta(exponent), alpha(1.0 / (1.0 - exponent)), zetan(0), eta(0) {
  for (std::uint64_t i = 1; i <= n; ++i) zetan += 1.0 / std::pow(static_cast<double>(i), theta);
  const double zeta2 = 1.0 + 1.0 / std::pow(2.0, theta);
  eta = (1.0 - std::pow(2.0 / static_cast<double>(n), 1.0 - theta)) / (1.0 - zeta2 / zetan);
}

std::uint64_t ZipfTable::sample(double u) const {
  // Inversion of an approximate CDF: exact for the two hottest keys, close for the rest.
  const double uz = u * zetan;
  if (uz < 1.0) return 0;
  if (uz < 1.0 + std::pow(0.5, theta)) return n > 1 ? 1 : 0;
  const auto key =
      static_cast<std::uint64_t>(static_cast<double>(n) * std::pow(eta * u - eta + 1.0, alpha));
  return key < n ? key : n - 1;
}

KeyChooser::KeyChooser(KeyPattern pattern, std::uint64_t key_count, std::uint64_t seed,
                       std::uint64_t start, const ZipfTable* zipf)
    : pattern_(pattern),
      key_count_(key_count == 0 ? 1 : key_count),
      random_(seed),
      cursor_(start % key_count_),
      zipf_(zipf) {}

std::uint64_t KeyChooser::next() {
  switch (pattern_) {
    case KeyPattern::kSequential: {
      const std::uint64_t key = cursor_;
      cursor_ = cursor_ + 1 == key_count_ ? 0 : cursor_ + 1;
      return key;
    }
    case KeyPattern::kZipf:
      return zipf_->sample(random_.uniform());
    case KeyPattern::kUniform:
      break;
  }
  return random_.below(key_count_);
}

ValueSource::ValueSource(std::size_t data_size, std::uint64_t seed) : data_size_(data_size) {
  // Printable bytes make a captured exchange readable; the server does not care.
  static constexpr std::string_view kAlphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  Random random(seed ^ 0x5eed5eed5eedULL);
  text_.resize(data_size + kOffsets);
  for (char& c : text_) c = kAlphabet[random.below(kAlphabet.size())];
}

void append_key(std::string& out, std::string_view prefix, std::uint64_t key) {
  out.append(prefix);
  char digits[20];
  const auto end = std::to_chars(digits, digits + sizeof digits, key).ptr;
  out.append(digits, end);
}

bool parse_key(std::string_view name, std::string_view prefix, std::uint64_t key_count,
               std::uint64_t& key) {
  if (!name.starts_with(prefix)) return false;
  name.remove_prefix(prefix.size());
  const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), key);
  return error == std::errc{} && end == name.data() + name.size() && key < key_count;
}

bool parse_key_pattern(std::string_view text, KeyPattern& pattern) {
  for (const auto candidate : {KeyPattern::kUniform, KeyPattern::kSequential, KeyPattern::kZipf}) {
    if (text == to_string(candidate)) {
      pattern = candidate;
      return true;
    }
  }
  return false;
}

std::string_view to_string(KeyPattern pattern) {
  switch (pattern) {
    case KeyPattern::kSequential:
      return "sequential";
    case KeyPattern::kZipf:
      return "zipf";
    case KeyPattern::kUniform:
      break;
  }
  return "uniform";
}

namespace {

bool parse_unsigned(std::string_view text, unsigned& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size();
}

}  // namespace

bool parse_ratio(std::string_view text, unsigned& sets, unsigned& gets) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  unsigned s = 0;
  unsigned g = 0;
  if (!parse_unsigned(text.substr(0, colon), s) || !parse_unsigned(text.substr(colon + 1), g)) {
    return false;
  }
  if (s + g == 0) return false;
  sets = s;
  gets = g;
  return true;
}

bool parse_servers(std::string_view text, std::vector<Target>& servers) {
  std::vector<Target> parsed;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto colon = item.rfind(':');
    unsigned port = 0;
    if (colon == std::string_view::npos || colon == 0 ||
        !parse_unsigned(item.substr(colon + 1), port) || port == 0 || port > 65535) {
      return false;
    }
    parsed.push_back({std::string(item.substr(0, colon)), static_cast<std::uint16_t>(port)});
  }
  if (parsed.empty()) return false;
  servers = std::move(parsed);
  return true;
}

}  // namespace mc::bench

#include "mc/codec/base64.hpp"

#include <array>
#include <cstdint>

namespace mc::codec {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kSkip = 0x80;

// Value of each byte in the alphabet; '=' counts as a zero-valued character, anything else
// is skipped, as in memcached's base64.c.
constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kSkip;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  table['='] = 0;
  return table;
}
constexpr auto kTable = make_table();

}  // namespace

std::size_t base64_decode(std::string_view encoded, std::span<char> out) {
  std::size_t count = 0;
  for (const char c : encoded) {
    if (kTable[static_cast<unsigned char>(c)] != kSkip) ++count;
  }
  if (count == 0 || count % 4 != 0 || count / 4 * 3 > out.size()) return 0;

  std::size_t written = 0;
  std::array<std::uint8_t, 4> block{};
  std::size_t filled = 0;
  int padding = 0;
  for (const char c : encoded) {
    const std::uint8_t value = kTable[static_cast<unsigned char>(c)];
    if (value == kSkip) continue;
    if (c == '=') ++padding;
    block[filled++] = value;
    if (filled < 4) continue;
    out[written++] = static_cast<char>((block[0] << 2) | (block[1] >> 4));
    out[written++] = static_cast<char>((block[1] << 4) | (block[2] >> 2));
    out[written++] = static_cast<char>((block[2] << 6) | block[3]);
    filled = 0;
    if (padding > 2) return 0;
    if (padding > 0) {
      written -= static_cast<std::size_t>(padding);  // the padded block ends the input
      break;
    }
  }
  return written;
}

void base64_encode(std::string_view bytes, std::string& out) {
  const auto at = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    out += kAlphabet[at(i) >> 2];
    out += kAlphabet[((at(i) & 0x03) << 4) | (at(i + 1) >> 4)];
    out += kAlphabet[((at(i + 1) & 0x0f) << 2) | (at(i + 2) >> 6)];
    out += kAlphabet[at(i + 2) & 0x3f];
  }
  if (i == bytes.size()) return;
  out += kAlphabet[at(i) >> 2];
  if (i + 1 == bytes.size()) {
    out += kAlphabet[(at(i) & 0x03) << 4];
    out += "==";
  } else {
    out += kAlphabet[((at(i) & 0x03) << 4) | (at(i + 1) >> 4)];
    out += kAlphabet[(at(i + 1) & 0x0f) << 2];
    out += '=';
  }
}

}  // namespace mc::codec

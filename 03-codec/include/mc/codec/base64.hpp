/// \file
/// \brief Base64 as meta commands use it for binary keys (the `b` flag).

#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace mc::codec {

/// \brief Decodes `encoded` into `out`, with memcached's leniency: bytes outside the base64
/// alphabet are skipped, the remaining characters (padding included) must be a non-zero
/// multiple of four, and decoding stops after the first padded block.
/// \return the decoded length, or 0 if `encoded` is not base64 or `out` is too small
std::size_t base64_decode(std::string_view encoded, std::span<char> out);

/// \brief Appends the padded base64 form of `bytes` to `out` (for the `k` return flag).
void base64_encode(std::string_view bytes, std::string& out);

/// \brief The length of the base64 form of `size` bytes.
constexpr std::size_t base64_encoded_size(std::size_t size) { return (size + 2) / 3 * 4; }

}  // namespace mc::codec

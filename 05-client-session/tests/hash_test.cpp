#include "mc/client/hash.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using mc::client::digest_word;
using mc::client::md5;
using mc::client::md5_hash;
using mc::client::one_at_a_time_hash;

std::string hex(const mc::client::Md5Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (const auto byte : digest) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 0xF];
  }
  return text;
}

// RFC 1321, appendix A.5.
TEST(Md5, MatchesRfc1321TestSuite) {
  EXPECT_EQ(hex(md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex(md5("a")), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(hex(md5("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex(md5("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(hex(md5("12345678901234567890123456789012345678901234567890123456789012345678901234"
                    "567890")),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5, HashesBinaryData) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(md5(with_nul), md5("a"));
  EXPECT_EQ(md5(with_nul), md5(with_nul));
}

TEST(DigestWord, ReadsFourBytesLittleEndian) {
  mc::client::Md5Digest digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) digest[i] = static_cast<std::uint8_t>(i + 1);
  EXPECT_EQ(digest_word(digest, 0), 0x04030201U);
  EXPECT_EQ(digest_word(digest, 3), 0x100f0e0dU);
}

TEST(Md5Hash, IsTheFirstWordOfTheDigest) {
  // md5("abc") starts 90 01 50 98: read little-endian, 0x98500190.
  EXPECT_EQ(md5_hash("abc"), 0x98500190U);
}

// Values from libmemcached 1.1.4: memcached_generate_hash_value(key, len, MEMCACHED_HASH_DEFAULT).
TEST(OneAtATimeHash, MatchesLibmemcachedDefaultHash) {
  EXPECT_EQ(one_at_a_time_hash(""), 0U);
  EXPECT_EQ(one_at_a_time_hash("a"), 0xca2e9442U);
  EXPECT_EQ(one_at_a_time_hash("apple"), 0x88f08ef3U);
}

TEST(OneAtATimeHash, SignExtendsHighBytesLikeLibhashkit) {
  // "\xc3\xa9" (é in UTF-8): libhashkit adds 0xffffffc3, not 0xc3.
  EXPECT_EQ(one_at_a_time_hash("k\xc3\xa9y"), 0x5a7d72d7U);
}

}  // namespace

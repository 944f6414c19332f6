#include "common/crypto.h"

#include <gtest/gtest.h>

#include "common/ids.h"

#include <vector>

namespace tern {
namespace {

TEST(Crypto, Md5MatchesKnownDigests) {
  EXPECT_EQ(md5_hex("hello"), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(md5_hex("msg"), "6e2baaf3b97dbeef01c0043275f9a0e7");
}

TEST(Crypto, Sha256OfEmptyString) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, Base64RoundTrips_AndRejectsGarbage) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\x00\x01\x02", 3)}) {
    EXPECT_EQ(base64_decode(base64_encode(s)).value(), s);
    EXPECT_EQ(base64url_decode(base64url_encode(s)).value(), s);
  }
  EXPECT_EQ(base64_encode(std::string("\x00\x01\x02", 3)), "AAEC");
  EXPECT_FALSE(base64_decode("AAE"));
  EXPECT_FALSE(base64_decode("A*EC"));
  EXPECT_FALSE(base64url_decode("A"));
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
}

TEST(Ids, UuidHasVersion4Shape) {
  auto u = new_uuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[8], '-');
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(u, new_uuid());
}

}  // namespace
}  // namespace tern

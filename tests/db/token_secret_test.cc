#include "db/token_secret.h"

#include <gtest/gtest.h>

#include <set>

#include "test_util.h"

namespace ava::db {
namespace {

TEST(TokenSecretTest, SecretsAreLongRandomAndUrlSafe) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    Result<std::string> s = NewTokenSecret();
    ASSERT_OK(s);
    ASSERT_EQ(s->size(), 4u + 43u) << *s;  // "ava_" + 256 bits in base64url
    EXPECT_EQ(s->rfind("ava_", 0), 0u);
    EXPECT_EQ(s->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4),
              std::string::npos)
        << *s;
    seen.insert(*s);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(TokenSecretTest, HashIsSha256Hex) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(TokenSha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(TokenSha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_NE(TokenSha256Hex("ava_a"), TokenSha256Hex("ava_b"));
}

}  // namespace
}  // namespace ava::db

#include "store/md5.h"

#include <gtest/gtest.h>

namespace ava::store {
namespace {

TEST(Md5Test, MatchesRfc1321Vectors) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(Md5Test, IncrementalEqualsOneShot) {
  Md5 md5;
  md5.Update("message ");
  md5.Update("digest");
  EXPECT_EQ(DigestHex(md5.Finish()), "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(Md5Test, MultipartEtagIsMd5OfBinaryDigestsWithPartCount) {
  Md5Digest a = Md5Of("part one");
  Md5Digest b = Md5Of("part two");
  std::string concat(reinterpret_cast<const char*>(a.data()), a.size());
  concat.append(reinterpret_cast<const char*>(b.data()), b.size());
  EXPECT_EQ(MultipartEtag({a, b}), Md5Hex(concat) + "-2");
  // Not the MD5 of the content: a multipart etag can never be mistaken for a single-part one.
  EXPECT_NE(MultipartEtag({a, b}).substr(0, 32), Md5Hex("part onepart two"));
}

TEST(Md5Test, ParsesHexBothCases) {
  Md5Digest d{};
  ASSERT_TRUE(ParseDigestHex("900150983CD24FB0D6963F7D28E17F72", &d));
  EXPECT_EQ(DigestHex(d), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_FALSE(ParseDigestHex("90015098", &d));
  EXPECT_FALSE(ParseDigestHex("zz0150983cd24fb0d6963f7d28e17f72", &d));
}

}  // namespace
}  // namespace ava::store

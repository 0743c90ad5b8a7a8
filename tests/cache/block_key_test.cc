#include "cache/block_key.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace ava::cache {
namespace {

BlockKey K(std::string store, std::string key, std::string etag, uint64_t offset = 0, uint32_t length = 10) {
  return BlockKey{std::move(store), std::move(key), std::move(etag), offset, length};
}

TEST(BlockKeyTest, ToStringShowsEveryField) {
  EXPECT_EQ(K("s3://b@host", "dir/a.jpg", "\"e1\"", 1048576, 4096).ToString(),
            "s3://b@host|dir/a.jpg|\"e1\"|1048576+4096");
}

TEST(BlockKeyTest, ToStringIsUniqueWhenFieldsContainTheSeparator) {
  // Without escaping both would print as "a|b|c|d|0+10".
  BlockKey a = K("a|b", "c", "d");
  BlockKey b = K("a", "b|c", "d");
  EXPECT_NE(a.ToString(), b.ToString());
  EXPECT_EQ(a.ToString(), "a%7Cb|c|d|0+10");
}

TEST(BlockKeyTest, ToStringStaysOnOneLine) {
  std::string s = K("st", "line1\nline2", "e").ToString();
  EXPECT_EQ(s.find('\n'), std::string::npos);
  EXPECT_NE(s.find("%0A"), std::string::npos);
}

TEST(BlockKeyTest, EtagOffsetAndLengthAreIdentity) {
  BlockKey base = K("s", "k", "e1", 0, 10);
  EXPECT_NE(base, K("s", "k", "e2", 0, 10));
  EXPECT_NE(base, K("s", "k", "e1", 10, 10));
  EXPECT_NE(base, K("s", "k", "e1", 0, 9));
  EXPECT_EQ(base, K("s", "k", "e1", 0, 10));
  EXPECT_EQ(BlockKeyHash{}(base), BlockKeyHash{}(K("s", "k", "e1", 0, 10)));
}

TEST(BlockKeyTest, HashSpreadsKeys) {
  std::unordered_set<size_t> hashes;
  for (int i = 0; i < 1000; ++i) hashes.insert(BlockKeyHash{}(K("s", "obj", "e", i * 4096ull, 4096)));
  EXPECT_EQ(hashes.size(), 1000u);
}

}  // namespace
}  // namespace ava::cache

#include "cache/ssd_block_format.h"

#include <gtest/gtest.h>

#include "cache_test_util.h"
#include "test_util.h"

namespace ava::cache {
namespace {

using testing::Data;
using testing::Key;

TEST(SsdBlockFormatTest, RoundTrips) {
  BlockKey key = Key(7, 1000);
  BlockData data = Data(key);
  std::string file = EncodeBlockFile(key, *data);
  EXPECT_EQ(file.size(), BlockHeaderSize(key) + 1000);
  auto got = DecodeBlockFile(&file);
  ASSERT_OK(got);
  EXPECT_EQ(*got, key);
  EXPECT_EQ(file, *data);
}

TEST(SsdBlockFormatTest, HeaderAloneDecodes) {
  BlockKey key = Key(7, 1000);
  std::string file = EncodeBlockFile(key, *Data(key));
  auto h = DecodeBlockHeader(std::string_view(file).substr(0, BlockHeaderSize(key)));
  ASSERT_OK(h);
  EXPECT_EQ(h->key, key);
}

TEST(SsdBlockFormatTest, ChargeRoundsUpToTheAllocationUnit) {
  EXPECT_EQ(SsdBlockCharge(Key(1, 1)), 4096u);
  EXPECT_EQ(SsdBlockCharge(Key(1, 4096)), 8192u);  // the header pushes it into a second unit
  EXPECT_EQ(SsdBlockCharge(Key(1, 1 << 20)) % 4096, 0u);
  EXPECT_GT(SsdBlockCharge(Key(1, 1 << 20)), 1u << 20);
}

TEST(SsdBlockFormatTest, EveryFlippedByteIsCaught) {
  BlockKey key = Key(3, 64);
  const std::string good = EncodeBlockFile(key, *Data(key));
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x01;
    auto got = DecodeBlockFile(&bad);
    EXPECT_EQ(got.status().code(), Code::kCorruption) << "flipped byte " << i;
  }
}

TEST(SsdBlockFormatTest, MessagesSayWhatIsWrong) {
  BlockKey key = Key(3, 64);
  std::string file = EncodeBlockFile(key, *Data(key));

  std::string bad = file;
  bad.back() ^= 0x10;
  EXPECT_NE(DecodeBlockFile(&bad).status().message().find("data checksum mismatch"), std::string::npos);

  bad = file;
  bad[20] ^= 0x10;  // inside the store name
  EXPECT_NE(DecodeBlockFile(&bad).status().message().find("header checksum mismatch"), std::string::npos);

  bad = file.substr(0, file.size() - 1);
  EXPECT_NE(DecodeBlockFile(&bad).status().message().find("header says 64 bytes, file holds 63"),
            std::string::npos);

  bad = "not a block at all";
  EXPECT_NE(DecodeBlockFile(&bad).status().message().find("bad magic"), std::string::npos);

  bad = file;
  bad[4] = 9;  // version
  EXPECT_NE(DecodeBlockFile(&bad).status().message().find("unsupported block format version 9"),
            std::string::npos);
}

TEST(SsdBlockFormatTest, FingerprintIsStable) {
  // File names on disk depend on this value; a change orphans every cached block.
  BlockKey key{.store = "s3://b@h", .key = "k", .etag = "e", .offset = 4096, .length = 10};
  EXPECT_EQ(BlockFingerprint(key), BlockFingerprint(BlockKey(key)));
  BlockKey other = key;
  other.etag = "f";
  EXPECT_NE(BlockFingerprint(key), BlockFingerprint(other));
}

}  // namespace
}  // namespace ava::cache

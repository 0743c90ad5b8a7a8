#include "fs/avafs_config.h"

#include "test_util.h"

namespace ava::fs {
namespace {

TEST(AvafsConfigTest, ParsesAFullMountTable) {
  auto c = ParseAvafsConfig(R"(
metadata_ttl: indefinite
control: 127.0.0.1:9410
read:
  block_size: 2MiB
  max_request: 8MiB
  fetch_buffers: 128MiB
cache:
  ram_capacity: 512MiB
mounts:
  - name: images
    store: { uri: "mem://images" }
    prefix: train
  - name: scratch
    store: { uri: "mem://scratch" }
)",
                            "mounts.yaml");
  ASSERT_OK(c);
  EXPECT_TRUE(c->metadata_ttl.indefinite);
  EXPECT_EQ(c->read.block_size, 2u << 20);
  EXPECT_EQ(c->cache.ram.capacity_bytes, 512u << 20);
  ASSERT_EQ(c->mounts.size(), 2u);
  EXPECT_EQ(c->mounts[0].prefix, "train/");
  EXPECT_EQ(c->control_address, "127.0.0.1:9410");
}

TEST(AvafsConfigTest, ParsesAWritableMount) {
  auto c = ParseAvafsConfig(R"(
mounts:
  - name: outputs
    store: { uri: "mem://cloud" }
    writable:
      durable: { uri: "mem://durable" }
      state_dir: /var/lib/avafs/outputs
      upload_delay: 5m
      upload_threads: 8
      upload_part_size: 32MiB
      staging_memory: 0
)",
                            "mounts.yaml");
  ASSERT_OK(c);
  ASSERT_TRUE(c->mounts[0].writable.has_value());
  const WritebackConfig& w = c->mounts[0].writable->writeback;
  EXPECT_EQ(w.state_dir, "/var/lib/avafs/outputs");
  EXPECT_EQ(w.upload_delay, std::chrono::minutes(5));
  EXPECT_EQ(w.uploader.threads, 8);
  EXPECT_EQ(w.uploader.part_size, 32u << 20);
  EXPECT_EQ(w.staging_memory, 0u);  // every file staged on disk
  // Left out, small files are staged in RAM.
  auto d = ParseAvafsConfig(
      "mounts:\n  - name: o\n    writable: { durable: { uri: \"mem://d\" }, state_dir: /s }\n", "d.yaml");
  ASSERT_OK(d);
  EXPECT_EQ(d->mounts[0].writable->writeback.staging_memory, 64u << 20);
}

TEST(AvafsConfigTest, ErrorsNameFileLineAndProblem) {
  auto dup = ParseAvafsConfig(
      "mounts:\n  - name: a\n    store: {uri: 'mem://a'}\n  - name: a\n    store: {uri: 'mem://b'}\n",
      "m.yaml");
  ASSERT_STATUS(dup, kInvalidArgument);
  EXPECT_NE(dup.status().message().find("m.yaml:4:"), std::string::npos) << dup.status();
  EXPECT_NE(dup.status().message().find("used twice"), std::string::npos);

  auto typo = ParseAvafsConfig("mounts:\n  - name: a\n    stor: {uri: 'mem://a'}\n", "m.yaml");
  ASSERT_STATUS(typo, kInvalidArgument);
  EXPECT_NE(typo.status().message().find("did you mean 'store'"), std::string::npos) << typo.status();

  auto ttl = ParseAvafsConfig("metadata_ttl: forever\nmounts:\n  - name: a\n    store: {uri: 'mem://a'}\n",
                              "m.yaml");
  ASSERT_STATUS(ttl, kInvalidArgument);
  EXPECT_NE(ttl.status().message().find("m.yaml:1:"), std::string::npos) << ttl.status();

  auto none = ParseAvafsConfig("metadata_ttl: 5s\n", "m.yaml");
  EXPECT_STATUS(none, kInvalidArgument);

  auto syntax = ParseAvafsConfig("mounts: [\n", "m.yaml");
  ASSERT_STATUS(syntax, kInvalidArgument);
  EXPECT_NE(syntax.status().message().find("m.yaml:"), std::string::npos);

  auto block = ParseAvafsConfig(
      "read: {block_size: 3MiB}\nmounts:\n  - name: a\n    store: {uri: 'mem://a'}\n", "m.yaml");
  ASSERT_STATUS(block, kInvalidArgument);
  EXPECT_NE(block.status().message().find("power of two"), std::string::npos) << block.status();
}

TEST(AvafsConfigTest, MetadataTtlPresets) {
  EXPECT_TRUE(MetadataTtl::Parse("indefinite")->indefinite);
  EXPECT_EQ(MetadataTtl::Parse("minimal")->ttl, std::chrono::seconds(1));
  EXPECT_EQ(MetadataTtl::Parse("10m")->ttl, std::chrono::minutes(10));
  EXPECT_STATUS(MetadataTtl::Parse("sometimes"), kInvalidArgument);
}

}  // namespace
}  // namespace ava::fs

#include "cache/cache_config.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ava::cache {
namespace {

TEST(CacheConfigTest, DefaultsAreValid) { EXPECT_OK(CacheConfig{}.Validate()); }

TEST(CacheConfigTest, RejectsLowAboveHigh) {
  CacheConfig c;
  c.ram.low_watermark = 0.95;
  Status s = c.Validate();
  EXPECT_STATUS(s, kInvalidArgument);
  EXPECT_NE(s.message().find("ram_low_watermark (0.95) is above ram_high_watermark (0.9)"), std::string::npos)
      << s;
}

TEST(CacheConfigTest, RejectsWatermarksOutsideZeroToOne) {
  CacheConfig c;
  c.ssd.high_watermark = 1.5;
  EXPECT_STATUS(c.Validate(), kInvalidArgument);
  c.ssd.high_watermark = std::nan("");
  EXPECT_STATUS(c.Validate(), kInvalidArgument);
}

TEST(CacheConfigTest, SsdTierNeedsADirectory) {
  CacheConfig c;
  c.ssd.capacity_bytes = 1 << 30;
  Status s = c.Validate();
  EXPECT_STATUS(s, kInvalidArgument);
  EXPECT_NE(s.message().find("ssd_dir"), std::string::npos);
  c.ssd_dir = "/tmp/x";
  EXPECT_OK(c.Validate());
}

TEST(CacheConfigTest, SetOptionParsesUnits) {
  CacheConfig c;
  ASSERT_OK(SetCacheOption(&c, "ram_capacity", "4GiB"));
  ASSERT_OK(SetCacheOption(&c, "ssd_high_watermark", "95%"));
  ASSERT_OK(SetCacheOption(&c, "evict_interval", "250ms"));
  ASSERT_OK(SetCacheOption(&c, "ssd_fsync", "true"));
  EXPECT_EQ(c.ram.capacity_bytes, 4ull << 30);
  EXPECT_DOUBLE_EQ(c.ssd.high_watermark, 0.95);
  EXPECT_EQ(c.evict_interval, std::chrono::milliseconds(250));
  EXPECT_TRUE(c.ssd_fsync);
}

TEST(CacheConfigTest, SetOptionNamesTheBadValueAndSuggestsNames) {
  CacheConfig c;
  Status s = SetCacheOption(&c, "ram_capacity", "12 parsecs");
  EXPECT_STATUS(s, kInvalidArgument);
  EXPECT_NE(s.message().find("ram_capacity"), std::string::npos) << s;
  s = SetCacheOption(&c, "ram_capacty", "1GiB");
  EXPECT_NE(s.message().find("did you mean 'ram_capacity'"), std::string::npos) << s;
}

TEST(CacheConfigTest, ParsesYamlOverDefaults) {
  auto doc = ParseYaml(
      "ram_capacity: 2GiB\n"
      "ssd_dir: /var/cache/avafs\n"
      "ssd_capacity: 100GiB\n"
      "ssd_low_watermark: 0.5\n",
      "avafs.yaml");
  ASSERT_OK(doc);
  auto c = ParseCacheConfig(*doc, doc->root);
  ASSERT_OK(c);
  EXPECT_EQ(c->ram.capacity_bytes, 2ull << 30);
  EXPECT_EQ(c->ssd.capacity_bytes, 100ull << 30);
  EXPECT_EQ(c->ssd_dir, "/var/cache/avafs");
  EXPECT_DOUBLE_EQ(c->ssd.low_watermark, 0.5);
  EXPECT_DOUBLE_EQ(c->ram.high_watermark, 0.9);  // default kept
}

TEST(CacheConfigTest, YamlErrorsNameFileAndLine) {
  auto doc = ParseYaml("ram_capacity: 1GiB\nram_low_watermark: 0.99\n", "avafs.yaml");
  ASSERT_OK(doc);
  auto c = ParseCacheConfig(*doc, doc->root);
  EXPECT_STATUS(c, kInvalidArgument);
  EXPECT_EQ(c.status().message().rfind("avafs.yaml:2:", 0), 0u) << c.status();

  doc = ParseYaml("ram_capacity: 1GiB\nssd_capactiy: 2GiB\n", "avafs.yaml");
  ASSERT_OK(doc);
  c = ParseCacheConfig(*doc, doc->root);
  EXPECT_EQ(c.status().message().rfind("avafs.yaml:2:", 0), 0u) << c.status();
  EXPECT_NE(c.status().message().find("did you mean 'ssd_capacity'"), std::string::npos) << c.status();

  doc = ParseYaml("ram_capacity: lots\n", "avafs.yaml");
  ASSERT_OK(doc);
  c = ParseCacheConfig(*doc, doc->root);
  EXPECT_EQ(c.status().message().rfind("avafs.yaml:1:", 0), 0u) << c.status();
}

}  // namespace
}  // namespace ava::cache

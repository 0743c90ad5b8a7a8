#include "common/units.h"

#include "test_util.h"

namespace ava {
namespace {

TEST(UnitsTest, ParsesIecAndSiSizes) {
  EXPECT_EQ(*ParseBytes("100"), 100u);
  EXPECT_EQ(*ParseBytes("4KiB"), 4096u);
  EXPECT_EQ(*ParseBytes("512MiB"), 512ull << 20);
  EXPECT_EQ(*ParseBytes("1.5 GiB"), 3ull << 29);
  EXPECT_EQ(*ParseBytes("2G"), 2ull << 30);
  EXPECT_EQ(*ParseBytes("1GB"), 1000000000ull);
  EXPECT_EQ(*ParseBytes("10kB"), 10000ull);
}

TEST(UnitsTest, RejectsBadSizesWithTheReason) {
  Result<uint64_t> r = ParseBytes("12 parsecs");
  ASSERT_STATUS(r, kInvalidArgument);
  EXPECT_NE(r.status().message().find("parsecs"), std::string::npos);
  EXPECT_STATUS(ParseBytes(""), kInvalidArgument);
  EXPECT_STATUS(ParseBytes("-5MiB"), kInvalidArgument);
  EXPECT_STATUS(ParseBytes("GiB"), kInvalidArgument);
}

TEST(UnitsTest, ParsesDurations) {
  EXPECT_EQ(*ParseDuration("250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(*ParseDuration("30s"), std::chrono::seconds(30));
  EXPECT_EQ(*ParseDuration("5m"), std::chrono::minutes(5));
  EXPECT_EQ(*ParseDuration("2h"), std::chrono::hours(2));
  EXPECT_EQ(*ParseDuration("1.5"), std::chrono::milliseconds(1500));
  EXPECT_STATUS(ParseDuration("5 fortnights"), kInvalidArgument);
}

TEST(UnitsTest, FormatsForPeople) {
  EXPECT_EQ(FormatBytes(17), "17 B");
  EXPECT_EQ(FormatBytes(1536), "1.50 KiB");
  EXPECT_EQ(FormatBytes(3ull << 30), "3.00 GiB");
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(340)), "340 ms");
  EXPECT_EQ(FormatDuration(std::chrono::seconds(125)), "2m05s");
}

}  // namespace
}  // namespace ava

#include "common/rfc3339.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ava {
namespace {

TEST(Rfc3339Test, ParsesWhatTheApiAndS3Write) {
  Result<Nanos> plain = ParseTime("2009-10-12T17:50:30Z");
  ASSERT_OK(plain);
  EXPECT_EQ(plain->count(), 1255369830LL * 1000000000);
  Result<Nanos> s3 = ParseTime("2009-10-12T17:50:31.500Z");  // S3 LastModified
  ASSERT_OK(s3);
  EXPECT_EQ(s3->count(), 1255369831LL * 1000000000 + 500000000);
  Result<Nanos> offset = ParseTime("2009-10-12T19:50:30+02:00");
  ASSERT_OK(offset);
  EXPECT_EQ(*offset, *plain);
  EXPECT_EQ(ParseTime(FormatTime(*s3)).value_or(Nanos(0)), *s3);
}

TEST(Rfc3339Test, RefusesWhatIsNotATime) {
  for (const char* bad : {"", "yesterday", "2009-10-12", "2009-13-12T17:50:30Z", "2009-10-12T17:50:30",
                          "2009-10-12T17:50:30Zjunk", "2009-10-12T17:50:30.Z"}) {
    SCOPED_TRACE(bad);
    EXPECT_STATUS(ParseTime(bad), kInvalidArgument);
  }
}

}  // namespace
}  // namespace ava

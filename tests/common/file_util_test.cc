#include "common/file_util.h"

#include <sys/stat.h>

#include "test_util.h"

namespace ava {
namespace {

TEST(FileUtilTest, AtomicWriteReplacesWholeFile) {
  testing::TempDir dir;
  std::string p = dir.Sub("f");
  ASSERT_OK(WriteFileAtomic(p, "first version"));
  ASSERT_OK(WriteFileAtomic(p, "second"));
  Result<std::string> data = ReadFile(p);
  ASSERT_OK(data);
  EXPECT_EQ(*data, "second");
}

TEST(FileUtilTest, MakeDirsCreatesPrivateDirectories) {
  testing::TempDir dir;
  std::string p = dir.Sub("a/b/c");
  ASSERT_OK(MakeDirs(p, 0700));
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_OK(MakeDirs(p, 0700));  // idempotent
  ASSERT_OK(WriteFileAtomic(dir.Sub("file"), "x"));
  EXPECT_STATUS(MakeDirs(dir.Sub("file"), 0700), kFailedPrecondition);
}

TEST(FileUtilTest, ReadMissingFileIsNotFound) { EXPECT_STATUS(ReadFile("/nonexistent/x"), kNotFound); }

}  // namespace
}  // namespace ava

// Test helpers shared by every suite: assertions that print the Status on failure, and a
// per-test temporary directory.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "common/result.h"
#include "common/status.h"

#define ASSERT_OK(expr)                                             \
  do {                                                              \
    const ::ava::Status ava_s_ = ::ava::internal::ToStatus((expr)); \
    ASSERT_TRUE(ava_s_.ok()) << #expr << " failed: " << ava_s_;     \
  } while (0)
#define EXPECT_OK(expr)                                             \
  do {                                                              \
    const ::ava::Status ava_s_ = ::ava::internal::ToStatus((expr)); \
    EXPECT_TRUE(ava_s_.ok()) << #expr << " failed: " << ava_s_;     \
  } while (0)
// The expression fails with `code` (an ava::Code enumerator name such as kNotFound).
#define EXPECT_STATUS(expr, code_name)                                                   \
  do {                                                                                   \
    const ::ava::Status ava_s_ = ::ava::internal::ToStatus((expr));                      \
    EXPECT_EQ(ava_s_.code(), ::ava::Code::code_name) << #expr << " returned " << ava_s_; \
  } while (0)
#define ASSERT_STATUS(expr, code_name)                                                   \
  do {                                                                                   \
    const ::ava::Status ava_s_ = ::ava::internal::ToStatus((expr));                      \
    ASSERT_EQ(ava_s_.code(), ::ava::Code::code_name) << #expr << " returned " << ava_s_; \
  } while (0)

namespace ava::testing {

// A fresh directory under $TMPDIR (default /tmp), removed with everything in it when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace ava::testing

#include "common/status.h"

#include <cerrno>

#include "common/result.h"
#include "test_util.h"

namespace ava {
namespace {

TEST(StatusTest, OkIsDefaultAndPrintsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeMessageAndFlags) {
  Status s = Status::IOError("disk on fire").Retryable().DataLoss();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kIOError);
  EXPECT_TRUE(s.retryable());
  EXPECT_TRUE(s.data_loss());
  EXPECT_EQ(s.ToString(), "IOError: disk on fire [retryable] [data loss]");
}

TEST(StatusTest, UnavailableIsRetryableByDefaultNotFoundIsNot) {
  EXPECT_TRUE(Status::Unavailable("down").retryable());
  EXPECT_FALSE(Status::NotFound("gone").retryable());
  EXPECT_FALSE(Status::Unavailable("bad host").Retryable(false).retryable());
}

TEST(StatusTest, AnnotateKeepsCodeAndFlags) {
  Status s = Status::Unavailable("connection refused").Annotate("GET s3://b/k");
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_TRUE(s.retryable());
  EXPECT_EQ(s.message(), "GET s3://b/k: connection refused");
}

TEST(StatusTest, FromErrnoMapsCommonErrors) {
  EXPECT_EQ(Status::FromErrno(ENOENT, "open x").code(), Code::kNotFound);
  EXPECT_EQ(Status::FromErrno(ENOSPC, "write x").code(), Code::kNoSpace);
  EXPECT_EQ(Status::FromErrno(EACCES, "open x").code(), Code::kPermissionDenied);
  EXPECT_EQ(Status::FromErrno(EIO, "read x").code(), Code::kIOError);
  EXPECT_NE(Status::FromErrno(ENOENT, "open x").message().find("open x"), std::string::npos);
}

TEST(StatusTest, EveryCodeHasAName) {
  for (int c = 0; c <= static_cast<int>(Code::kInternal); ++c) {
    EXPECT_NE(CodeName(static_cast<Code>(c)), "Unknown");
  }
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  AVA_ASSIGN_OR_RETURN(int h, Half(x));
  AVA_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(ResultTest, ValueAndErrorPropagate) {
  Result<int> ok = Quarter(8);
  ASSERT_OK(ok);
  EXPECT_EQ(*ok, 2);
  Result<int> bad = Quarter(6);
  EXPECT_STATUS(bad, kInvalidArgument);
  EXPECT_EQ(bad.value_or(-1), -1);
}

Status Check(int x) {
  AVA_RETURN_IF_ERROR(Half(x));
  return Status::OK();
}

TEST(ResultTest, ReturnIfErrorAcceptsResult) {
  EXPECT_OK(Check(4));
  EXPECT_STATUS(Check(3), kInvalidArgument);
}

}  // namespace
}  // namespace ava

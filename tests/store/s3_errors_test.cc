#include "store/s3_errors.h"

#include <gtest/gtest.h>

#include "fake_transport.h"
#include "test_util.h"

namespace ava::store {
namespace {

Status Map(int http, const std::string& code) {
  return S3ErrorToStatus("get", "s3://b/k", http,
                         ParseS3Error(code.empty() ? "" : S3ErrorXml(code, "details")));
}

TEST(S3ErrorsTest, CodesMapToStatus) {
  EXPECT_STATUS(Map(404, "NoSuchKey"), kNotFound);
  EXPECT_STATUS(Map(404, "NoSuchBucket"), kNotFound);
  EXPECT_STATUS(Map(404, "NoSuchUpload"), kNotFound);
  EXPECT_STATUS(Map(403, "AccessDenied"), kPermissionDenied);
  EXPECT_STATUS(Map(403, "InvalidAccessKeyId"), kUnauthenticated);
  EXPECT_STATUS(Map(403, "SignatureDoesNotMatch"), kUnauthenticated);
  EXPECT_STATUS(Map(416, "InvalidRange"), kOutOfRange);
  EXPECT_STATUS(Map(412, "PreconditionFailed"), kFailedPrecondition);
  EXPECT_STATUS(Map(409, "BucketNotEmpty"), kFailedPrecondition);
  EXPECT_STATUS(Map(409, "BucketAlreadyOwnedByYou"), kAlreadyExists);
  EXPECT_STATUS(Map(400, "InvalidArgument"), kInvalidArgument);
  EXPECT_STATUS(Map(400, "EntityTooSmall"), kInvalidArgument);
  EXPECT_STATUS(Map(501, "NotImplemented"), kNotSupported);
}

TEST(S3ErrorsTest, TransientFailuresAreRetryable) {
  for (auto [http, code] : std::vector<std::pair<int, std::string>>{{503, "SlowDown"},
                                                                    {503, "ServiceUnavailable"},
                                                                    {500, "InternalError"},
                                                                    {400, "RequestTimeout"},
                                                                    {502, ""},
                                                                    {504, ""},
                                                                    {500, ""},
                                                                    {429, ""}}) {
    Status s = Map(http, code);
    EXPECT_STATUS(s, kUnavailable);
    EXPECT_TRUE(s.retryable()) << http << " " << code;
  }
  for (auto [http, code] : std::vector<std::pair<int, std::string>>{
           {404, "NoSuchKey"}, {403, "AccessDenied"}, {403, "SignatureDoesNotMatch"}, {400, ""}, {416, ""}}) {
    EXPECT_FALSE(Map(http, code).retryable()) << http << " " << code;
  }
}

TEST(S3ErrorsTest, StatusOnlyAnswersMapByHttpStatus) {
  // HEAD answers have no body.
  EXPECT_STATUS(Map(404, ""), kNotFound);
  EXPECT_STATUS(Map(403, ""), kPermissionDenied);
  EXPECT_STATUS(Map(401, ""), kUnauthenticated);
  EXPECT_STATUS(Map(416, ""), kOutOfRange);
  EXPECT_STATUS(Map(412, ""), kFailedPrecondition);
  EXPECT_STATUS(Map(405, ""), kInvalidArgument);
}

TEST(S3ErrorsTest, MessageNamesOperationObjectAndS3Code) {
  Status s = Map(403, "SignatureDoesNotMatch");
  EXPECT_EQ(s.message(), "get s3://b/k: SignatureDoesNotMatch: details (HTTP 403, request id req-1)");
  EXPECT_EQ(Map(502, "").message(), "get s3://b/k: HTTP 502");
  // RGW often sends an empty <Message>.
  EXPECT_EQ(S3ErrorToStatus("list", "s3://b", 403,
                            ParseS3Error("<Error><Code>SignatureDoesNotMatch</Code></Error>"))
                .message(),
            "list s3://b: SignatureDoesNotMatch (HTTP 403)");
}

}  // namespace
}  // namespace ava::store

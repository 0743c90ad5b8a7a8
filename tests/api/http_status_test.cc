// The one Status → HTTP mapping, as docs/api.md writes it down, and the error body's shape.
#include "api/http_status.h"

#include <gtest/gtest.h>

#include "api/response.h"

namespace ava::api {
namespace {

TEST(HttpStatusTest, MatchesTheContract) {
  EXPECT_EQ(HttpStatusFor(Code::kOk), 200);
  EXPECT_EQ(HttpStatusFor(Code::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(Code::kOutOfRange), 400);
  EXPECT_EQ(HttpStatusFor(Code::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(Code::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(Code::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(Code::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(Code::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(Code::kNotSupported), 501);
  EXPECT_EQ(HttpStatusFor(Code::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(Code::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusFor(Code::kInternal), 500);
  EXPECT_EQ(HttpStatusFor(Code::kCorruption), 500);
  EXPECT_EQ(HttpStatusFor(Code::kIOError), 500);
}

TEST(HttpStatusTest, ErrorBodyNamesCodeMessageAndField) {
  Response r = ErrorResponse(Status::InvalidArgument("resources.gpus must be 0..16"), "resources.gpus");
  EXPECT_EQ(r.status, 400);
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "InvalidArgument");
  EXPECT_EQ(j["error"]["message"], "resources.gpus must be 0..16");
  EXPECT_EQ(j["error"]["field"], "resources.gpus");
  Json plain = Json::parse(ErrorResponse(Status::NotFound("job 3 not found")).body);
  EXPECT_FALSE(plain["error"].contains("field"));
}

}  // namespace
}  // namespace ava::api

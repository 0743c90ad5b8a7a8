#include "store/s3_errors.h"

#include <fmt/format.h>

namespace ava::store {

Status S3ErrorToStatus(std::string_view op, std::string_view resource, int http_status,
                       const S3ErrorBody& error) {
  std::string detail = error.code.empty()      ? fmt::format("HTTP {}", http_status)
                       : error.message.empty() ? error.code
                                               : fmt::format("{}: {}", error.code, error.message);
  std::string msg = fmt::format("{} {}: {}", op, resource, detail);
  if (!error.code.empty()) {
    msg += error.request_id.empty() ? fmt::format(" (HTTP {})", http_status)
                                    : fmt::format(" (HTTP {}, request id {})", http_status, error.request_id);
  } else if (http_status == 403 || http_status == 400) {
    msg += " (a HEAD answer carries no S3 error code)";
  }
  const std::string_view c = error.code;
  if (c == "NoSuchKey" || c == "NoSuchBucket" || c == "NoSuchUpload") return Status::NotFound(msg);
  if (c == "AccessDenied" || c == "AllAccessDisabled" || c == "AccountProblem")
    return Status::PermissionDenied(msg);
  if (c == "InvalidAccessKeyId" || c == "SignatureDoesNotMatch" || c == "ExpiredToken" ||
      c == "InvalidToken" || c == "TokenRefreshRequired" || c == "RequestTimeTooSkewed" ||
      c == "InvalidSecurity") {
    return Status::Unauthenticated(msg);
  }
  if (c == "InvalidRange") return Status::OutOfRange(msg);
  if (c == "PreconditionFailed") return Status::FailedPrecondition(msg);
  if (c == "BucketAlreadyExists" || c == "BucketAlreadyOwnedByYou") return Status::AlreadyExists(msg);
  if (c == "BucketNotEmpty" || c == "OperationAborted" || c == "InvalidObjectState" ||
      c == "InvalidBucketState") {
    return Status::FailedPrecondition(msg);
  }
  if (c == "SlowDown" || c == "ServiceUnavailable" || c == "InternalError" || c == "RequestTimeout" ||
      c == "Throttling" || c == "ThrottlingException" || c == "RequestLimitExceeded" ||
      c == "TooManyRequestsException") {
    return Status::Unavailable(msg);
  }
  if (c == "BadDigest") return Status::Corruption(msg).Retryable();
  if (c == "NotImplemented") return Status::NotSupported(msg);

  if (http_status >= 500) return http_status == 501 ? Status::NotSupported(msg) : Status::Unavailable(msg);
  switch (http_status) {
    case 401:
      return Status::Unauthenticated(msg);
    case 403:
      return Status::PermissionDenied(msg);
    case 404:
      return Status::NotFound(msg);
    case 409:
    case 412:
      return Status::FailedPrecondition(msg);
    case 416:
      return Status::OutOfRange(msg);
    case 429:
      return Status::Unavailable(msg);
    default:
      return Status::InvalidArgument(msg);
  }
}

}  // namespace ava::store

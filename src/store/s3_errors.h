// The one place that turns an S3 answer into an ava::Status. The message names the operation, the
// object and what S3 said: "get s3://bucket/key: NoSuchKey: The specified key does not exist.
// (HTTP 404, request id tx0001)".
//
//   S3 error code / HTTP status                                  → Code
//   NoSuchKey, NoSuchBucket, NoSuchUpload, 404                    → NotFound
//   AccessDenied, AllAccessDisabled, AccountProblem, 403          → PermissionDenied
//   InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken,
//     InvalidToken, RequestTimeTooSkewed, 401                     → Unauthenticated
//   InvalidRange, 416                                             → OutOfRange
//   PreconditionFailed, 412                                       → FailedPrecondition
//   BucketAlreadyExists, BucketAlreadyOwnedByYou                  → AlreadyExists
//   BucketNotEmpty, OperationAborted, InvalidObjectState, 409     → FailedPrecondition
//   SlowDown, ServiceUnavailable, InternalError, RequestTimeout,
//     Throttling, 429, 500, 502, 503, 504 (any 5xx)               → Unavailable, retryable
//   BadDigest (body damaged in transit)                           → Corruption, retryable
//   NotImplemented, 501                                           → NotSupported
//   any other 4xx                                                 → InvalidArgument
//
// Thread safety: a pure function.
#pragma once

#include <string_view>

#include "common/status.h"
#include "store/s3_xml.h"

namespace ava::store {

// `op` is "get", "put", …; `resource` is "s3://bucket/key" (or "s3://bucket").
Status S3ErrorToStatus(std::string_view op, std::string_view resource, int http_status,
                       const S3ErrorBody& error);

}  // namespace ava::store

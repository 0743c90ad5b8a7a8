// The XML documents of the S3 REST API that S3Store reads and writes, parsed with pugixml:
// ListObjectsV2 results, Error bodies, InitiateMultipartUpload, CompleteMultipartUpload (request
// and result), CopyObjectResult and DeleteObjects. Parsing never throws; a malformed document is
// an error Status (Internal: the server sent something S3 would not).
//
// Thread safety: free functions, reentrant.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/object_store.h"

namespace ava::store {

struct S3ErrorBody {
  std::string code;  // "NoSuchKey", "SignatureDoesNotMatch", ... ("" when the body had none)
  std::string message;
  std::string request_id;
};

struct S3ListResult {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  std::string next_continuation_token;
};

// The <Error> document of a failed request; an empty S3ErrorBody when `xml` is not one.
S3ErrorBody ParseS3Error(std::string_view xml);
// True when `xml` is an <Error> document (S3 can answer 200 OK with one to CompleteMultipartUpload
// and CopyObject).
bool IsS3ErrorDocument(std::string_view xml);

Result<S3ListResult> ParseListObjectsV2(std::string_view xml);
// The UploadId of an InitiateMultipartUploadResult.
Result<std::string> ParseInitiateMultipartUpload(std::string_view xml);
// <CompleteMultipartUpload> listing (part number, etag) in the order given.
std::string BuildCompleteMultipartUpload(const std::vector<std::pair<int, std::string>>& parts);
// The ETag (without quotes) of a CompleteMultipartUploadResult.
Result<std::string> ParseCompleteMultipartUpload(std::string_view xml);
// ETag (without quotes) and LastModified (ns) of a CopyObjectResult.
Result<std::pair<std::string, int64_t>> ParseCopyObjectResult(std::string_view xml);
// <Delete><Quiet>true</Quiet>… for up to 1000 keys.
std::string BuildDeleteObjects(const std::vector<std::string>& keys);
// The per-key errors of a DeleteResult: (key, code message).
Result<std::vector<std::pair<std::string, std::string>>> ParseDeleteObjectsErrors(std::string_view xml);

// Strips the surrounding quotes S3 puts on ETags.
std::string Unquote(std::string_view etag);

}  // namespace ava::store

// S3Store: the ObjectStore over the S3 REST API ("s3://bucket@host:port") — AWS S3, Ceph RGW,
// MinIO, Qiniu KODO's S3 gateway. Requests are signed with SigV4 (sigv4_signer.h), sent through
// an injected HttpTransport (CurlTransport in production), retried by RetryPolicy, and S3's
// answers are mapped to Status in exactly one place (s3_errors.h).
//
// Behaviour worth knowing:
//  - Path-style ("http://host/bucket/key") or virtual-host-style ("http://bucket.host/key")
//    addressing. Keys are URI-encoded per AWS rules, so spaces, '+', '%' and UTF-8 work.
//  - Get ranges: "bytes=a-b" and suffix "bytes=-n". S3 answers 416 for any range on an empty
//    object; S3Store then checks the size with a HEAD and returns empty data, as the contract
//    says. A Get with length 0 is answered from a HEAD.
//  - Put and UploadPart send Content-MD5, so the server rejects a body damaged in transit; the
//    payload is UNSIGNED-PAYLOAD unless `sign_payload` is set (then its SHA-256 is signed).
//  - Complete of a multipart upload is retried safely: if a retry finds the upload gone
//    (NoSuchUpload) because the first attempt did complete, a HEAD confirms the object carries
//    the expected multipart etag.
//  - Copy is a single CopyObject request (objects up to 5 GiB, S3's limit for it).
//  - Put's returned mtime is the local clock at completion (S3 does not return Last-Modified
//    on PUT); Head/Get/List report the server's.
//  - List sends ListObjectsV2 without encoding-type=url: keys with XML-invalid control
//    characters cannot be listed.
//
// Errors: see s3_errors.h; transport failures from http_transport.h; every retryable failure is
// retried up to RetryOptions::max_attempts.
// Thread safety: safe for concurrent use (the transport is, the signer is immutable). A
// MultipartUpload must not outlive its store; its UploadPart may be called from several threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "store/http_transport.h"
#include "store/object_store.h"
#include "store/retry_policy.h"
#include "store/sigv4_signer.h"

namespace ava::store {

enum class S3Addressing { kPath, kVirtualHost };

struct S3StoreOptions {
  std::string bucket;
  std::string endpoint;  // "http://127.0.0.1:7480" or "https://s3.amazonaws.com"; no path
  std::string region = "us-east-1";
  S3Addressing addressing = S3Addressing::kPath;
  Credentials credentials;
  RetryOptions retry;
  bool sign_payload = false;
};

class S3Store final : public ObjectStore {
 public:
  // Checks the options (bucket name, endpoint form); does no I/O. `clock` and `logger` (may be
  // null) must outlive the store.
  static Result<std::unique_ptr<S3Store>> Create(S3StoreOptions options,
                                                 std::unique_ptr<HttpTransport> transport, Clock* clock,
                                                 Logger* logger);

  std::string Describe() const override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Result<GetResult> Get(const GetRequest& request) override;
  Result<ListPage> List(const ListRequest& request) override;
  Result<ObjectInfo> Put(const std::string& key, std::string_view data) override;
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Result<ObjectInfo> Copy(const std::string& src, const std::string& dst) override;

  // Bucket helpers, outside the ObjectStore interface (tests, tools, mount-time checks).
  // One ListObjectsV2 of a single key: proves the endpoint answers, the bucket exists and the
  // credentials are accepted.
  Status CheckBucket();
  Status CreateBucket();
  Status DeleteBucket();
  // Multi-object delete, in batches of 1000.
  Status DeleteObjects(const std::vector<std::string>& keys);
  // Deletes every object under `prefix` and aborts nothing else; for test clean-up.
  Status DeleteAll(const std::string& prefix = "");

  const S3StoreOptions& options() const { return options_; }

 private:
  friend class S3MultipartUpload;

  struct Call {
    std::string op;      // for messages: "get", "put", …
    std::string method;  // GET, HEAD, …
    std::string key;     // "" for a bucket-level request
    QueryList query;
    HeaderList headers;
    std::string_view body;
    // CompleteMultipartUpload and CopyObject can fail with "200 OK" and an <Error> body.
    bool error_in_200 = false;
  };

  S3Store(S3StoreOptions options, std::unique_ptr<HttpTransport> transport, Clock* clock, Logger* logger,
          std::string scheme, std::string authority);

  // Sends `call`, retrying transport failures and retryable S3 errors. Returns the response of
  // the last attempt (any non-retryable status included) or the error that ended the retries.
  Result<HttpResponse> Send(const Call& call);
  // One attempt: URL, signature, transport.
  Result<HttpResponse> SendOnce(const Call& call);
  Status ErrorOf(const Call& call, const HttpResponse& response) const;
  std::string Resource(const std::string& key) const;
  ObjectInfo InfoFromHeaders(const std::string& key, const HttpResponse& response) const;
  std::string PayloadHash(std::string_view body) const;

  const S3StoreOptions options_;
  const std::unique_ptr<HttpTransport> transport_;
  Clock* const clock_;
  Logger* const logger_;
  const std::string scheme_;     // "http" | "https"
  const std::string authority_;  // "host:port" as written in the endpoint
  const SigV4Signer signer_;
  RetryPolicy retry_;
};

// "http://host:port" → scheme, authority. InvalidArgument for anything else (a path, no scheme).
Status ParseEndpoint(const std::string& endpoint, std::string* scheme, std::string* authority);
// S3's bucket naming rules (3–63 chars of a-z 0-9 . -, starting and ending with a letter or digit).
Status ValidateBucketName(const std::string& bucket);

}  // namespace ava::store

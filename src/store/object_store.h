// ObjectStore: a flat namespace of immutable byte objects addressed by key — the one interface over
// S3 (AWS, Ceph RGW, MinIO, Qiniu KODO), a local directory and memory. Everything above it (cache,
// avafs, dataset import) sees only this interface, and one contract test suite
// (tests/store/object_store_contract.h) runs against every implementation.
//
// Semantics every implementation keeps:
//  - Keys are UTF-8 byte strings without a leading '/'; they may contain spaces and any UTF-8.
//  - An object's `etag` changes whenever its content changes. For a single-part Put it is the hex
//    MD5 of the content; for a multipart upload it is hex MD5 of the concatenated binary part MD5s
//    followed by "-<parts>" (what S3 returns). Stores that cannot compute it (a directory written
//    by other programs) synthesise an opaque tag from size and mtime.
//  - Get with a range: `offset` past the end of a non-empty object → OutOfRange; a range that runs
//    past the end is cut at the end; a Get of an empty object returns empty data (any range).
//  - List returns keys in byte order, at most `max_keys` per page, with `next_token` to continue.
//    With a delimiter, keys that share `prefix` + part + delimiter fold into one common prefix.
//  - Errors: NotFound (no such key/bucket), PermissionDenied (refused), Unauthenticated (bad
//    credentials or signature), Unavailable+retryable (unreachable, 5xx, throttled, timed out
//    after retries), InvalidArgument (a request the store rejects as malformed).
//
// Thread safety: every implementation is safe for concurrent use from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace ava::store {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;      // without quotes
  int64_t mtime_ns = 0;  // last modified, ns since the Unix epoch (0 if unknown)
};

struct GetRequest {
  std::string key;
  uint64_t offset = 0;
  // Bytes to read from `offset`; nullopt = to the end.
  std::optional<uint64_t> length;
  // Read only the last `suffix_length` bytes (S3 "bytes=-N"); overrides offset/length when set.
  std::optional<uint64_t> suffix_length;
  // If set, fail with FailedPrecondition when the object's etag differs (the object changed).
  std::string if_match;
};

struct GetResult {
  std::string data;
  ObjectInfo info;      // of the whole object: size is the full size, not the range's
  uint64_t offset = 0;  // where `data` starts in the object
};

struct ListRequest {
  std::string prefix;
  std::string delimiter;    // "" = flat listing; "/" = one directory level
  std::string start_token;  // next_token of the previous page; "" = from the start
  int max_keys = 1000;      // 1..1000
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;  // each ends with the delimiter
  std::string next_token;                    // "" when this is the last page
};

// A multipart upload in progress. Parts are numbered from 1; every part but the last must be at
// least 5 MiB on S3 (the other stores do not insist). Destroying an upload that was neither
// completed nor aborted aborts it.
class MultipartUpload {
 public:
  virtual ~MultipartUpload() = default;
  virtual Status UploadPart(int part_number, std::string_view data) = 0;
  // Assembles the parts uploaded so far, in part-number order, into the object.
  virtual Result<ObjectInfo> Complete() = 0;
  virtual Status Abort() = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  ObjectStore() = default;
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;

  // A short name for logs and metrics: "s3://bucket@127.0.0.1:7480", "file:///data", "mem://x".
  virtual std::string Describe() const = 0;

  virtual Result<ObjectInfo> Head(const std::string& key) = 0;
  virtual Result<GetResult> Get(const GetRequest& request) = 0;
  virtual Result<ListPage> List(const ListRequest& request) = 0;
  // Creates or replaces the object.
  virtual Result<ObjectInfo> Put(const std::string& key, std::string_view data) = 0;
  virtual Result<std::unique_ptr<MultipartUpload>> StartMultipart(const std::string& key) = 0;
  // Deleting a missing key succeeds (as on S3).
  virtual Status Delete(const std::string& key) = 0;
  // Server-side copy; `src` must exist.
  virtual Result<ObjectInfo> Copy(const std::string& src, const std::string& dst) = 0;
};

// Lists every page of `request` and returns all objects and common prefixes.
Result<ListPage> ListAll(ObjectStore& store, ListRequest request);

// The key rules every store enforces before touching the backend: not empty, at most 1024 bytes
// (S3's limit), no leading '/', no NUL byte. InvalidArgument naming the key otherwise.
Status ValidateKey(std::string_view key);

// Where a Get reads, once the object's size is known: applies suffix_length, cuts a range that
// runs past the end, OutOfRange for an offset at or past the end of a non-empty object,
// InvalidArgument for suffix_length == 0. An empty object yields {0, 0} for any range.
struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};
Result<ByteRange> ResolveRange(const GetRequest& request, uint64_t object_size);

// True when two etags name the same content, ignoring surrounding quotes.
bool EtagsMatch(std::string_view a, std::string_view b);

}  // namespace ava::store

// MemoryStore: an ObjectStore held in process memory ("mem://<name>"), for unit tests of the
// layers above and for small demos. It keeps every promise of object_store.h with S3's behaviour:
// byte-ordered keys with no directory rules (both "a" and "a/b" may exist), MD5 etags, multipart
// etags "md5-of-md5s-N", Copy keeps the source's etag. Wrap it in a FaultInjectingStore to count
// calls or inject errors and latency.
//
// Objects are immutable once stored and shared by pointer, so a Get copies only the bytes it
// returns and never holds the lock while copying.
//
// Errors: InvalidArgument for bad keys (ValidateKey) and bad list requests, NotFound for missing
// keys, OutOfRange/FailedPrecondition from Get as the contract says.
// Thread safety: safe for concurrent use. A MultipartUpload must not outlive its store.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "common/clock.h"
#include "common/thread_annotations.h"
#include "store/object_store.h"

namespace ava::store {

class MemoryStore final : public ObjectStore {
 public:
  // `clock` stamps mtimes (WallNow); null uses the system clock. It must outlive the store.
  explicit MemoryStore(std::string name, Clock* clock = nullptr);

  std::string Describe() const override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Result<GetResult> Get(const GetRequest& request) override;
  Result<ListPage> List(const ListRequest& request) override;
  Result<ObjectInfo> Put(const std::string& key, std::string_view data) override;
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Result<ObjectInfo> Copy(const std::string& src, const std::string& dst) override;

  // Number of objects and their total size, for tests and debugging.
  size_t ObjectCount() const;
  uint64_t TotalBytes() const;

 private:
  friend class MemoryMultipartUpload;
  struct Object {
    std::shared_ptr<const std::string> data;
    std::string etag;
    int64_t mtime_ns = 0;
  };
  class Cursor;

  ObjectInfo Store(const std::string& key, std::shared_ptr<const std::string> data, std::string etag);
  static ObjectInfo InfoOf(const std::string& key, const Object& o);

  const std::string name_;
  SystemClock system_clock_;
  Clock* const clock_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Object, std::less<>> objects_ GUARDED_BY(mu_);
};

}  // namespace ava::store

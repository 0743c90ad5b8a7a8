// InstrumentedStore: a decorator that records Prometheus metrics for every call to the store it
// wraps, so S3, POSIX and memory stores report alike:
//   avafs_backend_requests_total{store,op}          calls made
//   avafs_backend_errors_total{store,op,code}        calls that failed, by Status code name
//                                                   (NotFound from Head is counted too: it is
//                                                   what negative lookups cost)
//   avafs_backend_request_seconds{store,op}          latency histogram (includes retries)
//   avafs_backend_bytes_total{store,direction}       bytes read from the store ("in": Get) and
//                                                   written to it ("out": Put, UploadPart)
// op is one of get|head|list|put|multipart|delete|copy; store is the wrapped store's Describe().
//
// Errors: those of the wrapped store, unchanged. Thread safety: as safe as the wrapped store;
// metric updates are lock-free (error counters take the registry lock once per failure).
#pragma once

#include <array>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/metrics.h"
#include "store/object_store_wrapper.h"
#include "store/store_op.h"

namespace ava::store {

class InstrumentedStore final : public ObjectStoreWrapper {
 public:
  // `metrics` and `clock` must outlive this store.
  InstrumentedStore(std::unique_ptr<ObjectStore> target, MetricsRegistry* metrics, Clock* clock);
  InstrumentedStore(ObjectStore* target, MetricsRegistry* metrics, Clock* clock);

  Result<ObjectInfo> Head(const std::string& key) override;
  Result<GetResult> Get(const GetRequest& request) override;
  Result<ListPage> List(const ListRequest& request) override;
  Result<ObjectInfo> Put(const std::string& key, std::string_view data) override;
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Result<ObjectInfo> Copy(const std::string& src, const std::string& dst) override;

 private:
  friend class InstrumentedUpload;
  struct OpMetrics {
    Counter* requests = nullptr;
    Histogram* seconds = nullptr;
  };
  // Records one finished call of `op` that started at `start`.
  void Record(StoreOp op, Nanos start, const Status& status);
  void Init();

  MetricsRegistry* const metrics_;
  Clock* const clock_;
  const std::string store_label_;
  std::array<OpMetrics, kStoreOpCount> ops_;
  Counter* bytes_in_ = nullptr;
  Counter* bytes_out_ = nullptr;
};

}  // namespace ava::store

#include "store/instrumented_store.h"

#include <utility>

namespace ava::store {

class InstrumentedUpload final : public MultipartUpload {
 public:
  InstrumentedUpload(InstrumentedStore* store, std::unique_ptr<MultipartUpload> target)
      : store_(store), target_(std::move(target)) {}

  Status UploadPart(int part_number, std::string_view data) override {
    Nanos start = store_->clock_->Now();
    Status s = target_->UploadPart(part_number, data);
    store_->Record(StoreOp::kUploadPart, start, s);
    if (s.ok()) store_->bytes_out_->Inc(data.size());
    return s;
  }
  Result<ObjectInfo> Complete() override {
    Nanos start = store_->clock_->Now();
    Result<ObjectInfo> r = target_->Complete();
    store_->Record(StoreOp::kCompleteMultipart, start, r.status());
    return r;
  }
  Status Abort() override {
    Nanos start = store_->clock_->Now();
    Status s = target_->Abort();
    store_->Record(StoreOp::kAbortMultipart, start, s);
    return s;
  }

 private:
  InstrumentedStore* const store_;
  std::unique_ptr<MultipartUpload> target_;
};

InstrumentedStore::InstrumentedStore(std::unique_ptr<ObjectStore> target, MetricsRegistry* metrics,
                                     Clock* clock)
    : ObjectStoreWrapper(std::move(target)), metrics_(metrics), clock_(clock), store_label_(Describe()) {
  Init();
}

InstrumentedStore::InstrumentedStore(ObjectStore* target, MetricsRegistry* metrics, Clock* clock)
    : ObjectStoreWrapper(target), metrics_(metrics), clock_(clock), store_label_(Describe()) {
  Init();
}

void InstrumentedStore::Init() {
  for (int i = 0; i < kStoreOpCount; ++i) {
    Labels labels = {{"store", store_label_},
                     {"op", std::string(StoreOpMetricName(static_cast<StoreOp>(i)))}};
    ops_[i].requests =
        &metrics_->GetCounter("avafs_backend_requests_total", "Requests sent to object stores", labels);
    ops_[i].seconds = &metrics_->GetHistogram("avafs_backend_request_seconds",
                                              "Object store request latency, retries included", labels);
  }
  bytes_in_ = &metrics_->GetCounter("avafs_backend_bytes_total", "Bytes moved to and from object stores",
                                    {{"store", store_label_}, {"direction", "in"}});
  bytes_out_ = &metrics_->GetCounter("avafs_backend_bytes_total", "Bytes moved to and from object stores",
                                     {{"store", store_label_}, {"direction", "out"}});
}

void InstrumentedStore::Record(StoreOp op, Nanos start, const Status& status) {
  OpMetrics& m = ops_[static_cast<int>(op)];
  m.requests->Inc();
  m.seconds->Observe(std::chrono::duration<double>(clock_->Now() - start).count());
  if (!status.ok()) {
    metrics_
        ->GetCounter("avafs_backend_errors_total", "Failed object store requests, by status code",
                     {{"store", store_label_},
                      {"op", std::string(StoreOpMetricName(op))},
                      {"code", std::string(CodeName(status.code()))}})
        .Inc();
  }
}

Result<ObjectInfo> InstrumentedStore::Head(const std::string& key) {
  Nanos start = clock_->Now();
  Result<ObjectInfo> r = ObjectStoreWrapper::Head(key);
  Record(StoreOp::kHead, start, r.status());
  return r;
}

Result<GetResult> InstrumentedStore::Get(const GetRequest& request) {
  Nanos start = clock_->Now();
  Result<GetResult> r = ObjectStoreWrapper::Get(request);
  Record(StoreOp::kGet, start, r.status());
  if (r.ok()) bytes_in_->Inc(r->data.size());
  return r;
}

Result<ListPage> InstrumentedStore::List(const ListRequest& request) {
  Nanos start = clock_->Now();
  Result<ListPage> r = ObjectStoreWrapper::List(request);
  Record(StoreOp::kList, start, r.status());
  return r;
}

Result<ObjectInfo> InstrumentedStore::Put(const std::string& key, std::string_view data) {
  Nanos start = clock_->Now();
  Result<ObjectInfo> r = ObjectStoreWrapper::Put(key, data);
  Record(StoreOp::kPut, start, r.status());
  if (r.ok()) bytes_out_->Inc(data.size());
  return r;
}

Result<std::unique_ptr<MultipartUpload>> InstrumentedStore::StartMultipart(const std::string& key) {
  Nanos start = clock_->Now();
  Result<std::unique_ptr<MultipartUpload>> r = ObjectStoreWrapper::StartMultipart(key);
  Record(StoreOp::kStartMultipart, start, r.status());
  if (!r.ok()) return r.status();
  return std::unique_ptr<MultipartUpload>(std::make_unique<InstrumentedUpload>(this, std::move(r).value()));
}

Status InstrumentedStore::Delete(const std::string& key) {
  Nanos start = clock_->Now();
  Status s = ObjectStoreWrapper::Delete(key);
  Record(StoreOp::kDelete, start, s);
  return s;
}

Result<ObjectInfo> InstrumentedStore::Copy(const std::string& src, const std::string& dst) {
  Nanos start = clock_->Now();
  Result<ObjectInfo> r = ObjectStoreWrapper::Copy(src, dst);
  Record(StoreOp::kCopy, start, r.status());
  return r;
}

}  // namespace ava::store

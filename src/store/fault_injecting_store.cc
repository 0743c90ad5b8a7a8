#include "store/fault_injecting_store.h"

#include <utility>

namespace ava::store {

class FaultInjectingUpload final : public MultipartUpload {
 public:
  FaultInjectingUpload(FaultInjectingStore* store, std::string key, std::unique_ptr<MultipartUpload> target)
      : store_(store), key_(std::move(key)), target_(std::move(target)) {}

  Status UploadPart(int part_number, std::string_view data) override {
    AVA_RETURN_IF_ERROR(store_->Enter(StoreOp::kUploadPart, key_));
    Status s = target_->UploadPart(part_number, data);
    if (s.ok()) store_->bytes_written_.fetch_add(data.size());
    return s;
  }
  Result<ObjectInfo> Complete() override {
    AVA_RETURN_IF_ERROR(store_->Enter(StoreOp::kCompleteMultipart, key_));
    return target_->Complete();
  }
  Status Abort() override {
    AVA_RETURN_IF_ERROR(store_->Enter(StoreOp::kAbortMultipart, key_));
    return target_->Abort();
  }

 private:
  FaultInjectingStore* const store_;
  const std::string key_;
  std::unique_ptr<MultipartUpload> target_;
};

FaultInjectingStore::FaultInjectingStore(ObjectStore* target, Clock* clock)
    : ObjectStoreWrapper(target), clock_(clock != nullptr ? clock : &system_clock_) {}

FaultInjectingStore::FaultInjectingStore(std::unique_ptr<ObjectStore> target, Clock* clock)
    : ObjectStoreWrapper(std::move(target)), clock_(clock != nullptr ? clock : &system_clock_) {}

uint64_t FaultInjectingStore::Count(StoreOp op) const { return counts_[static_cast<int>(op)].load(); }

void FaultInjectingStore::ResetCounts() {
  for (auto& c : counts_) c.store(0);
  bytes_read_.store(0);
  bytes_written_.store(0);
}

void FaultInjectingStore::FailNext(StoreOp op, Status status, int times) {
  std::lock_guard lock(mu_);
  faults_[static_cast<int>(op)] = Fault{std::move(status), times};
}

void FaultInjectingStore::FailAlways(StoreOp op, Status status) { FailNext(op, std::move(status), -1); }

void FaultInjectingStore::ClearFaults() {
  std::lock_guard lock(mu_);
  for (Fault& f : faults_) f = Fault{};
}

void FaultInjectingStore::SetLatency(StoreOp op, Nanos latency) {
  std::lock_guard lock(mu_);
  latency_[static_cast<int>(op)] = latency;
}

void FaultInjectingStore::SetHook(Hook hook) {
  std::lock_guard lock(mu_);
  hook_ = hook ? std::make_shared<const Hook>(std::move(hook)) : nullptr;
}

Status FaultInjectingStore::Enter(StoreOp op, const std::string& key) {
  const int i = static_cast<int>(op);
  counts_[i].fetch_add(1);
  std::shared_ptr<const Hook> hook;
  Nanos latency{0};
  Status injected;
  {
    std::lock_guard lock(mu_);
    hook = hook_;
    latency = latency_[i];
    Fault& f = faults_[i];
    if (f.remaining != 0 && !f.status.ok()) {
      injected = f.status;
      if (f.remaining > 0) --f.remaining;
    }
  }
  if (hook) (*hook)(op, key);
  if (latency.count() > 0) clock_->SleepFor(latency);
  return injected;
}

std::string FaultInjectingStore::Describe() const { return ObjectStoreWrapper::Describe(); }

Result<ObjectInfo> FaultInjectingStore::Head(const std::string& key) {
  AVA_RETURN_IF_ERROR(Enter(StoreOp::kHead, key));
  return ObjectStoreWrapper::Head(key);
}

Result<GetResult> FaultInjectingStore::Get(const GetRequest& request) {
  AVA_RETURN_IF_ERROR(Enter(StoreOp::kGet, request.key));
  Result<GetResult> r = ObjectStoreWrapper::Get(request);
  if (r.ok()) bytes_read_.fetch_add(r->data.size());
  return r;
}

Result<ListPage> FaultInjectingStore::List(const ListRequest& request) {
  AVA_RETURN_IF_ERROR(Enter(StoreOp::kList, request.prefix));
  return ObjectStoreWrapper::List(request);
}

Result<ObjectInfo> FaultInjectingStore::Put(const std::string& key, std::string_view data) {
  AVA_RETURN_IF_ERROR(Enter(StoreOp::kPut, key));
  Result<ObjectInfo> r = ObjectStoreWrapper::Put(key, data);
  if (r.ok()) bytes_written_.fetch_add(data.size());
  return r;
}

Result<std::unique_ptr<MultipartUpload>> FaultInjectingStore::StartMultipart(const std::string& key) {
  AVA_RETURN_IF_ERROR(Enter(StoreOp::kStartMultipart, key));
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<MultipartUpload> upload, ObjectStoreWrapper::StartMultipart(key));
  return std::unique_ptr<MultipartUpload>(
      std::make_unique<FaultInjectingUpload>(this, key, std::move(upload)));
}

Status FaultInjectingStore::Delete(const std::string& key) {
  AVA_RETURN_IF_ERROR(Enter(StoreOp::kDelete, key));
  return ObjectStoreWrapper::Delete(key);
}

Result<ObjectInfo> FaultInjectingStore::Copy(const std::string& src, const std::string& dst) {
  AVA_RETURN_IF_ERROR(Enter(StoreOp::kCopy, dst));
  return ObjectStoreWrapper::Copy(src, dst);
}

}  // namespace ava::store

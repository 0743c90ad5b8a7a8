// ObjectStoreWrapper: forwards every call to a target store, so a decorator (metrics, fault
// injection, counting) overrides only what it needs — LevelDB's EnvWrapper for object stores.
// The target is either owned (unique_ptr) or borrowed (it must then outlive the wrapper).
//
// Errors: those of the target. Thread safety: as safe as the target (all stores are).
#pragma once

#include <memory>
#include <string>

#include "store/object_store.h"

namespace ava::store {

class ObjectStoreWrapper : public ObjectStore {
 public:
  explicit ObjectStoreWrapper(ObjectStore* target) : target_(target) {}
  explicit ObjectStoreWrapper(std::unique_ptr<ObjectStore> target)
      : owned_(std::move(target)), target_(owned_.get()) {}

  ObjectStore* target() const { return target_; }

  std::string Describe() const override { return target_->Describe(); }
  Result<ObjectInfo> Head(const std::string& key) override { return target_->Head(key); }
  Result<GetResult> Get(const GetRequest& request) override { return target_->Get(request); }
  Result<ListPage> List(const ListRequest& request) override { return target_->List(request); }
  Result<ObjectInfo> Put(const std::string& key, std::string_view data) override {
    return target_->Put(key, data);
  }
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(const std::string& key) override {
    return target_->StartMultipart(key);
  }
  Status Delete(const std::string& key) override { return target_->Delete(key); }
  Result<ObjectInfo> Copy(const std::string& src, const std::string& dst) override {
    return target_->Copy(src, dst);
  }

 private:
  std::unique_ptr<ObjectStore> owned_;
  ObjectStore* const target_;
};

}  // namespace ava::store

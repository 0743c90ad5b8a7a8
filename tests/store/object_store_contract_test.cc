// Instantiates the contract suite (object_store_contract.h) for every ObjectStore implementation.
#include "object_store_contract.h"

#include "store/memory_store.h"
#include "store/posix_store.h"

namespace ava::store::contract {
namespace {

class MemoryHarness final : public StoreHarness {
 public:
  Result<std::unique_ptr<ObjectStore>> Open() override {
    return std::unique_ptr<ObjectStore>(std::make_unique<MemoryStore>("contract"));
  }
  Result<std::unique_ptr<ObjectStore>> OpenMissingBucket() override {
    return Status::NotSupported("a memory store always exists");
  }
};

class PosixHarness final : public StoreHarness {
 public:
  Result<std::unique_ptr<ObjectStore>> Open() override {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<PosixStore> store, PosixStore::Open(dir_.path()));
    return std::unique_ptr<ObjectStore>(std::move(store));
  }
  Result<std::unique_ptr<ObjectStore>> OpenMissingBucket() override {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<PosixStore> store, PosixStore::Open(dir_.Sub("does-not-exist")));
    return std::unique_ptr<ObjectStore>(std::move(store));
  }

 private:
  ava::testing::TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Memory, ObjectStoreContractTest,
                         ::testing::Values(HarnessFactory{"Memory",
                                                          [] { return std::make_unique<MemoryHarness>(); }}),
                         PrintHarnessName);
INSTANTIATE_TEST_SUITE_P(Posix, ObjectStoreContractTest,
                         ::testing::Values(HarnessFactory{"Posix",
                                                          [] { return std::make_unique<PosixHarness>(); }}),
                         PrintHarnessName);

}  // namespace
}  // namespace ava::store::contract

// Instantiates the contract suite (object_store_contract.h) for every ObjectStore implementation.
#include "object_store_contract.h"

#include <cstdlib>
#include <random>

#include "store/credentials.h"
#include "store/curl_transport.h"
#include "store/memory_store.h"
#include "store/posix_store.h"
#include "store/s3_store.h"

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

// A real S3 endpoint (scripts/ceph-s3.sh starts a Ceph RGW). Each test gets a fresh bucket with a
// random name, emptied and deleted afterwards.
class S3Harness final : public StoreHarness {
 public:
  std::string SkipReason() override {
    const char* endpoint = std::getenv("AVA_S3_ENDPOINT");
    if (endpoint == nullptr || *endpoint == '\0') {
      return "AVA_S3_ENDPOINT is not set; to run the S3 contract tests against a real RGW: "
             "scripts/ceph-s3.sh start && eval \"$(scripts/ceph-s3.sh env)\"";
    }
    endpoint_ = endpoint;
    return "";
  }
  Result<std::unique_ptr<ObjectStore>> Open() override {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<S3Store> store, Make(RandomBucket("ava-contract-")));
    AVA_RETURN_IF_ERROR(store->CreateBucket());
    return std::unique_ptr<ObjectStore>(std::move(store));
  }
  void Cleanup(ObjectStore& store) override {
    auto& s3 = static_cast<S3Store&>(store);
    EXPECT_OK(s3.DeleteAll());
    EXPECT_OK(s3.DeleteBucket());
  }
  Result<std::unique_ptr<ObjectStore>> OpenMissingBucket() override {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<S3Store> store, Make(RandomBucket("ava-missing-")));
    return std::unique_ptr<ObjectStore>(std::move(store));
  }
  size_t MinPartSize() const override { return 5 << 20; }

 private:
  static std::string RandomBucket(const std::string& prefix) {
    std::random_device rd;
    return prefix + fmt::format("{:08x}{:08x}", rd(), rd());
  }
  Result<std::unique_ptr<S3Store>> Make(const std::string& bucket) {
    AVA_ASSIGN_OR_RETURN(Credentials creds, ResolveCredentials({}, ProcessEnv()));
    S3StoreOptions options{.bucket = bucket, .endpoint = endpoint_, .credentials = creds};
    return S3Store::Create(options, std::make_unique<CurlTransport>(), &clock_, nullptr);
  }

  std::string endpoint_;
  SystemClock clock_;
};

INSTANTIATE_TEST_SUITE_P(Memory, ObjectStoreContractTest,
                         ::testing::Values(HarnessFactory{"Memory",
                                                          [] { return std::make_unique<MemoryHarness>(); }}),
                         PrintHarnessName);
INSTANTIATE_TEST_SUITE_P(Posix, ObjectStoreContractTest,
                         ::testing::Values(HarnessFactory{"Posix",
                                                          [] { return std::make_unique<PosixHarness>(); }}),
                         PrintHarnessName);
INSTANTIATE_TEST_SUITE_P(S3, ObjectStoreContractTest,
                         ::testing::Values(HarnessFactory{"S3",
                                                          [] { return std::make_unique<S3Harness>(); }}),
                         PrintHarnessName);

}  // namespace
}  // namespace ava::store::contract

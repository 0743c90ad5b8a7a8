// FaultInjectingStore: a decorator for tests of the layers above a store (cache, avafs, import).
// It counts every call per operation (and the bytes read and written), can make calls of one
// operation fail with a chosen Status — the next N of them or all of them —, can add latency to
// an operation, and can run a hook before each call (to block a Get until the test lets it go, or
// to observe the order of calls). RocksDB's FaultInjectionTestFS, for object stores.
//
//   MemoryStore mem("t");
//   FaultInjectingStore store(&mem, &fake_clock);
//   store.FailNext(StoreOp::kGet, Status::Unavailable("injected"), 2);
//   ... code under test ...
//   EXPECT_EQ(store.Count(StoreOp::kGet), 3);
//
// A call is counted before faults are considered, so failed calls count too. An injected failure
// is returned without calling the target. Latency sleeps through the injected Clock (a FakeClock
// just advances), before the call, also for calls that then fail. Multipart uploads are wrapped,
// so UploadPart / Complete / Abort are counted and can fail too.
//
// Thread safety: every method is safe to call concurrently with store calls. The hook runs on the
// calling thread, without any lock of this class held.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/thread_annotations.h"
#include "store/object_store_wrapper.h"
#include "store/store_op.h"

namespace ava::store {

class FaultInjectingStore final : public ObjectStoreWrapper {
 public:
  // `clock` is used for injected latency; null uses the system clock. Both must outlive this.
  explicit FaultInjectingStore(ObjectStore* target, Clock* clock = nullptr);
  explicit FaultInjectingStore(std::unique_ptr<ObjectStore> target, Clock* clock = nullptr);

  // Calls of `op` so far (successful or not).
  uint64_t Count(StoreOp op) const;
  // Bytes returned by successful Gets / accepted by successful Puts and UploadParts.
  uint64_t BytesRead() const { return bytes_read_.load(); }
  uint64_t BytesWritten() const { return bytes_written_.load(); }
  void ResetCounts();

  // The next `times` calls of `op` fail with `status` (which must be an error).
  void FailNext(StoreOp op, Status status, int times = 1);
  // Every call of `op` fails with `status` until ClearFaults().
  void FailAlways(StoreOp op, Status status);
  void ClearFaults();

  // Each call of `op` first sleeps `latency` on the clock. Zero removes it.
  void SetLatency(StoreOp op, Nanos latency);

  // Runs before every call with the operation and its key ("" for List: the prefix is passed).
  using Hook = std::function<void(StoreOp op, const std::string& key)>;
  void SetHook(Hook hook);

  std::string Describe() const override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Result<GetResult> Get(const GetRequest& request) override;
  Result<ListPage> List(const ListRequest& request) override;
  Result<ObjectInfo> Put(const std::string& key, std::string_view data) override;
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Result<ObjectInfo> Copy(const std::string& src, const std::string& dst) override;

 private:
  friend class FaultInjectingUpload;
  struct Fault {
    Status status;
    int remaining = 0;  // < 0: forever
  };

  // Counts the call, runs hook and latency, and returns the injected failure if one is due.
  Status Enter(StoreOp op, const std::string& key);

  SystemClock system_clock_;
  Clock* const clock_;
  std::array<std::atomic<uint64_t>, kStoreOpCount> counts_{};
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> bytes_written_{0};

  mutable std::mutex mu_;
  std::array<Fault, kStoreOpCount> faults_ GUARDED_BY(mu_);
  std::array<Nanos, kStoreOpCount> latency_ GUARDED_BY(mu_){};
  std::shared_ptr<const Hook> hook_ GUARDED_BY(mu_);
};

}  // namespace ava::store

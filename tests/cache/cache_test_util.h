// Helpers for the cache tests: block keys and contents, and a LocalDisk that fails on demand
// (RocksDB's FaultInjectionTestFS in miniature).
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "cache/block_key.h"
#include "cache/local_disk.h"

namespace ava::cache::testing {

inline BlockKey Key(int i, uint32_t length = 4096, std::string etag = "\"v1\"") {
  return BlockKey{.store = "mem://test",
                  .key = fmt::format("data/obj-{:04d}", i),
                  .etag = std::move(etag),
                  .offset = 0,
                  .length = length};
}

// Deterministic contents that differ per key.
inline BlockData Data(const BlockKey& key, char salt = 0) {
  std::string s(key.length, '\0');
  uint64_t h = BlockKeyHash{}(key) + static_cast<unsigned char>(salt);
  for (size_t i = 0; i < s.size(); ++i) {
    h = h * 6364136223846793005ull + 1442695040888963407ull;
    s[i] = static_cast<char>(h >> 56);
  }
  return std::make_shared<const std::string>(std::move(s));
}

// Fails every data write (block files, journal appends, atomic rewrites) with `error` once armed.
class FaultInjectionDisk final : public LocalDiskWrapper {
 public:
  explicit FaultInjectionDisk(LocalDisk* target) : LocalDiskWrapper(target) {}

  void FailWritesWith(Status error) {
    std::lock_guard<std::mutex> l(mu_);
    error_ = std::move(error);
  }
  int failed_writes() const { return failed_.load(); }

  Status WriteFile(const std::string& path, std::string_view data, bool sync) override {
    if (Status s = Injected(); !s.ok()) return s.Annotate(path);
    return target()->WriteFile(path, data, sync);
  }
  Status WriteFileAtomic(const std::string& path, std::string_view data) override {
    if (Status s = Injected(); !s.ok()) return s.Annotate(path);
    return target()->WriteFileAtomic(path, data);
  }
  Result<std::unique_ptr<AppendFile>> OpenAppendFile(const std::string& path) override {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<AppendFile> f, target()->OpenAppendFile(path));
    return std::unique_ptr<AppendFile>(std::make_unique<File>(this, std::move(f)));
  }

 private:
  class File final : public AppendFile {
   public:
    File(FaultInjectionDisk* disk, std::unique_ptr<AppendFile> f) : disk_(disk), f_(std::move(f)) {}
    Status Append(std::string_view data) override {
      if (Status s = disk_->Injected(); !s.ok()) return s;
      return f_->Append(data);
    }
    Status Sync() override { return f_->Sync(); }
    Status Truncate(uint64_t size) override { return f_->Truncate(size); }

   private:
    FaultInjectionDisk* disk_;
    std::unique_ptr<AppendFile> f_;
  };

  Status Injected() {
    std::lock_guard<std::mutex> l(mu_);
    if (!error_.ok()) failed_.fetch_add(1);
    return error_;
  }

  std::mutex mu_;
  Status error_;
  std::atomic<int> failed_{0};
};

}  // namespace ava::cache::testing

// OverlayStore: the read view of a writable mount — the durable tier (what this mount wrote and
// has not evicted) over the cloud store (everything else), minus whiteouts (names deleted here
// whose deletion has not reached the cloud yet). Names are relative to the mount.
//
//  - Head/Get of a name the durable tier holds go there; other names go to the cloud store
//    unless whited out. Without a cloud store the durable tier is the whole mount.
//  - List merges both listings (all pages, returned as one page: writable mounts are for outputs,
//    not for million-object datasets) and drops whited-out names, and common prefixes that hold
//    nothing visible any more.
//  - Writes through this interface are refused: they go through WriteBack.
//
// Thread safety: safe for concurrent use (the index and stores are).
#pragma once

#include <memory>
#include <string>

#include "fs/writeback_index.h"
#include "store/object_store.h"

namespace ava::fs {

class OverlayStore final : public store::ObjectStore {
 public:
  // `cloud` may be null.
  OverlayStore(store::ObjectStore* durable, store::ObjectStore* cloud, const WritebackIndex* index)
      : durable_(durable), cloud_(cloud), index_(index) {}

  std::string Describe() const override;
  Result<store::ObjectInfo> Head(const std::string& key) override;
  Result<store::GetResult> Get(const store::GetRequest& request) override;
  Result<store::ListPage> List(const store::ListRequest& request) override;
  // The durable tier's part of List only (for when the cloud store is unreachable).
  Result<store::ListPage> ListDurable(const store::ListRequest& request);
  Result<store::ObjectInfo> Put(const std::string& key, std::string_view data) override;
  Result<std::unique_ptr<store::MultipartUpload>> StartMultipart(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Result<store::ObjectInfo> Copy(const std::string& src, const std::string& dst) override;

 private:
  // The store that answers for `key`, or null when the name is hidden.
  store::ObjectStore* Route(const std::string& key) const;
  // True when something visible remains under `prefix` (checked only when whiteouts are below it).
  Result<bool> PrefixVisible(const std::string& prefix);

  store::ObjectStore* durable_;
  store::ObjectStore* cloud_;
  const WritebackIndex* index_;
};

}  // namespace ava::fs

// BlockKey: the identity of one cached block of one version of one object. The ETag is part of the
// identity, so a changed object (new ETag) can never be served from the blocks of its old version:
// those simply stop being looked up and age out.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace ava::cache {

struct BlockKey {
  std::string store;    // ObjectStore::Describe() of the store the object lives in
  std::string key;      // object key
  std::string etag;     // object version
  uint64_t offset = 0;  // first byte of the block in the object; a multiple of the block size
  uint32_t length = 0;  // bytes in the block (the last block of an object may be shorter)

  // Canonical one-line form, unique per identity; used for hashing and in logs.
  std::string ToString() const;
  friend bool operator==(const BlockKey&, const BlockKey&) = default;
};

struct BlockKeyHash {
  size_t operator()(const BlockKey& k) const;
};

// Block contents are shared, immutable and reference counted, so a block being read by FUSE stays
// alive while a tier evicts it.
using BlockData = std::shared_ptr<const std::string>;

}  // namespace ava::cache

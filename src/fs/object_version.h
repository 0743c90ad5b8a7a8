// ObjectVersion: one version of one object as the read path sees it — where it lives, its ETag and
// size. Reads are pinned to the version seen at open: a GET carries If-Match, so a changed object
// fails loudly instead of mixing old and new bytes.
#pragma once

#include <cstdint>
#include <string>

#include "store/object_store.h"

namespace ava::fs {

struct ObjectVersion {
  store::ObjectStore* store = nullptr;
  std::string store_id;  // the store's Describe(); part of every cache key
  std::string key;       // full object key in the store
  std::string etag;
  uint64_t size = 0;
};

}  // namespace ava::fs

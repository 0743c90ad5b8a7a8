// PutFile: uploads the bytes of a local file as one object, with several parts in flight.
//
// A file of at most `part_size` bytes goes up in one Put; a larger one as a multipart upload
// whose parts (all `part_size` bytes but the last) are read with pread(2) and sent by `streams`
// threads at once, so a single large file uses as many connections as a multi-stream client
// would. Memory in use is at most `streams` × `part_size`. On any failure the multipart upload
// is aborted and the object keeps what it had before; the first error is returned.
//
// The file must not change while it is being put (the caller holds whatever lock keeps writers
// out). Thread safety: the store must accept concurrent UploadPart calls on one upload, which
// every ObjectStore does (the contract tests check it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/object_store.h"

namespace ava::store {

struct PutFileOptions {
  uint64_t part_size = 16ull << 20;
  int streams = 4;
};

Result<ObjectInfo> PutFile(ObjectStore& store, const std::string& key, int fd, uint64_t size,
                           const PutFileOptions& options);

// Sends parts `indices` (0-based; part i holds bytes [i × part_size, min(size, (i+1) × part_size))
// of the file, and is S3 part number i + 1) of `upload`, `streams` at once. Stops at the first
// error and returns it; does not abort the upload.
Status UploadFileParts(MultipartUpload& upload, int fd, uint64_t size, const std::vector<uint64_t>& indices,
                       const PutFileOptions& options);

}  // namespace ava::store

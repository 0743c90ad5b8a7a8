// Transfers: moving a whole object's bytes into a store with several parts in flight, from a
// local file (PutFile) or from another store (CopyAcross).
//
// An object of at most `part_size` bytes goes in one Put; a larger one as a multipart upload whose
// parts (all `part_size` bytes but the last) are read and sent by `streams` threads at once, so
// one large object uses as many connections as a multi-stream client would. Memory in use is at
// most `streams` × `part_size`. On any failure the multipart upload is aborted and the target
// keeps what it had before; the first error is returned.
//
// Thread safety: the target store must accept concurrent UploadPart calls on one upload, which
// every ObjectStore does (the contract tests check it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/object_store.h"

namespace ava::store {

struct TransferOptions {
  uint64_t part_size = 16ull << 20;
  int streams = 4;
};

// The first `size` bytes of the local file `fd` become object `key`. The file must not change
// meanwhile (the caller keeps writers out).
Result<ObjectInfo> PutFile(ObjectStore& store, const std::string& key, int fd, uint64_t size,
                           const TransferOptions& options);

// Sends parts `indices` (0-based; part i holds bytes [i × part_size, min(size, (i+1) × part_size))
// of the file, and is S3 part number i + 1) of `upload`, `streams` at once. Stops at the first
// error and returns it; does not abort the upload.
Status UploadFileParts(MultipartUpload& upload, int fd, uint64_t size, const std::vector<uint64_t>& indices,
                       const TransferOptions& options);

// Copies `source` (as `from` described it: key, size, ETag) to `to_key` in `to`. Every read
// carries If-Match on the ETag, so an object replaced midway fails (FailedPrecondition) instead
// of mixing versions; a vanished one fails with NotFound. Returns the bytes copied.
Result<uint64_t> CopyAcross(ObjectStore& from, ObjectStore& to, const ObjectInfo& source,
                            const std::string& to_key, const TransferOptions& options);

}  // namespace ava::store

#include "fs/fuse_ops.h"

namespace ava::fs {

void OpRead(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kRead);
  // fh 0: opened by the kernel alone (zero-message open); handles start at 1.
  Result<ReadResult> r = fi->fh == 0 ? ctx.fs->ReadInode(ino, static_cast<uint64_t>(off), size)
                                     : ctx.fs->Read(fi->fh, static_cast<uint64_t>(off), size);
  if (!r.ok()) {
    ReplyError(req, FuseOp::kRead, r.status());
    return;
  }
  // Replies straight from the cached blocks; `r` keeps them alive until the write is done.
  fuse_reply_iov(req, r->iov.data(), static_cast<int>(r->iov.size()));
}

}  // namespace ava::fs

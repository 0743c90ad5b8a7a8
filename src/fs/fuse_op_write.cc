#include "fs/fuse_ops.h"

namespace ava::fs {

void OpWrite(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kWrite);
  Result<uint64_t> n = ctx.fs->Write(fi->fh, static_cast<uint64_t>(off), std::string_view(buf, size));
  if (!n.ok()) {
    ReplyError(req, FuseOp::kWrite, n.status());
    return;
  }
  // A direct write went around pages that a reader may have cached or mapped: drop them before the
  // writer's write(2) returns, so every handle sees it at once. Recent kernels drop the range
  // themselves (the 6.18 kernel the tests run on does); this covers the ones that do not. The
  // kernel holds no lock here that the invalidation needs (no writeback cache).
  if (ctx.session != nullptr && ctx.coherence.MustInvalidateAfterWrite(fi->fh, ino)) {
    fuse_lowlevel_notify_inval_inode(ctx.session, ino, off, static_cast<off_t>(size));
  }
  fuse_reply_write(req, *n);
}

}  // namespace ava::fs

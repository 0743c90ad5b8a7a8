#include "fs/fuse_ops.h"

namespace ava::fs {

void OpOpen(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kOpen);
  Result<OpenResult> opened = ctx.fs->Open(ino, fi->flags);
  if (!opened.ok()) {
    // Writing to a read-only tree is EROFS, not EACCES: tools then say "Read-only file system".
    if (opened.status().code() == Code::kPermissionDenied && (fi->flags & O_ACCMODE) != O_RDONLY) {
      fuse_reply_err(req, EROFS);
      return;
    }
    ReplyError(req, FuseOp::kOpen, opened.status());
    return;
  }
  fi->fh = opened->fh;
  fi->keep_cache = opened->keep_cache ? 1 : 0;
  if (fuse_reply_open(req, fi) != 0) ctx.fs->Release(opened->fh);
}

void OpRelease(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kRelease);
  ctx.fs->Release(fi->fh);
  fuse_reply_err(req, 0);
}

}  // namespace ava::fs

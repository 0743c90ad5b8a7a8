#include "fs/fuse_ops.h"

namespace ava::fs {

// flush runs at every close(2) of a descriptor: the file is committed to the durable tier before
// close returns, so a program that checks close's result knows its bytes are safe.
void OpFlush(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kFlush);
  if (ctx.zero_message_open) {
    fuse_reply_err(req, ENOSYS);  // nothing is ever written: the kernel stops sending FLUSH
    return;
  }
  Status s = ctx.fs->Flush(fi->fh);
  if (!s.ok()) {
    ReplyError(req, FuseOp::kFlush, s);
    return;
  }
  fuse_reply_err(req, 0);
}

void OpFsync(fuse_req_t req, fuse_ino_t /*ino*/, int /*datasync*/, fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kFsync);
  Status s = ctx.fs->Flush(fi->fh);
  if (!s.ok()) {
    ReplyError(req, FuseOp::kFsync, s);
    return;
  }
  fuse_reply_err(req, 0);
}

}  // namespace ava::fs

#include "fs/fuse_ops.h"

namespace ava::fs {

void OpUnlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kUnlink);
  Status s = ctx.fs->Unlink(parent, name);
  if (!s.ok()) {
    ReplyError(req, FuseOp::kUnlink, s);
    return;
  }
  fuse_reply_err(req, 0);
}

void OpRmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kRmdir);
  Status s = ctx.fs->Rmdir(parent, name);
  if (!s.ok()) {
    ReplyError(req, FuseOp::kRmdir, s);
    return;
  }
  fuse_reply_err(req, 0);
}

}  // namespace ava::fs

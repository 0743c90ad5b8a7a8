#include "fs/fuse_ops.h"

namespace ava::fs {

void OpForget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kForget);
  ctx.fs->Forget(ino, nlookup);
  ctx.coherence.Forgotten(ino);  // the kernel evicted the inode, and its pages with it
  fuse_reply_none(req);
}

void OpForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kForget);
  for (size_t i = 0; i < count; ++i) {
    ctx.fs->Forget(forgets[i].ino, forgets[i].nlookup);
    ctx.coherence.Forgotten(forgets[i].ino);
  }
  fuse_reply_none(req);
}

}  // namespace ava::fs

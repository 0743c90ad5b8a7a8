#include "fs/fuse_ops.h"

namespace ava::fs {

void OpRename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent, const char* newname,
              unsigned int flags) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kRename);
  Status s = ctx.fs->Rename(parent, name, newparent, newname, flags);
  if (!s.ok()) {
    ReplyError(req, FuseOp::kRename, s);
    return;
  }
  fuse_reply_err(req, 0);
}

}  // namespace ava::fs

#include "fs/fuse_ops.h"

namespace ava::fs {

void OpMkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kMkdir);
  Result<Attr> attr = ctx.fs->Mkdir(parent, name, mode);
  if (!attr.ok()) {
    ReplyError(req, FuseOp::kMkdir, attr.status());
    return;
  }
  fuse_entry_param e = MakeEntry(ctx, *attr);
  if (fuse_reply_entry(req, &e) != 0) ctx.fs->Forget(attr->ino, 1);
}

}  // namespace ava::fs

#include "fs/fuse_ops.h"

namespace ava::fs {

void OpGetattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* /*fi*/) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kGetattr);
  Result<Attr> attr = ctx.fs->GetAttr(ino);
  if (!attr.ok()) {
    ReplyError(req, FuseOp::kGetattr, attr.status());
    return;
  }
  struct stat st;
  FillStat(ctx, *attr, &st);
  fuse_reply_attr(req, &st, ctx.fs->KernelTimeoutSeconds());
}

}  // namespace ava::fs

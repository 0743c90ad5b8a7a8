#include "fs/fuse_ops.h"

namespace ava::fs {

void OpSetattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kSetattr);
  SetAttrRequest r;
  if (to_set & FUSE_SET_ATTR_SIZE) r.size = static_cast<uint64_t>(attr->st_size);
  if (to_set & FUSE_SET_ATTR_MODE) r.mode = attr->st_mode;
  if (to_set & FUSE_SET_ATTR_UID) r.uid = attr->st_uid;
  if (to_set & FUSE_SET_ATTR_GID) r.gid = attr->st_gid;
  if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
    r.mtime_ns = ctx.clock->WallNow().count();
  } else if (to_set & FUSE_SET_ATTR_MTIME) {
    r.mtime_ns = static_cast<int64_t>(attr->st_mtim.tv_sec) * 1000000000 + attr->st_mtim.tv_nsec;
  }
  if (fi != nullptr) r.fh = fi->fh;
  Result<Attr> out = ctx.fs->SetAttr(ino, r);
  if (!out.ok()) {
    ReplyError(req, FuseOp::kSetattr, out.status());
    return;
  }
  struct stat st;
  FillStat(ctx, *out, &st);
  fuse_reply_attr(req, &st, ctx.fs->KernelTimeoutSeconds());
}

}  // namespace ava::fs

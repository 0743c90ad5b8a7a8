#include "fs/fuse_ops.h"

namespace ava::fs {

void OpOpendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kOpendir);
  Result<uint64_t> fh = ctx.fs->OpenDir(ino);
  if (!fh.ok()) {
    ReplyError(req, FuseOp::kOpendir, fh.status());
    return;
  }
  fi->fh = *fh;
  // With an indefinite TTL the listing never changes, so the kernel may keep it.
  if (ctx.fs->options().metadata_ttl.indefinite) {
    fi->cache_readdir = 1;
    fi->keep_cache = 1;
  }
  if (fuse_reply_open(req, fi) != 0) ctx.fs->ReleaseDir(*fh);
}

void OpReleasedir(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kReleasedir);
  ctx.fs->ReleaseDir(fi->fh);
  fuse_reply_err(req, 0);
}

}  // namespace ava::fs

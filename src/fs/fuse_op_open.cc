#include "fs/fuse_ops.h"

namespace ava::fs {

void OpOpen(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kOpen);
  if (ctx.zero_message_open) {
    // The kernel opens this file (and every later one) itself; reads come with fh 0.
    fuse_reply_err(req, ENOSYS);
    return;
  }
  Result<OpenResult> opened = ctx.fs->Open(ino, fi->flags);
  if (!opened.ok()) {
    ReplyError(req, FuseOp::kOpen, opened.status());
    return;
  }
  fi->fh = opened->fh;
  fi->keep_cache = opened->keep_cache ? 1 : 0;
  // Nothing to do at close(2) for a read-only handle: spare the kernel the FLUSH round trip.
  fi->noflush = opened->writer ? 0 : 1;
  NoteOpenedHandle(ctx, ino, *opened, fi);
  if (fuse_reply_open(req, fi) != 0) {  // the kernel never had it
    ctx.coherence.Released(opened->fh);
    ctx.fs->Release(opened->fh).IgnoreError();
  }
}

void OpRelease(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kRelease);
  // A failed last commit was already reported by flush (close(2)); release cannot report errors.
  ctx.coherence.Released(fi->fh);
  Status s = ctx.fs->Release(fi->fh);
  if (!s.ok()) AVA_LOG(ctx.logger, kError, "fuse", "release: {}", s.ToString());
  fuse_reply_err(req, 0);
}

}  // namespace ava::fs

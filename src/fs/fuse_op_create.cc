#include "fs/fuse_ops.h"

namespace ava::fs {

void OpCreate(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kCreate);
  OpenResult opened;
  Result<Attr> attr = ctx.fs->Create(parent, name, mode, fi->flags, &opened);
  if (!attr.ok()) {
    ReplyError(req, FuseOp::kCreate, attr.status());
    return;
  }
  fuse_entry_param e = MakeEntry(ctx, *attr);
  fi->fh = opened.fh;
  fi->keep_cache = 0;
  NoteOpenedHandle(ctx, attr->ino, opened, fi);
  if (fuse_reply_create(req, &e, fi) != 0) {
    ctx.coherence.Released(opened.fh);
    ctx.fs->Release(opened.fh).IgnoreError();
    ctx.fs->Forget(attr->ino, 1);
  }
}

}  // namespace ava::fs

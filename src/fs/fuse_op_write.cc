#include "fs/fuse_ops.h"

namespace ava::fs {

void OpWrite(fuse_req_t req, fuse_ino_t /*ino*/, const char* buf, size_t size, off_t off,
             fuse_file_info* fi) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kWrite);
  Result<uint64_t> n = ctx.fs->Write(fi->fh, static_cast<uint64_t>(off), std::string_view(buf, size));
  if (!n.ok()) {
    ReplyError(req, FuseOp::kWrite, n.status());
    return;
  }
  fuse_reply_write(req, *n);
}

}  // namespace ava::fs

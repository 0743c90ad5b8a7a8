#include <sys/statvfs.h>

#include "fs/fuse_ops.h"

namespace ava::fs {

void OpStatfs(fuse_req_t req, fuse_ino_t /*ino*/) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kStatfs);
  // Object stores have no fixed size; report a large file system with room (as s3fs does), so
  // tools that check free space first do not refuse. A full durable tier shows as ENOSPC on write.
  struct statvfs st {};
  st.f_bsize = ctx.block_size;
  st.f_frsize = ctx.block_size;
  st.f_blocks = (1ull << 50) / ctx.block_size;
  st.f_bfree = ctx.writable ? st.f_blocks / 2 : 0;
  st.f_bavail = st.f_bfree;
  st.f_files = 1ull << 32;
  st.f_ffree = ctx.writable ? st.f_files / 2 : 0;
  st.f_favail = st.f_ffree;
  st.f_namemax = 255;
  st.f_flag = ST_NOSUID | (ctx.writable ? 0 : ST_RDONLY);
  fuse_reply_statfs(req, &st);
}

}  // namespace ava::fs

#include <sys/statvfs.h>

#include "fs/fuse_ops.h"

namespace ava::fs {

void OpStatfs(fuse_req_t req, fuse_ino_t /*ino*/) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kStatfs);
  // Object stores have no fixed size; report a large, read-only file system (as s3fs does), so
  // tools that check free space before reading do not refuse.
  struct statvfs st {};
  st.f_bsize = ctx.block_size;
  st.f_frsize = ctx.block_size;
  st.f_blocks = (1ull << 50) / ctx.block_size;
  st.f_bfree = 0;
  st.f_bavail = 0;
  st.f_files = 1ull << 32;
  st.f_ffree = 0;
  st.f_favail = 0;
  st.f_namemax = 255;
  st.f_flag = ST_RDONLY | ST_NOSUID;
  fuse_reply_statfs(req, &st);
}

}  // namespace ava::fs

#include <cerrno>

#include "fs/fuse_ops.h"

namespace ava::fs {

// Object stores keep bytes under names, nothing else: no symbolic or hard links, no device nodes,
// no user extended attributes. POSIX says EPERM for links and nodes a file system cannot make.
void OpSymlink(fuse_req_t req, const char*, fuse_ino_t, const char*) {
  OpTimer timer(Ctx(req), FuseOp::kUnsupported);
  fuse_reply_err(req, EPERM);
}

void OpLink(fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) {
  OpTimer timer(Ctx(req), FuseOp::kUnsupported);
  fuse_reply_err(req, EPERM);
}

void OpMknod(fuse_req_t req, fuse_ino_t, const char*, mode_t, dev_t) {
  OpTimer timer(Ctx(req), FuseOp::kUnsupported);
  fuse_reply_err(req, EPERM);
}

void OpSetxattr(fuse_req_t req, fuse_ino_t, const char*, const char*, size_t, int) {
  OpTimer timer(Ctx(req), FuseOp::kUnsupported);
  fuse_reply_err(req, ENOTSUP);
}

void OpRemovexattr(fuse_req_t req, fuse_ino_t, const char*) {
  OpTimer timer(Ctx(req), FuseOp::kUnsupported);
  fuse_reply_err(req, ENOTSUP);
}

}  // namespace ava::fs

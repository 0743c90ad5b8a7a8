#include <cerrno>
#include <string>

#include "fs/fuse_ops.h"

namespace ava::fs {

namespace {

// xattr replies follow the size protocol: size 0 asks for the length, a too-small size is ERANGE.
void ReplyBytes(fuse_req_t req, const std::string& value, size_t size) {
  if (size == 0) {
    fuse_reply_xattr(req, value.size());
  } else if (size < value.size()) {
    fuse_reply_err(req, ERANGE);
  } else {
    fuse_reply_buf(req, value.data(), value.size());
  }
}

}  // namespace

void OpGetxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kGetxattr);
  Result<std::string> value = ctx.fs->GetXattr(ino, name);
  if (value.ok()) {
    ReplyBytes(req, *value, size);
  } else if (value.status().IsNotFound()) {
    fuse_reply_err(req, ENODATA);  // "no such attribute", not "no such file"
  } else {
    ReplyError(req, FuseOp::kGetxattr, value.status());
  }
}

void OpListxattr(fuse_req_t req, fuse_ino_t /*ino*/, size_t size) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kListxattr);
  std::string names;
  for (const auto& n : FileSystem::XattrNames()) {
    names += n;
    names += '\0';
  }
  ReplyBytes(req, names, size);
}

}  // namespace ava::fs

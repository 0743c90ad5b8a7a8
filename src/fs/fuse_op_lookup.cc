#include <cerrno>

#include "fs/fuse_ops.h"

namespace ava::fs {

void OpLookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  FuseContext& ctx = Ctx(req);
  OpTimer timer(ctx, FuseOp::kLookup);
  Result<Attr> attr = ctx.fs->Lookup(parent, name);
  if (attr.ok()) {
    fuse_entry_param e = MakeEntry(ctx, *attr);
    // The reply hands the inode to the kernel; FileSystem::Lookup already counted it. If the
    // request was interrupted the kernel never sees the entry, so the count is given back.
    if (fuse_reply_entry(req, &e) != 0) ctx.fs->Forget(attr->ino, 1);
  } else if (attr.status().IsNotFound() && attr.status().retryable()) {
    fuse_reply_err(req, ENOENT);  // not cached: the answer may change as soon as a store is back
  } else if (attr.status().IsNotFound()) {
    // A negative entry (ino 0) lets the kernel cache "no such file" for the metadata TTL.
    fuse_entry_param e{};
    e.entry_timeout = ctx.fs->KernelTimeoutSeconds();
    fuse_reply_entry(req, &e);
  } else {
    ReplyError(req, FuseOp::kLookup, attr.status());
  }
}

}  // namespace ava::fs

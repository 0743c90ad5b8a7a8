#include <cerrno>
#include <memory>
#include <vector>

#include "fs/fuse_ops.h"

namespace ava::fs {

namespace {

// Offsets: 1 = after ".", 2 = after "..", 2 + i + 1 = after snapshot entry i.
void ReadDirCommon(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi, bool plus) {
  FuseContext& ctx = Ctx(req);
  FuseOp op = plus ? FuseOp::kReaddirplus : FuseOp::kReaddir;
  OpTimer timer(ctx, op);
  std::shared_ptr<const std::vector<DirEntry>> entries = ctx.fs->DirSnapshot(fi->fh);
  if (!entries) {
    ReplyError(req, op, Status::InvalidArgument("unknown directory handle"));
    return;
  }
  std::vector<char> buf(size);
  size_t used = 0;
  auto add = [&](const char* name, const struct stat& st, const fuse_entry_param* e, off_t next) -> bool {
    size_t want = plus ? fuse_add_direntry_plus(req, nullptr, 0, name, e, next)
                       : fuse_add_direntry(req, nullptr, 0, name, &st, next);
    if (used + want > size) return false;
    if (plus) {
      fuse_add_direntry_plus(req, buf.data() + used, size - used, name, e, next);
    } else {
      fuse_add_direntry(req, buf.data() + used, size - used, name, &st, next);
    }
    used += want;
    return true;
  };
  for (off_t i = off; i < 2; ++i) {
    // "." and ".." carry no inode for the kernel to remember (ino 0 in the entry).
    fuse_entry_param e{};
    e.attr.st_ino = i == 0 ? ino : 1;
    e.attr.st_mode = S_IFDIR;
    if (!add(i == 0 ? "." : "..", e.attr, &e, i + 1)) {
      fuse_reply_buf(req, buf.data(), used);
      return;
    }
  }
  std::vector<uint64_t> handed_out;
  for (size_t i = off > 2 ? static_cast<size_t>(off - 2) : 0; i < entries->size(); ++i) {
    const DirEntry& d = (*entries)[i];
    fuse_entry_param e{};
    if (plus) {
      // Counting the lookup before knowing the entry fits; undone below if it does not.
      e = MakeEntry(ctx, ctx.fs->RememberChild(ino, d));
    } else {
      e.attr.st_ino = ctx.fs->ReaddirIno(ino, d.name);
      e.attr.st_mode = d.is_dir ? S_IFDIR : S_IFREG;
    }
    if (!add(d.name.c_str(), e.attr, &e, static_cast<off_t>(i + 3))) {
      if (plus) ctx.fs->Forget(e.ino, 1);
      break;
    }
    if (plus) handed_out.push_back(e.ino);
  }
  // If the reply does not reach the kernel (interrupted), it never learned these inodes.
  if (fuse_reply_buf(req, buf.data(), used) != 0) {
    for (uint64_t child : handed_out) ctx.fs->Forget(child, 1);
  }
}

}  // namespace

void OpReaddir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  ReadDirCommon(req, ino, size, off, fi, /*plus=*/false);
}

void OpReaddirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  ReadDirCommon(req, ino, size, off, fi, /*plus=*/true);
}

}  // namespace ava::fs

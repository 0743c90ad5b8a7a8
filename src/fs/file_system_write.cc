// FileSystem's write path: create, write, flush/fsync, setattr, mkdir, unlink, rmdir, rename.
// Each call resolves names as the read path does, then hands the change to the mount's WriteBack
// and forgets what the metadata cache knew about the names it touched.
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/fs.h>

#include "fs/file_system.h"

namespace ava::fs {

namespace {
Status IsDirectory(const std::string& name) {
  return Status::FailedPrecondition(fmt::format("{} is a directory", name))
      .WithSubCode(SubCode::kIsDirectory);
}
Status NotDirectory(const std::string& name) {
  return Status::FailedPrecondition(fmt::format("{} is not a directory", name))
      .WithSubCode(SubCode::kNotDirectory);
}
}  // namespace

Status FileSystem::ReadOnly(const std::string& what) {
  return Status::PermissionDenied(fmt::format("{}: read-only file system", what))
      .WithSubCode(SubCode::kReadOnly);
}

bool FileSystem::HasWritableMounts() const {
  for (const auto& m : mounts_) {
    if (m.writeback != nullptr) return true;
  }
  return false;
}

void FileSystem::NoteChange(int mount, const std::string& dir_rel, const std::string& name,
                            NameStat::Kind now) {
  metadata_.NoteChange(DirId(mount, dir_rel), name, now);
}

Result<InodeInfo> FileSystem::DirInode(uint64_t ino) const {
  std::optional<InodeInfo> p = inodes_.Get(ino);
  if (!p) return Status::NotFound(fmt::format("stale directory inode {}", ino));
  if (!p->is_dir) return Status::FailedPrecondition(fmt::format("inode {} is not a directory", ino));
  return *p;
}

Result<Attr> FileSystem::Create(uint64_t parent, const std::string& name, uint32_t mode, int flags,
                                OpenResult* opened) {
  AVA_ASSIGN_OR_RETURN(InodeInfo p, DirInode(parent));
  if (p.mount < 0) return ReadOnly("/" + name);
  WriteBack* wb = mounts_[p.mount].writeback;
  if (wb == nullptr) return ReadOnly(PathOf(parent) + "/" + name);
  AVA_ASSIGN_OR_RETURN(NameStat st, ResolveName(p.mount, p.rel, name));
  if (st.kind == NameStat::Kind::kDir) return IsDirectory(name);
  if (st.kind == NameStat::Kind::kFile && (flags & O_EXCL) != 0) {
    return Status::AlreadyExists(fmt::format("{} exists", name));
  }
  const std::string key = FullKey(p.mount, p.rel + name);
  auto file = std::make_shared<OpenFile>(env_.fetcher->block_size(), options_.max_readahead_blocks);
  // The kernel calls create for names its lookup found missing; if the name appeared meanwhile,
  // O_CREAT without O_TRUNC must keep its bytes.
  const bool is_new = st.kind == NameStat::Kind::kMissing;
  AVA_ASSIGN_OR_RETURN(file->staged, wb->OpenWriter(key, is_new || (flags & O_TRUNC) != 0, is_new));
  file->writeback = wb;
  file->writer = true;
  if ((mode & 07777) != 0644) {
    Status s = wb->SetAttrs(key, FileAttrs{mode & 07777, 0});
    if (!s.ok()) {
      wb->CloseWriter(file->staged).IgnoreError();
      return s;
    }
  }
  NoteChange(p.mount, p.rel, name, NameStat::Kind::kFile);
  InodeInfo info;
  info.mount = p.mount;
  info.is_dir = false;
  InodeInfo created = inodes_.Remember(parent, name, info);
  file->ino = created.ino;
  std::tie(opened->fh, opened->only_handle) = AddHandle(std::move(file));
  opened->keep_cache = false;
  opened->writer = true;
  Attr attr = ToAttr(created);
  ApplyAttrs(p.mount, p.rel + name, &attr);
  return attr;
}

Result<uint64_t> FileSystem::Write(uint64_t fh, uint64_t offset, std::string_view data) {
  std::shared_ptr<OpenFile> file = FindHandle(fh);
  if (!file) return Status::InvalidArgument(fmt::format("unknown file handle {}", fh));
  if (!file->writer) return Status::InvalidArgument("file not open for writing");  // EBADF-like
  AVA_RETURN_IF_ERROR(file->writeback->Write(*file->staged, offset, data));
  return data.size();
}

Status FileSystem::Flush(uint64_t fh) {
  std::shared_ptr<OpenFile> file = FindHandle(fh);
  if (!file || !file->writer) return Status::OK();
  AVA_RETURN_IF_ERROR(file->writeback->Commit(*file->staged));
  std::optional<InodeInfo> info = inodes_.Get(file->ino);
  if (info && info->mount >= 0) {
    size_t slash = info->rel.rfind('/');
    NoteChange(info->mount, slash == std::string::npos ? "" : info->rel.substr(0, slash + 1),
               slash == std::string::npos ? info->rel : info->rel.substr(slash + 1), NameStat::Kind::kFile);
  }
  return Status::OK();
}

Result<Attr> FileSystem::SetAttr(uint64_t ino, const SetAttrRequest& req) {
  std::optional<InodeInfo> info = inodes_.Get(ino);
  if (!info) return Status::NotFound(fmt::format("stale inode {}", ino));
  WriteBack* wb = info->mount >= 0 ? mounts_[info->mount].writeback : nullptr;
  if (wb == nullptr) return ReadOnly(PathOf(ino));
  if ((req.uid && *req.uid != options_.uid) || (req.gid && *req.gid != options_.gid)) {
    return Status::PermissionDenied("ownership of avafs files is fixed to the mounting user");
  }
  const std::string key = FullKey(info->mount, info->rel);
  if (req.size) {
    if (info->is_dir) return IsDirectory(PathOf(ino));
    std::shared_ptr<OpenFile> handle = req.fh != 0 ? FindHandle(req.fh) : nullptr;
    if (handle && handle->writer) {
      AVA_RETURN_IF_ERROR(wb->Truncate(*handle->staged, *req.size));
    } else {
      // truncate(2) on a path: open, cut, commit.
      AVA_ASSIGN_OR_RETURN(std::shared_ptr<StagedFile> f, wb->OpenWriter(key, *req.size == 0, false));
      Status s = wb->Truncate(*f, *req.size);
      Status closed = wb->CloseWriter(f);
      AVA_RETURN_IF_ERROR(s);
      AVA_RETURN_IF_ERROR(closed);
    }
  }
  if (req.mode || req.mtime_ns) {
    FileAttrs a = wb->Attrs(key).value_or(FileAttrs{info->is_dir ? 0755u : 0644u, 0});
    if (req.mode) a.mode = *req.mode & 07777;
    if (req.mtime_ns) a.mtime_ns = *req.mtime_ns;
    AVA_RETURN_IF_ERROR(wb->SetAttrs(key, a));
  }
  size_t slash = info->rel.rfind('/', info->rel.size() >= 2 ? info->rel.size() - 2 : 0);
  std::string dir_rel = slash == std::string::npos ? "" : info->rel.substr(0, slash + 1);
  std::string name = info->rel.substr(dir_rel.size());
  if (!name.empty() && name.back() == '/') name.pop_back();
  NoteChange(info->mount, dir_rel, name, info->is_dir ? NameStat::Kind::kDir : NameStat::Kind::kFile);
  return GetAttr(ino);
}

Result<Attr> FileSystem::Mkdir(uint64_t parent, const std::string& name, uint32_t mode) {
  AVA_ASSIGN_OR_RETURN(InodeInfo p, DirInode(parent));
  if (p.mount < 0) return ReadOnly("/" + name);
  WriteBack* wb = mounts_[p.mount].writeback;
  if (wb == nullptr) return ReadOnly(PathOf(parent) + "/" + name);
  AVA_ASSIGN_OR_RETURN(NameStat st, ResolveName(p.mount, p.rel, name));
  if (st.kind != NameStat::Kind::kMissing) return Status::AlreadyExists(fmt::format("{} exists", name));
  const std::string key = FullKey(p.mount, p.rel + name + "/");
  AVA_RETURN_IF_ERROR(wb->Mkdir(key));
  if ((mode & 07777) != 0755) AVA_RETURN_IF_ERROR(wb->SetAttrs(key, FileAttrs{mode & 07777, 0}));
  NoteChange(p.mount, p.rel, name, NameStat::Kind::kDir);
  if (!st.uncertain) {
    // The name was missing a moment ago, so the new directory is empty: knowing that spares the
    // lookups of the files about to be created in it a HEAD and a LIST each (5 LISTs a
    // directory). Not when the cloud store could not be asked: the directory may exist there.
    auto empty = std::make_shared<DirListing>();
    empty->fetched_at = env_.clock->Now();
    empty->BuildIndex();
    metadata_.PutListing(DirId(p.mount, p.rel + name + "/"), std::move(empty), metadata_.Generation());
  }
  InodeInfo info;
  info.mount = p.mount;
  info.is_dir = true;
  Attr attr = ToAttr(inodes_.Remember(parent, name, info));
  ApplyAttrs(p.mount, p.rel + name + "/", &attr);
  return attr;
}

Status FileSystem::Unlink(uint64_t parent, const std::string& name) {
  AVA_ASSIGN_OR_RETURN(InodeInfo p, DirInode(parent));
  if (p.mount < 0) return ReadOnly("/" + name);
  WriteBack* wb = mounts_[p.mount].writeback;
  if (wb == nullptr) return ReadOnly(PathOf(parent) + "/" + name);
  AVA_ASSIGN_OR_RETURN(NameStat st, ResolveName(p.mount, p.rel, name));
  if (st.kind == NameStat::Kind::kMissing) return Status::NotFound(name);
  if (st.kind == NameStat::Kind::kDir) return IsDirectory(name);
  AVA_RETURN_IF_ERROR(wb->Unlink(FullKey(p.mount, p.rel + name)));
  NoteChange(p.mount, p.rel, name, NameStat::Kind::kMissing);
  inodes_.Unlink(parent, name);
  return Status::OK();
}

Status FileSystem::Rmdir(uint64_t parent, const std::string& name) {
  AVA_ASSIGN_OR_RETURN(InodeInfo p, DirInode(parent));
  if (p.mount < 0) return ReadOnly("/" + name);
  WriteBack* wb = mounts_[p.mount].writeback;
  if (wb == nullptr) return ReadOnly(PathOf(parent) + "/" + name);
  AVA_ASSIGN_OR_RETURN(NameStat st, ResolveName(p.mount, p.rel, name));
  if (st.kind == NameStat::Kind::kMissing) return Status::NotFound(name);
  if (st.kind != NameStat::Kind::kDir) return NotDirectory(name);
  const std::string dir_rel = p.rel + name + "/";
  metadata_.Invalidate(DirId(p.mount, dir_rel));
  AVA_ASSIGN_OR_RETURN(std::shared_ptr<const DirListing> listing, Listing(p.mount, dir_rel));
  if (!listing->files.empty() || !listing->dirs.empty() ||
      !wb->WritersIn(FullKey(p.mount, dir_rel)).empty()) {
    return Status::FailedPrecondition(fmt::format("directory {} is not empty", name))
        .WithSubCode(SubCode::kNotEmpty);
  }
  AVA_RETURN_IF_ERROR(wb->Rmdir(FullKey(p.mount, dir_rel)));
  NoteChange(p.mount, p.rel, name, NameStat::Kind::kMissing);
  inodes_.Unlink(parent, name);
  return Status::OK();
}

Status FileSystem::Rename(uint64_t parent, const std::string& name, uint64_t new_parent,
                          const std::string& new_name, unsigned flags) {
  if ((flags & RENAME_EXCHANGE) != 0)
    return Status::InvalidArgument("RENAME_EXCHANGE is not supported by avafs");
  AVA_ASSIGN_OR_RETURN(InodeInfo p, DirInode(parent));
  AVA_ASSIGN_OR_RETURN(InodeInfo np, DirInode(new_parent));
  if (p.mount < 0 || np.mount < 0) return ReadOnly("/" + name);
  if (p.mount != np.mount) {
    return Status::NotSupported("rename across mounts of the tree (copy, then delete)")
        .WithSubCode(SubCode::kCrossDevice);
  }
  WriteBack* wb = mounts_[p.mount].writeback;
  if (wb == nullptr) return ReadOnly(PathOf(parent) + "/" + name);
  AVA_ASSIGN_OR_RETURN(NameStat src, ResolveName(p.mount, p.rel, name));
  if (src.kind == NameStat::Kind::kMissing) return Status::NotFound(name);
  AVA_ASSIGN_OR_RETURN(NameStat dst, ResolveName(np.mount, np.rel, new_name));
  if (dst.kind != NameStat::Kind::kMissing && (flags & RENAME_NOREPLACE) != 0) {
    return Status::AlreadyExists(fmt::format("{} exists", new_name));
  }
  const std::string from_rel = p.rel + name;
  const std::string to_rel = np.rel + new_name;
  if (src.kind == NameStat::Kind::kFile) {
    if (dst.kind == NameStat::Kind::kDir) return IsDirectory(new_name);
    AVA_RETURN_IF_ERROR(wb->Rename(FullKey(p.mount, from_rel), FullKey(p.mount, to_rel)));
  } else {
    if (to_rel.compare(0, from_rel.size() + 1, from_rel + "/") == 0) {
      return Status::InvalidArgument("cannot move a directory into itself");
    }
    if (dst.kind == NameStat::Kind::kFile) return NotDirectory(new_name);
    if (dst.kind == NameStat::Kind::kDir) AVA_RETURN_IF_ERROR(Rmdir(new_parent, new_name));
    AVA_RETURN_IF_ERROR(wb->RenameDir(FullKey(p.mount, from_rel + "/"), FullKey(p.mount, to_rel + "/")));
  }
  NoteChange(p.mount, p.rel, name, NameStat::Kind::kMissing);
  NoteChange(np.mount, np.rel, new_name, src.kind);
  inodes_.Rename(parent, name, new_parent, new_name);
  return Status::OK();
}

Status FileSystem::FlushUploads(const std::string& path, Nanos timeout) {
  AVA_ASSIGN_OR_RETURN(ResolvedPath r, Resolve(path));
  if (r.mount < 0) {
    for (size_t m = 0; m < mounts_.size(); ++m) {
      if (mounts_[m].writeback) AVA_RETURN_IF_ERROR(mounts_[m].writeback->Flush(mounts_[m].prefix, timeout));
    }
    return Status::OK();
  }
  WriteBack* wb = mounts_[r.mount].writeback;
  if (wb == nullptr) return Status::OK();  // nothing is ever pending on a read-only mount
  return wb->Flush(FullKey(r.mount, r.rel), timeout);
}

}  // namespace ava::fs

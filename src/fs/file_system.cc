#include "fs/file_system.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

namespace ava::fs {

namespace {

constexpr size_t kMaxNameLength = 255;

// A name the kernel can show: not empty, not "." or "..", no '/' and no NUL.
bool UsableName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.size() <= kMaxNameLength &&
         name.find('\0') == std::string_view::npos && name.find('/') == std::string_view::npos;
}

}  // namespace

FileSystem::FileSystem(std::vector<FsMount> mounts, FsOptions options, FsEnv env)
    : mounts_(std::move(mounts)),
      options_(std::move(options)),
      env_(env),
      metadata_(env.clock, options_.metadata_ttl) {
  for (size_t i = 0; i < mounts_.size(); ++i) {
    mount_inos_.push_back(inodes_.AddMountRoot(mounts_[i].name, static_cast<int>(i)));
  }
  if (env_.metrics != nullptr) {
    meta_hits_ = &env_.metrics->GetCounter("avafs_metadata_cache_hits_total",
                                           "Name lookups answered from cached listings or stats");
    meta_misses_ = &env_.metrics->GetCounter("avafs_metadata_cache_misses_total",
                                             "Name lookups that asked the store (HEAD/LIST)");
    read_bytes_ = &env_.metrics->GetCounter("avafs_read_bytes_total", "Bytes returned to readers");
  }
}

FileSystem::~FileSystem() = default;

void FileSystem::set_control_address(std::string address) { options_.control_address = std::move(address); }

std::string FileSystem::DirId(int mount, const std::string& dir_rel) const {
  return fmt::format("{}:{}", mount, dir_rel);
}

Attr FileSystem::ToAttr(const InodeInfo& info) const {
  return Attr{info.ino, info.is_dir, info.size, info.mtime_ns, 0};
}

void FileSystem::ApplyAttrs(int mount, const std::string& rel, Attr* attr) const {
  WriteBack* wb = mounts_[mount].writeback;
  if (wb == nullptr) return;
  if (!attr->is_dir) {
    if (std::shared_ptr<StagedFile> w = wb->FindWriter(FullKey(mount, rel))) attr->size = w->size();
  }
  if (std::optional<FileAttrs> a = wb->Attrs(FullKey(mount, rel))) {
    attr->mode = a->mode;
    if (a->mtime_ns != 0) attr->mtime_ns = a->mtime_ns;
  }
}

Result<std::shared_ptr<const DirListing>> FileSystem::Listing(int mount, const std::string& dir_rel) {
  std::string id = DirId(mount, dir_rel);
  // A listing patched with this mount's own writes answers lookups, but readdir needs the sizes.
  if (auto cached = metadata_.GetListing(id); cached && cached->unverified.empty()) return cached;
  const uint64_t seen = metadata_.Generation();
  store::ListRequest req;
  req.prefix = FullKey(mount, dir_rel);
  req.delimiter = "/";
  auto listing = std::make_shared<DirListing>();
  listing->fetched_at = env_.clock->Now();
  Result<store::ListPage> listed = store::ListAll(*mounts_[mount].store, req);
  bool cacheable = true;
  if (!listed.ok() && mounts_[mount].writeback != nullptr && listed.status().code() == Code::kUnavailable) {
    // The cloud store is unreachable: list what the durable tier has, and do not keep it.
    listed = mounts_[mount].writeback->ListLocal(req);
    cacheable = false;
  }
  if (!listed.ok()) return listed.status();
  store::ListPage& all = *listed;
  for (auto& obj : all.objects) {
    std::string name = obj.key.substr(req.prefix.size());
    if (!UsableName(name)) continue;  // e.g. the "dir/" marker object itself
    obj.key = std::move(name);
    listing->files.push_back(std::move(obj));
  }
  for (const auto& p : all.common_prefixes) {
    std::string name = p.substr(req.prefix.size());
    if (!name.empty() && name.back() == '/') name.pop_back();
    if (UsableName(name)) listing->dirs.push_back(std::move(name));
  }
  listing->BuildIndex();
  if (cacheable) metadata_.PutListing(id, listing, seen);
  return std::shared_ptr<const DirListing>(listing);
}

Result<NameStat> FileSystem::ResolveName(int mount, const std::string& dir_rel, const std::string& name) {
  if (WriteBack* wb = mounts_[mount].writeback) {
    // A file being written exists (with its staged size) before its first commit.
    if (std::shared_ptr<StagedFile> w = wb->FindWriter(FullKey(mount, dir_rel + name))) {
      NameStat st;
      st.kind = NameStat::Kind::kFile;
      st.info.key = FullKey(mount, dir_rel + name);
      st.info.size = w->size();
      st.info.mtime_ns = env_.clock->WallNow().count();
      st.fetched_at = env_.clock->Now();
      return st;
    }
  }
  std::shared_ptr<const DirListing> listing = metadata_.GetListing(DirId(mount, dir_rel));
  if (listing && !listing->unverified.contains(name)) {
    if (meta_hits_) meta_hits_->Inc();
    NameStat st;
    st.fetched_at = listing->fetched_at;
    auto it = listing->by_name.find(name);
    if (it == listing->by_name.end()) return st;
    if (it->second >= 0) {
      st.kind = NameStat::Kind::kFile;
      st.info = listing->files[it->second];
      st.info.key = FullKey(mount, dir_rel + name);
    } else {
      st.kind = NameStat::Kind::kDir;
    }
    return st;
  }
  std::string key = FullKey(mount, dir_rel + name);
  std::string name_id = DirId(mount, dir_rel + name);
  const uint64_t seen = metadata_.Generation();
  if (auto cached = metadata_.GetStat(name_id)) {
    if (meta_hits_) meta_hits_->Inc();
    return *cached;
  }
  // A loader opening many files of a directory it never listed (a DataLoader with an index) would
  // cost one HEAD per file; after a few such lookups in one directory, one LIST answers them all.
  if (!listing && options_.list_after_lookups > 0 &&
      metadata_.CountLookupMiss(DirId(mount, dir_rel)) >=
          static_cast<uint64_t>(options_.list_after_lookups)) {
    Result<std::shared_ptr<const DirListing>> listing = Listing(mount, dir_rel);
    if (listing.ok() && metadata_.GetListing(DirId(mount, dir_rel))) return ResolveName(mount, dir_rel, name);
  }
  if (meta_misses_) meta_misses_->Inc();
  NameStat st;
  st.fetched_at = env_.clock->Now();
  // A writable mount keeps working while its cloud store is unreachable: a name the durable tier
  // does not have is then taken as missing, and that answer is not cached by anyone.
  auto degraded = [&](const Status& s) {
    if (mounts_[mount].writeback == nullptr || s.code() != Code::kUnavailable) return false;
    AVA_LOG(env_.logger, kDebug, "fs", "{}: cloud store unreachable, answering from the durable tier: {}",
            key, s.ToString());
    st.kind = NameStat::Kind::kMissing;
    st.uncertain = true;
    return true;
  };
  Result<store::ObjectInfo> head = mounts_[mount].store->Head(key);
  if (head.ok()) {
    st.kind = NameStat::Kind::kFile;
    st.info = std::move(*head);
  } else if (head.status().IsNotFound()) {
    store::ListRequest req;
    req.prefix = key + "/";
    req.max_keys = 1;
    Result<store::ListPage> page = mounts_[mount].store->List(req);
    if (!page.ok()) {
      if (degraded(page.status())) return st;
      return page.status();
    }
    if (!page->objects.empty() || !page->common_prefixes.empty()) st.kind = NameStat::Kind::kDir;
  } else {
    if (degraded(head.status())) return st;
    return head.status();
  }
  metadata_.PutStat(DirId(mount, dir_rel), name, st, seen);
  return st;
}

Result<Attr> FileSystem::Lookup(uint64_t parent, const std::string& name) {
  std::optional<InodeInfo> p = inodes_.Get(parent);
  if (!p) return Status::NotFound(fmt::format("stale directory inode {}", parent));
  if (!p->is_dir) return Status::FailedPrecondition(fmt::format("inode {} is not a directory", parent));
  if (name.size() > kMaxNameLength) return Status::InvalidArgument("name too long");
  if (parent == kRootIno) {
    for (size_t i = 0; i < mounts_.size(); ++i) {
      if (mounts_[i].name == name) {
        InodeInfo info;
        info.mount = static_cast<int>(i);
        info.is_dir = true;
        return ToAttr(RememberName(kRootIno, name, info));
      }
    }
    return Status::NotFound(fmt::format("/{}: no such mount", name));
  }
  AVA_ASSIGN_OR_RETURN(NameStat st, ResolveName(p->mount, p->rel, name));
  // Retryable marks an answer the kernel must not cache (the cloud store could not be asked).
  if (st.kind == NameStat::Kind::kMissing) return Status::NotFound(name).Retryable(st.uncertain);
  InodeInfo info;
  info.mount = p->mount;
  info.is_dir = st.kind == NameStat::Kind::kDir;
  info.rel = p->rel + name + (info.is_dir ? "/" : "");
  info.size = st.info.size;
  info.etag = st.info.etag;
  info.mtime_ns = st.info.mtime_ns;
  Attr attr = ToAttr(RememberName(parent, name, info));
  ApplyAttrs(p->mount, p->rel + name + (info.is_dir ? "/" : ""), &attr);
  return attr;
}

InodeInfo FileSystem::RememberName(uint64_t parent, const std::string& name, const InodeInfo& info) {
  bool changed = false;
  InodeInfo out = inodes_.Remember(parent, name, info, 1, &changed);
  if (changed && content_changed_) content_changed_(out.ino);
  return out;
}

void FileSystem::Forget(uint64_t ino, uint64_t nlookup) {
  inodes_.Forget(ino, nlookup);
  if (inodes_.Get(ino)) return;
  std::lock_guard<std::mutex> lock(handles_mu_);
  inode_reads_.erase(ino);
}

Result<Attr> FileSystem::GetAttr(uint64_t ino) {
  std::optional<InodeInfo> info = inodes_.Get(ino);
  if (!info) return Status::NotFound(fmt::format("stale inode {}", ino));
  if (info->is_dir || info->mount < 0) {
    Attr attr = ToAttr(*info);
    if (info->mount >= 0) ApplyAttrs(info->mount, info->rel, &attr);
    return attr;
  }
  // Revalidate through the metadata cache: within the TTL this costs nothing.
  std::string rel = info->rel;
  size_t slash = rel.rfind('/');
  std::string dir_rel = slash == std::string::npos ? "" : rel.substr(0, slash + 1);
  std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
  AVA_ASSIGN_OR_RETURN(NameStat st, ResolveName(info->mount, dir_rel, name));
  if (st.kind != NameStat::Kind::kFile) return Status::NotFound(fmt::format("{} no longer exists", rel));
  if (st.info.etag != info->etag || st.info.size != info->size) {
    inodes_.UpdateAttrs(ino, st.info.size, st.info.etag, st.info.mtime_ns);
    if (st.info.etag != info->etag && content_changed_) content_changed_(ino);
    info->size = st.info.size;
    info->etag = st.info.etag;
    info->mtime_ns = st.info.mtime_ns;
  }
  Attr attr = ToAttr(*info);
  ApplyAttrs(info->mount, info->rel, &attr);
  return attr;
}

Result<uint64_t> FileSystem::OpenDir(uint64_t ino) {
  std::optional<InodeInfo> info = inodes_.Get(ino);
  if (!info) return Status::NotFound(fmt::format("stale inode {}", ino));
  if (!info->is_dir) return Status::FailedPrecondition("not a directory");
  auto entries = std::make_shared<std::vector<DirEntry>>();
  if (info->mount < 0) {
    for (const auto& m : mounts_) entries->push_back(DirEntry{m.name, true, {}});
  } else {
    AVA_ASSIGN_OR_RETURN(std::shared_ptr<const DirListing> listing, Listing(info->mount, info->rel));
    entries->reserve(listing->files.size() + listing->dirs.size());
    for (const auto& d : listing->dirs) {
      auto it = listing->by_name.find(d);
      if (it != listing->by_name.end() && it->second >= 0) continue;  // shadowed by an object
      entries->push_back(DirEntry{d, true, {}});
    }
    for (const auto& f : listing->files) entries->push_back(DirEntry{f.key, false, f});
    if (WriteBack* wb = mounts_[info->mount].writeback) {
      for (auto& [name, size] : wb->WritersIn(FullKey(info->mount, info->rel))) {
        if (listing->by_name.count(name) > 0) continue;
        store::ObjectInfo staged;
        staged.key = name;
        staged.size = size;
        entries->push_back(DirEntry{name, false, staged});
      }
    }
    std::sort(entries->begin(), entries->end(),
              [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  }
  std::lock_guard<std::mutex> lock(handles_mu_);
  uint64_t fh = next_fh_++;
  dirs_.emplace(fh, std::move(entries));
  return fh;
}

std::shared_ptr<const std::vector<DirEntry>> FileSystem::DirSnapshot(uint64_t dir_fh) {
  std::lock_guard<std::mutex> lock(handles_mu_);
  auto it = dirs_.find(dir_fh);
  return it == dirs_.end() ? nullptr : it->second;
}

Attr FileSystem::RememberChild(uint64_t dir_ino, const DirEntry& entry) {
  std::optional<InodeInfo> dir = inodes_.Get(dir_ino);
  InodeInfo info;
  info.is_dir = entry.is_dir;
  if (dir && dir->mount < 0) {
    for (size_t i = 0; i < mounts_.size(); ++i) {
      if (mounts_[i].name == entry.name) info.mount = static_cast<int>(i);
    }
  } else if (dir) {
    info.mount = dir->mount;
    info.rel = dir->rel + entry.name + (entry.is_dir ? "/" : "");
  }
  info.size = entry.info.size;
  info.etag = entry.info.etag;
  info.mtime_ns = entry.info.mtime_ns;
  return ToAttr(RememberName(dir_ino, entry.name, info));
}

uint64_t FileSystem::ReaddirIno(uint64_t dir_ino, const std::string& name) const {
  if (uint64_t known = inodes_.Find(dir_ino, name)) return known;
  // Above every number the inode table hands out (a counter from 2).
  uint64_t h = std::hash<std::string>{}(std::to_string(dir_ino) + '/' + name);
  return (1ull << 62) | (h & ((1ull << 62) - 1));
}

void FileSystem::ReleaseDir(uint64_t dir_fh) {
  std::lock_guard<std::mutex> lock(handles_mu_);
  dirs_.erase(dir_fh);
}

ObjectVersion FileSystem::VersionOf(int mount, const store::ObjectInfo& info) const {
  return ObjectVersion{mounts_[mount].store, mounts_[mount].store->Describe(), info.key, info.etag,
                       info.size};
}

Result<OpenResult> FileSystem::Open(uint64_t ino, int flags) {
  std::optional<InodeInfo> info = inodes_.Get(ino);
  if (!info) return Status::NotFound(fmt::format("stale inode {}", ino));
  if (info->is_dir) {
    return Status::FailedPrecondition("is a directory").WithSubCode(SubCode::kIsDirectory);
  }
  const bool for_write = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0;
  WriteBack* wb = info->mount >= 0 ? mounts_[info->mount].writeback : nullptr;
  const std::string key = info->mount >= 0 ? FullKey(info->mount, info->rel) : "";
  auto file = std::make_shared<OpenFile>(env_.fetcher->block_size(), options_.max_readahead_blocks);
  file->ino = ino;
  OpenResult out;
  if (for_write) {
    if (wb == nullptr) return ReadOnly(key);
    AVA_ASSIGN_OR_RETURN(file->staged, wb->OpenWriter(key, (flags & O_TRUNC) != 0, /*is_new=*/false));
    file->writeback = wb;
    file->writer = true;
    out.writer = true;
  } else if (wb != nullptr && (file->staged = wb->FindWriter(key))) {
    // Someone is writing it: read the staged bytes, so every handle sees every write.
  } else {
    AVA_ASSIGN_OR_RETURN(Attr attr, GetAttr(ino));
    (void)attr;
    info = inodes_.Get(ino);
    if (!info) return Status::NotFound(fmt::format("stale inode {}", ino));
    store::ObjectInfo obj{key, info->size, info->etag, info->mtime_ns};
    file->version = VersionOf(info->mount, obj);
    std::string previous = inodes_.SetOpenedEtag(ino, info->etag);
    out.keep_cache = previous == info->etag && wb == nullptr;
    file->follow = wb;
  }
  std::tie(out.fh, out.only_handle) = AddHandle(std::move(file));
  return out;
}

std::pair<uint64_t, bool> FileSystem::AddHandle(std::shared_ptr<OpenFile> file) {
  std::lock_guard<std::mutex> lock(handles_mu_);
  uint64_t fh = next_fh_++;
  const bool only = ++handles_per_inode_[file->ino] == 1;
  files_.emplace(fh, std::move(file));
  return {fh, only};
}

std::shared_ptr<FileSystem::OpenFile> FileSystem::FindHandle(uint64_t fh) {
  std::lock_guard<std::mutex> lock(handles_mu_);
  auto it = files_.find(fh);
  return it == files_.end() ? nullptr : it->second;
}

Result<ReadResult> FileSystem::Read(uint64_t fh, uint64_t offset, uint64_t size) {
  std::shared_ptr<OpenFile> file = FindHandle(fh);
  if (!file) return Status::InvalidArgument(fmt::format("unknown file handle {}", fh));
  ReadResult out;
  std::shared_ptr<StagedFile> staged = file->staged;
  if (!staged && file->follow != nullptr) staged = FollowWriter(*file);
  if (staged) {
    AVA_ASSIGN_OR_RETURN(std::string bytes, staged->Read(offset, size));
    auto block = std::make_shared<const std::string>(std::move(bytes));
    out.size = block->size();
    if (out.size > 0) out.iov.push_back(iovec{const_cast<char*>(block->data()), block->size()});
    out.blocks.push_back(std::move(block));
    if (read_bytes_) read_bytes_->Inc(out.size);
    return out;
  }
  return ReadVersion(*file, offset, size);
}

std::shared_ptr<StagedFile> FileSystem::FollowWriter(OpenFile& file) {
  std::optional<InodeInfo> info = inodes_.Get(file.ino);
  std::shared_ptr<StagedFile> writer;
  if (info && info->mount >= 0) writer = file.follow->FindWriter(FullKey(info->mount, info->rel));
  std::lock_guard<std::mutex> lock(file.mu);
  if (writer) file.followed = std::move(writer);
  return file.followed;
}

Result<ReadResult> FileSystem::ReadInode(uint64_t ino, uint64_t offset, uint64_t size) {
  std::optional<InodeInfo> info = inodes_.Get(ino);
  if (!info) return Status::NotFound(fmt::format("stale inode {}", ino));
  if (info->is_dir) return Status::FailedPrecondition("is a directory").WithSubCode(SubCode::kIsDirectory);
  std::shared_ptr<OpenFile> file;
  {
    std::lock_guard<std::mutex> lock(handles_mu_);
    std::shared_ptr<OpenFile>& slot = inode_reads_[ino];
    if (!slot || slot->version.etag != info->etag) {
      slot = std::make_shared<OpenFile>(env_.fetcher->block_size(), options_.max_readahead_blocks);
      slot->ino = ino;
      store::ObjectInfo obj{FullKey(info->mount, info->rel), info->size, info->etag, info->mtime_ns};
      slot->version = VersionOf(info->mount, obj);
    }
    file = slot;
  }
  return ReadVersion(*file, offset, size);
}

Result<ReadResult> FileSystem::ReadVersion(OpenFile& file, uint64_t offset, uint64_t size) {
  ReadResult out;
  const ObjectVersion& v = file.version;
  if (offset >= v.size || size == 0) return out;
  uint64_t end = std::min(v.size, offset + size);
  const uint64_t bs = env_.fetcher->block_size();
  uint64_t first = offset / bs;
  uint64_t last = (end - 1) / bs;

  uint64_t prefetch_from = 0, prefetch_to = 0;
  {
    std::lock_guard<std::mutex> lock(file.mu);
    uint32_t window = file.readahead.OnRead(offset, end - offset);
    if (window == 0) {
      file.prefetched_through = 0;
    } else {
      // Top the window up only once half of it has been consumed, so prefetches go out in batches
      // that BlockFetcher can group into max_request-sized GETs, not one block at a time.
      uint64_t ahead = file.prefetched_through > last + 1 ? file.prefetched_through - (last + 1) : 0;
      if (ahead * 2 <= window) {
        prefetch_from = std::max(last + 1, file.prefetched_through);
        prefetch_to = last + window;
        if (prefetch_from <= prefetch_to) file.prefetched_through = prefetch_to + 1;
      }
    }
  }
  if (prefetch_to > 0 && prefetch_from <= prefetch_to) {
    if (env_.fetcher->Prefetch(v, prefetch_from, prefetch_to) == 0) {
      std::lock_guard<std::mutex> lock(file.mu);
      file.prefetched_through = std::min(file.prefetched_through, prefetch_from);
    }
  }

  Result<std::vector<cache::BlockData>> blocks = env_.fetcher->Get(v, first, last);
  if (!blocks.ok()) return blocks.status().Annotate(v.store_id);
  out.blocks = std::move(*blocks);
  for (uint64_t i = first; i <= last; ++i) {
    const std::string& data = *out.blocks[i - first];
    uint64_t block_start = i * bs;
    uint64_t from = std::max(offset, block_start) - block_start;
    uint64_t to = std::min(end, block_start + data.size()) - block_start;
    if (to <= from) break;
    out.iov.push_back(iovec{const_cast<char*>(data.data() + from), to - from});
    out.size += to - from;
  }
  if (read_bytes_) read_bytes_->Inc(out.size);
  return out;
}

Status FileSystem::Release(uint64_t fh) {
  std::shared_ptr<OpenFile> file;
  {
    std::lock_guard<std::mutex> lock(handles_mu_);
    auto it = files_.find(fh);
    if (it == files_.end()) return Status::OK();
    file = std::move(it->second);
    files_.erase(it);
    if (--handles_per_inode_[file->ino] == 0) handles_per_inode_.erase(file->ino);
  }
  if (!file->writer) return Status::OK();
  std::string path = file->staged->path();
  Status s = file->writeback->CloseWriter(file->staged);
  std::optional<InodeInfo> info = inodes_.Get(file->ino);
  if (info && info->mount >= 0) {
    size_t slash = info->rel.rfind('/');
    NoteChange(info->mount, slash == std::string::npos ? "" : info->rel.substr(0, slash + 1),
               slash == std::string::npos ? info->rel : info->rel.substr(slash + 1), NameStat::Kind::kFile);
  }
  return s;
}

std::string FileSystem::PathOf(uint64_t ino) const {
  std::optional<InodeInfo> info = inodes_.Get(ino);
  if (!info || info->mount < 0) return "/";
  std::string rel = info->rel;
  if (!rel.empty() && rel.back() == '/') rel.pop_back();
  return rel.empty() ? "/" + mounts_[info->mount].name : "/" + mounts_[info->mount].name + "/" + rel;
}

std::vector<std::string> FileSystem::XattrNames() {
  return {"user.avafs.control", "user.avafs.path", "user.avafs.store", "user.avafs.etag"};
}

Result<std::string> FileSystem::GetXattr(uint64_t ino, const std::string& name) {
  std::optional<InodeInfo> info = inodes_.Get(ino);
  if (!info) return Status::NotFound(fmt::format("stale inode {}", ino));
  if (name == "user.avafs.control") return options_.control_address;
  if (name == "user.avafs.path") return PathOf(ino);
  if (name == "user.avafs.store" && info->mount >= 0) {
    return fmt::format("{}/{}", mounts_[info->mount].store->Describe(), FullKey(info->mount, info->rel));
  }
  if (name == "user.avafs.etag" && !info->is_dir && info->mount >= 0) return info->etag;
  return Status::NotFound(fmt::format("no attribute {}", name));
}

Result<ResolvedPath> FileSystem::Resolve(const std::string& path) {
  ResolvedPath out;
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(pos, slash - pos);
    if (part == "..") return Status::InvalidArgument(fmt::format("{}: '..' is not allowed", path));
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    pos = slash + 1;
  }
  if (parts.empty()) return out;  // the root
  for (size_t i = 0; i < mounts_.size(); ++i) {
    if (mounts_[i].name == parts[0]) out.mount = static_cast<int>(i);
  }
  if (out.mount < 0) return Status::NotFound(fmt::format("{}: no mount named '{}'", path, parts[0]));
  for (size_t i = 1; i < parts.size(); ++i) {
    if (!out.is_dir) return Status::NotFound(fmt::format("{}: '{}' is a file", path, parts[i - 1]));
    AVA_ASSIGN_OR_RETURN(NameStat st, ResolveName(out.mount, out.rel, parts[i]));
    if (st.kind == NameStat::Kind::kMissing) return Status::NotFound(fmt::format("{}: no such file", path));
    if (st.kind == NameStat::Kind::kDir) {
      out.rel += parts[i] + "/";
    } else {
      out.rel += parts[i];
      out.is_dir = false;
      out.info = st.info;
    }
  }
  return out;
}

Result<std::vector<FileRef>> FileSystem::ListFilesRecursive(const ResolvedPath& dir) {
  std::vector<FileRef> files;
  if (dir.mount < 0) {
    for (size_t i = 0; i < mounts_.size(); ++i) {
      AVA_ASSIGN_OR_RETURN(auto more, ListFilesRecursive(ResolvedPath{static_cast<int>(i), "", true, {}}));
      files.insert(files.end(), more.begin(), more.end());
    }
    return files;
  }
  const uint64_t seen = metadata_.Generation();
  store::ListRequest req;
  req.prefix = FullKey(dir.mount, dir.rel);
  AVA_ASSIGN_OR_RETURN(store::ListPage all, store::ListAll(*mounts_[dir.mount].store, req));
  // Rebuild every directory's listing from the flat one, so later lookups and readdirs of the whole
  // tree are answered without another request.
  const std::string& mount_prefix = mounts_[dir.mount].prefix;
  std::map<std::string, std::shared_ptr<DirListing>> dirs;
  Nanos now = env_.clock->Now();
  auto listing_for = [&](const std::string& rel) -> DirListing& {
    auto& slot = dirs[rel];
    if (!slot) {
      slot = std::make_shared<DirListing>();
      slot->fetched_at = now;
    }
    return *slot;
  };
  listing_for(dir.rel);
  for (auto& obj : all.objects) {
    std::string rel = obj.key.substr(mount_prefix.size());
    size_t slash = rel.rfind('/');
    std::string parent = slash == std::string::npos ? "" : rel.substr(0, slash + 1);
    std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
    // Register each ancestor directory below `dir` in its parent's listing.
    for (std::string d = parent; d.size() > dir.rel.size();) {
      size_t cut = d.rfind('/', d.size() - 2);
      std::string up = cut == std::string::npos ? "" : d.substr(0, cut + 1);
      std::string dname = d.substr(up.size(), d.size() - up.size() - 1);
      DirListing& l = listing_for(up);
      if (!UsableName(dname)) break;
      if (l.dirs.empty() || l.dirs.back() != dname) l.dirs.push_back(dname);
      d = up;
    }
    if (!UsableName(name)) continue;
    store::ObjectInfo named = obj;
    named.key = name;
    listing_for(parent).files.push_back(std::move(named));
    files.push_back(FileRef{dir.mount, std::move(obj)});
  }
  if (!dir.rel.empty()) {
    NameStat self;
    self.kind = NameStat::Kind::kDir;
    self.fetched_at = now;
    const std::string self_rel = dir.rel.substr(0, dir.rel.size() - 1);
    const size_t slash = self_rel.rfind('/');
    const std::string parent_rel = slash == std::string::npos ? "" : self_rel.substr(0, slash + 1);
    metadata_.PutStat(DirId(dir.mount, parent_rel), self_rel.substr(parent_rel.size()), self, seen);
  }
  for (auto& [rel, listing] : dirs) {
    std::sort(listing->dirs.begin(), listing->dirs.end());
    listing->dirs.erase(std::unique(listing->dirs.begin(), listing->dirs.end()), listing->dirs.end());
    listing->BuildIndex();
    metadata_.PutListing(DirId(dir.mount, rel), listing, seen);
  }
  return files;
}

}  // namespace ava::fs

#include "store/posix_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <vector>

#include "common/file_util.h"
#include "common/thread_annotations.h"
#include "store/list_page_builder.h"
#include "store/md5.h"

namespace ava::store {
namespace {

constexpr char kReserved[] = ".ava-store";
constexpr char kEtagXattr[] = "user.ava.etag";
constexpr size_t kCopyChunk = 8 << 20;
// How often Put retries when a concurrent Delete removes the directory it just created.
constexpr int kPublishAttempts = 8;

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::string SynthesisedEtag(const struct stat& st) {
  return fmt::format("{:x}-{:x}", MtimeNs(st), static_cast<uint64_t>(st.st_size));
}

// Parses "<etag> <mtime ns> <size>" and returns the etag if it still describes `st`.
std::string EtagFromXattr(std::string_view value, const struct stat& st) {
  size_t a = value.find(' ');
  size_t b = a == std::string_view::npos ? a : value.find(' ', a + 1);
  if (b == std::string_view::npos) return "";
  std::string expect = fmt::format("{} {}", MtimeNs(st), static_cast<uint64_t>(st.st_size));
  if (value.substr(a + 1) != expect) return "";
  return std::string(value.substr(0, a));
}

std::string EtagOfFd(int fd, const struct stat& st) {
  char buf[256];
  ssize_t n = ::fgetxattr(fd, kEtagXattr, buf, sizeof(buf));
  std::string etag = n > 0 ? EtagFromXattr(std::string_view(buf, static_cast<size_t>(n)), st) : "";
  return etag.empty() ? SynthesisedEtag(st) : etag;
}

std::string EtagOfPath(const std::string& path, const struct stat& st) {
  char buf[256];
  ssize_t n = ::getxattr(path.c_str(), kEtagXattr, buf, sizeof(buf));
  std::string etag = n > 0 ? EtagFromXattr(std::string_view(buf, static_cast<size_t>(n)), st) : "";
  return etag.empty() ? SynthesisedEtag(st) : etag;
}

ObjectInfo InfoOf(const std::string& key, const struct stat& st, std::string etag) {
  return ObjectInfo{key, static_cast<uint64_t>(st.st_size), std::move(etag), MtimeNs(st)};
}

std::string RandomHex() {
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) | rd();
  return fmt::format("{:016x}", v);
}

Status WriteAll(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, what);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

// Copies up to `length` bytes from `in` to `out` at their file positions, in the kernel where it
// can (copy_file_range), else through user space. Returns how many were copied: fewer only
// when `in` ended first.
Result<uint64_t> CopyBytes(int in, const std::string& in_name, int out, const std::string& out_name,
                           uint64_t length) {
  uint64_t done = 0;
  bool in_kernel = true;
  std::string buf;
  while (done < length) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(length - done, kCopyChunk));
    ssize_t n;
    if (in_kernel) {
      n = ::copy_file_range(in, nullptr, out, nullptr, want, 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        in_kernel = false;  // not between these files: the same bytes through user space
        continue;
      }
    } else {
      buf.resize(kCopyChunk);
      n = ::read(in, buf.data(), want);
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, fmt::format("copy {} to {}", in_name, out_name));
    if (n == 0) break;
    if (!in_kernel) {
      AVA_RETURN_IF_ERROR(
          WriteAll(out, std::string_view(buf.data(), static_cast<size_t>(n)), "write " + out_name));
    }
    done += static_cast<uint64_t>(n);
  }
  return done;
}

// Appends the `size` bytes of the file at `path` to `out`.
Status AppendFile(const std::string& path, uint64_t size, int out, const std::string& out_name) {
  UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return Status::FromErrno(errno, "open " + path);
  AVA_ASSIGN_OR_RETURN(uint64_t copied, CopyBytes(in.get(), path, out, out_name, size));
  if (copied != size)
    return Status::IOError(fmt::format("{} has {} bytes, {} were written to it", path, copied, size));
  return Status::OK();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// List: a depth-first walk in key byte order. Within one directory, entries sort by their name,
// with '/' appended to directories: every key under directory "d" starts with "d/", so that string
// orders the whole subtree correctly against its siblings.

class PosixStore::Cursor final : public SortedKeyCursor {
 public:
  explicit Cursor(const PosixStore& store) : store_(store) {}

  Status Seek(std::string_view target) override {
    // Keep the frames whose directory contains `target`; their entries are already read.
    while (!stack_.empty() && !target.starts_with(stack_.back().dir)) stack_.pop_back();
    if (stack_.empty()) AVA_RETURN_IF_ERROR(Push(""));
    while (true) {
      Frame& top = stack_.back();
      auto it = std::lower_bound(top.entries.begin(), top.entries.end(), target,
                                 [](const Entry& e, std::string_view t) { return e.sort_key < t; });
      size_t pos = static_cast<size_t>(it - top.entries.begin());
      if (pos > 0 && top.entries[pos - 1].is_dir && target.starts_with(top.entries[pos - 1].sort_key)) {
        top.pos = pos - 1;
        std::string dir = top.entries[pos - 1].sort_key;
        AVA_RETURN_IF_ERROR(Push(dir));
        continue;
      }
      top.pos = pos;
      return Settle();
    }
  }

  bool Valid() const override { return !stack_.empty(); }
  const std::string& key() const override { return stack_.back().entries[stack_.back().pos].sort_key; }

  Status Next() override {
    ++stack_.back().pos;
    return Settle();
  }

  Result<ObjectInfo> Info() override {
    std::string path = store_.PathOf(key());
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "stat " + path);
    if (!S_ISREG(st.st_mode)) return Status::NotFound(path + " is not a regular file");
    return InfoOf(key(), st, EtagOfPath(path, st));
  }

 private:
  struct Entry {
    std::string sort_key;  // key of a file; key prefix ending in '/' of a directory
    bool is_dir = false;
  };
  struct Frame {
    std::string dir;  // "" for the root, else "a/b/"
    std::vector<Entry> entries;
    size_t pos = 0;
  };

  // Reads directory `dir` (a key prefix) into a new frame positioned at its start.
  Status Push(const std::string& dir) {
    Frame frame;
    frame.dir = dir;
    std::string path = dir.empty() ? store_.root_ : store_.PathOf(dir.substr(0, dir.size() - 1));
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) {
      // The directory vanished (its last object was deleted) or was replaced: it has no keys.
      if (errno != ENOENT && errno != ENOTDIR) return Status::FromErrno(errno, "opendir " + path);
    } else {
      while (struct dirent* de = ::readdir(d)) {
        std::string_view name = de->d_name;
        if (name == "." || name == "..") continue;
        if (dir.empty() && name == kReserved) continue;
        if (name == kDirMarkerName) {
          // The marker's key is the directory itself, which sorts before everything in it.
          if (!dir.empty()) frame.entries.push_back(Entry{dir, false});
          continue;
        }
        bool is_dir = de->d_type == DT_DIR;
        if (de->d_type == DT_UNKNOWN) {
          struct stat st;
          if (::fstatat(::dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
          is_dir = S_ISDIR(st.st_mode);
        }
        frame.entries.push_back(Entry{dir + std::string(name) + (is_dir ? "/" : ""), is_dir});
      }
      ::closedir(d);
    }
    std::sort(frame.entries.begin(), frame.entries.end(),
              [](const Entry& a, const Entry& b) { return a.sort_key < b.sort_key; });
    stack_.push_back(std::move(frame));
    return Status::OK();
  }

  // Moves forward until the top frame points at a file, or the walk is over.
  Status Settle() {
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      if (top.pos >= top.entries.size()) {
        stack_.pop_back();
        if (!stack_.empty()) ++stack_.back().pos;
        continue;
      }
      const Entry& e = top.entries[top.pos];
      if (!e.is_dir) return Status::OK();
      std::string dir = e.sort_key;
      AVA_RETURN_IF_ERROR(Push(dir));
    }
    return Status::OK();
  }

  const PosixStore& store_;
  std::vector<Frame> stack_;
};

// ---------------------------------------------------------------------------------------------

class PosixMultipartUpload final : public MultipartUpload {
 public:
  PosixMultipartUpload(PosixStore* store, std::string key, std::string dir)
      : store_(store), key_(std::move(key)), dir_(std::move(dir)) {}
  ~PosixMultipartUpload() override { Abort().IgnoreError(); }

  Status UploadPart(int part_number, std::string_view data) override {
    if (part_number < 1 || part_number > 10000) {
      return Status::InvalidArgument(
          fmt::format("multipart {}: part number {} is outside 1..10000", key_, part_number));
    }
    {
      std::lock_guard lock(mu_);
      AVA_RETURN_IF_ERROR(CheckOpen());
    }
    // Parts are written without the lock so that several go in at once. Each is written beside
    // its final name under a name of its own, then renamed: a part uploaded twice (even at once)
    // is replaced whole.
    std::string part = fmt::format("{}/part-{:05d}", dir_, part_number);
    std::string tmp = fmt::format("{}.{}.tmp", part, next_tmp_.fetch_add(1));
    {
      UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      if (!fd.valid()) return Status::FromErrno(errno, "create " + tmp);
      AVA_RETURN_IF_ERROR(WriteAll(fd.get(), data, "write " + tmp));
    }
    Md5Digest digest = Md5Of(data);
    std::lock_guard lock(mu_);
    if (Status open = CheckOpen(); !open.ok()) {
      ::unlink(tmp.c_str());
      return open;
    }
    if (::rename(tmp.c_str(), part.c_str()) != 0) return Status::FromErrno(errno, "rename " + tmp);
    parts_[part_number] = Part{part, digest, data.size()};
    return Status::OK();
  }

  Result<ObjectInfo> Complete() override {
    std::lock_guard lock(mu_);
    AVA_RETURN_IF_ERROR(CheckOpen());
    if (parts_.empty()) return Status::InvalidArgument("multipart " + key_ + ": complete with no parts");
    std::string tmp;
    AVA_ASSIGN_OR_RETURN(int raw_fd, store_->CreateTemp(&tmp));
    UniqueFd fd(raw_fd);
    std::vector<Md5Digest> digests;
    Status s;
    for (const auto& [n, part] : parts_) {
      s = AppendFile(part.path, part.size, fd.get(), tmp);
      if (!s.ok()) break;
      digests.push_back(part.digest);
    }
    if (!s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
    AVA_ASSIGN_OR_RETURN(ObjectInfo info, store_->Publish(fd.get(), tmp, key_, MultipartEtag(digests)));
    RemoveLocked();
    return info;
  }

  Status Abort() override {
    std::lock_guard lock(mu_);
    if (!done_) RemoveLocked();
    return Status::OK();
  }

 private:
  Status CheckOpen() const REQUIRES(mu_) {
    if (done_)
      return Status::FailedPrecondition("multipart " + key_ + ": upload already completed or aborted");
    return Status::OK();
  }
  void RemoveLocked() REQUIRES(mu_) {
    done_ = true;
    parts_.clear();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  PosixStore* const store_;
  const std::string key_;
  const std::string dir_;
  std::mutex mu_;
  bool done_ GUARDED_BY(mu_) = false;
  struct Part {
    std::string path;
    Md5Digest digest;
    uint64_t size = 0;
  };
  std::atomic<uint64_t> next_tmp_{0};
  std::map<int, Part> parts_ GUARDED_BY(mu_);  // part number → staged file
};

// ---------------------------------------------------------------------------------------------

PosixStore::PosixStore(std::string root) : root_(std::move(root)) {}

Result<std::unique_ptr<PosixStore>> PosixStore::Open(const std::string& root) {
  if (root.empty() || root.front() != '/') {
    return Status::InvalidArgument("posix store root '" + root + "' must be an absolute path");
  }
  std::string clean = root;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  struct stat st;
  if (::stat(clean.c_str(), &st) != 0) return Status::FromErrno(errno, "posix store root " + clean);
  if (!S_ISDIR(st.st_mode))
    return Status::FailedPrecondition("posix store root " + clean + " is not a directory");
  if (clean == "/") clean.clear();
  std::unique_ptr<PosixStore> store(new PosixStore(clean));
  AVA_RETURN_IF_ERROR(MakeDirs(store->TmpDir(), 0700));
  AVA_RETURN_IF_ERROR(MakeDirs(store->MultipartDir(), 0700));
  // Temporary files and uploads a crashed process left behind; young ones may belong to a
  // process that is still running.
  const auto cutoff = std::filesystem::file_time_type::clock::now() - std::chrono::hours(24);
  for (const std::string& dir : {store->TmpDir(), store->MultipartDir()}) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      std::error_code ec2;
      if (entry.last_write_time(ec2) < cutoff && !ec2) std::filesystem::remove_all(entry.path(), ec2);
    }
  }
  return store;
}

std::string PosixStore::Describe() const { return "file://" + (root_.empty() ? std::string("/") : root_); }

Status PosixStore::ValidatePosixKey(std::string_view key) {
  AVA_RETURN_IF_ERROR(ValidateKey(key));
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("object key '{}' {} (posix store)", key, why));
  };
  // A trailing '/' names the directory's marker; the components before it follow the usual rules.
  if (key.back() == '/') key.remove_suffix(1);
  if (key.empty()) return bad("is only '/'");
  size_t start = 0;
  bool first = true;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view part = key.substr(start, end - start);
    if (part.empty()) return bad("has an empty path component");
    if (part == "." || part == "..") return bad("has a '.' or '..' component");
    if (part.size() > 255) return bad("has a component longer than 255 bytes");
    if (first && part == kReserved) return bad("is under the reserved directory .ava-store");
    if (part == kDirMarkerName) return bad("uses the reserved name .ava-dir");
    first = false;
    start = end + 1;
  }
  return Status::OK();
}

Result<int> PosixStore::CreateTemp(std::string* path) const {
  *path = TmpDir() + "/" + RandomHex();
  int fd = ::open(path->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "create temporary file " + *path);
  return fd;
}

Result<ObjectInfo> PosixStore::Publish(int fd, const std::string& tmp_path, const std::string& key,
                                       const std::string& etag) {
  auto fail = [&](Status s) {
    ::unlink(tmp_path.c_str());
    return s;
  };
  if (::fsync(fd) != 0) return fail(Status::FromErrno(errno, "fsync " + tmp_path));
  struct stat st;
  if (::fstat(fd, &st) != 0) return fail(Status::FromErrno(errno, "stat " + tmp_path));
  std::string value = fmt::format("{} {} {}", etag, MtimeNs(st), static_cast<uint64_t>(st.st_size));
  std::string final_etag = etag;
  if (::fsetxattr(fd, kEtagXattr, value.data(), value.size(), 0) != 0) {
    // A file system without user xattrs: the etag is what Head will synthesise.
    if (errno != ENOTSUP) return fail(Status::FromErrno(errno, "set etag xattr on " + tmp_path));
    final_etag = SynthesisedEtag(st);
  }
  const std::string path = PathOf(key);
  const std::string dir = DirName(path);
  for (int attempt = 0;; ++attempt) {
    Status made = MakeDirs(dir, 0755);
    // NotFound: a concurrent Delete removed a directory MakeDirs had just made.
    if (made.IsNotFound() && attempt + 1 < kPublishAttempts) continue;
    if (!made.ok()) {
      if (made.code() == Code::kAlreadyExists || made.code() == Code::kFailedPrecondition) {
        return fail(Status::FailedPrecondition(
            fmt::format("{}: cannot put '{}': a parent of it is an object", Describe(), key)));
      }
      return fail(made);
    }
    if (::rename(tmp_path.c_str(), path.c_str()) == 0) break;
    int err = errno;
    if (err == EISDIR || err == ENOTEMPTY || err == EEXIST) {
      return fail(Status::FailedPrecondition(
          fmt::format("{}: cannot put '{}': it is the directory of other keys", Describe(), key)));
    }
    if (err == ENOTDIR) {
      return fail(Status::FailedPrecondition(
          fmt::format("{}: cannot put '{}': a parent of it is an object", Describe(), key)));
    }
    // ENOENT: a concurrent Delete removed the directory between MakeDirs and rename.
    if (err != ENOENT || attempt + 1 >= kPublishAttempts) {
      return fail(Status::FromErrno(err, fmt::format("rename {} to {}", tmp_path, path)));
    }
  }
  AVA_RETURN_IF_ERROR(FsyncDir(dir));
  return InfoOf(key, st, final_etag);
}

Result<ObjectInfo> PosixStore::Head(const std::string& key) {
  AVA_RETURN_IF_ERROR(ValidatePosixKey(key));
  std::string path = PathOf(key);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound(Describe() + "/" + key);
    return Status::FromErrno(errno, "stat " + path);
  }
  if (!S_ISREG(st.st_mode))
    return Status::NotFound(Describe() + "/" + key + " is a directory, not an object");
  return InfoOf(key, st, EtagOfPath(path, st));
}

Result<GetResult> PosixStore::Get(const GetRequest& request) {
  AVA_RETURN_IF_ERROR(ValidatePosixKey(request.key));
  std::string path = PathOf(request.key);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound(Describe() + "/" + request.key);
    return Status::FromErrno(errno, "open " + path);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, "stat " + path);
  if (!S_ISREG(st.st_mode)) {
    return Status::NotFound(Describe() + "/" + request.key + " is a directory, not an object");
  }
  GetResult result;
  result.info = InfoOf(request.key, st, EtagOfFd(fd.get(), st));
  if (!request.if_match.empty() && !EtagsMatch(request.if_match, result.info.etag)) {
    return Status::FailedPrecondition(Describe() + "/" + request.key + ": etag is " + result.info.etag +
                                      ", not " + request.if_match);
  }
  AVA_ASSIGN_OR_RETURN(ByteRange range, ResolveRange(request, result.info.size));
  result.offset = range.offset;
  if (range.length > 0) {
    AVA_ASSIGN_OR_RETURN(result.data, PReadUpTo(fd.get(), range.length, range.offset));
  }
  return result;
}

Result<ListPage> PosixStore::List(const ListRequest& request) {
  Cursor cursor(*this);
  return BuildListPage(request, cursor);
}

Result<ObjectInfo> PosixStore::Put(const std::string& key, std::string_view data) {
  AVA_RETURN_IF_ERROR(ValidatePosixKey(key));
  std::string tmp;
  AVA_ASSIGN_OR_RETURN(int raw_fd, CreateTemp(&tmp));
  UniqueFd fd(raw_fd);
  Status s = WriteAll(fd.get(), data, "write " + tmp);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return Publish(fd.get(), tmp, key, Md5Hex(data));
}

Result<std::unique_ptr<MultipartUpload>> PosixStore::StartMultipart(const std::string& key) {
  AVA_RETURN_IF_ERROR(ValidatePosixKey(key));
  std::string dir = MultipartDir() + "/" + RandomHex();
  if (::mkdir(dir.c_str(), 0700) != 0) return Status::FromErrno(errno, "create multipart directory " + dir);
  return std::unique_ptr<MultipartUpload>(std::make_unique<PosixMultipartUpload>(this, key, dir));
}

Status PosixStore::RemoveEmptyParents(const std::string& key) const {
  std::string rel = key;
  while (true) {
    size_t slash = rel.rfind('/');
    if (slash == std::string::npos) return Status::OK();
    rel.resize(slash);
    // Fails with ENOTEMPTY as soon as a directory still holds something: that ends the climb.
    if (::rmdir(PathOf(rel).c_str()) != 0) return Status::OK();
  }
}

Status PosixStore::Delete(const std::string& key) {
  AVA_RETURN_IF_ERROR(ValidatePosixKey(key));
  std::string path = PathOf(key);
  if (::unlink(path.c_str()) != 0) {
    // Missing, or a directory (not an object): nothing to delete, as on S3.
    if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) return Status::OK();
    return Status::FromErrno(errno, "delete " + path);
  }
  return RemoveEmptyParents(key);
}

Result<ObjectInfo> PosixStore::Copy(const std::string& src, const std::string& dst) {
  AVA_RETURN_IF_ERROR(ValidatePosixKey(src));
  AVA_RETURN_IF_ERROR(ValidatePosixKey(dst));
  std::string src_path = PathOf(src);
  UniqueFd in(::open(src_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound("copy from " + Describe() + "/" + src);
    return Status::FromErrno(errno, "open " + src_path);
  }
  struct stat st;
  if (::fstat(in.get(), &st) != 0) return Status::FromErrno(errno, "stat " + src_path);
  if (!S_ISREG(st.st_mode)) return Status::NotFound("copy from " + Describe() + "/" + src + ": a directory");
  std::string etag = EtagOfFd(in.get(), st);
  std::string tmp;
  AVA_ASSIGN_OR_RETURN(int raw_fd, CreateTemp(&tmp));
  UniqueFd out(raw_fd);
  Status s = CopyBytes(in.get(), src_path, out.get(), tmp, static_cast<uint64_t>(st.st_size)).status();
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return Publish(out.get(), tmp, dst, etag);
}

}  // namespace ava::store

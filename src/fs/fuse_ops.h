// The FUSE low-level operations of avafs, one file per operation (fuse_op_<name>.cc), and what
// they share. Each operation translates a kernel request into a FileSystem call and sends
// exactly one reply on every path (libfuse passthrough_hp's rule); errors go through
// ReplyError, the only place a Status becomes an errno reply.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse3/fuse_lowlevel.h>
#include <sys/stat.h>

#include <array>
#include <atomic>
#include <string_view>

#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "fs/file_system.h"
#include "fs/page_cache_coherence.h"

namespace ava::fs {

enum class FuseOp {
  kLookup,
  kForget,
  kGetattr,
  kOpendir,
  kReaddir,
  kReaddirplus,
  kReleasedir,
  kOpen,
  kRead,
  kRelease,
  kStatfs,
  kGetxattr,
  kListxattr,
  kCreate,
  kWrite,
  kFlush,
  kFsync,
  kSetattr,
  kMkdir,
  kUnlink,
  kRmdir,
  kRename,
  kUnsupported,
  kCount
};
std::string_view FuseOpName(FuseOp op);

// State shared by all operations; the session's userdata.
struct FuseContext {
  FileSystem* fs = nullptr;
  Clock* clock = nullptr;
  Logger* logger = nullptr;
  uint32_t block_size = 1 << 20;
  bool writable = false;  // some mount of the tree takes writes (default modes 0644/0755, not 0444/0555)
  // No mount takes writes and the kernel can open files without asking us: OPEN, RELEASE and
  // FLUSH are answered ENOSYS once, after which the kernel stops sending them and keeps file
  // pages cached across opens. Saves two
  // round trips per file, which is most of the cost of re-reading many small cached files.
  // A lookup or getattr that finds a new ETag drops the file's pages (FileSystem's content-changed
  // hook, set by FuseServer).
  std::atomic<bool> zero_message_open{false};  // set in init, before any request
  fuse_session* session = nullptr;             // for notifications; set before the loop starts
  PageCacheCoherence coherence;
  std::array<Histogram*, static_cast<size_t>(FuseOp::kCount)> latency{};
  std::array<Counter*, static_cast<size_t>(FuseOp::kCount)> errors{};
  // Error log lines are limited to a burst per second so a failing store cannot flood the log.
  std::atomic<int64_t> log_window_start{0};
  std::atomic<int> log_lines_in_window{0};
  std::atomic<uint64_t> log_suppressed{0};

  void RegisterMetrics(MetricsRegistry* metrics);
};

FuseContext& Ctx(fuse_req_t req);

// Times one request and records it in avafs_fuse_op_seconds{op} when it goes out of scope.
class OpTimer {
 public:
  OpTimer(FuseContext& ctx, FuseOp op) : ctx_(ctx), op_(op), start_(ctx.clock->Now()) {}
  ~OpTimer();
  OpTimer(const OpTimer&) = delete;
  OpTimer& operator=(const OpTimer&) = delete;

 private:
  FuseContext& ctx_;
  FuseOp op_;
  Nanos start_;
};

// Replies with the errno for `status` (via fs/errno_mapping.h); logs failures other than "not
// found"-like ones, throttled.
void ReplyError(fuse_req_t req, FuseOp op, const Status& status);
void FillStat(const FuseContext& ctx, const Attr& attr, struct stat* st);
// An entry reply for `attr`, with the metadata TTL as the kernel's entry and attr timeouts.
fuse_entry_param MakeEntry(const FuseContext& ctx, const Attr& attr);
// Called for every handle opened (open, create) before the reply. A handle opened write-only,
// while no other handle has the file open, goes around the kernel's page cache (FOPEN_DIRECT_IO):
// its writes reach the daemon straight from the writer's buffer, with no copy into cached pages
// that nobody reads through this handle, and without the getxattr("security.capability") the
// kernel sends before the first cached write to a file. Shared mmap, which direct I/O refuses,
// needs a handle open for reading, so write-only handles lose nothing. When another handle is
// already open, the write stays cached: that handle may hold dirty pages of a shared mapping,
// which a direct write would race. Handles opened later (and readers opened earlier, which follow
// the writer's staged bytes) keep the page cache; ctx.coherence makes direct writes drop the pages
// they make stale (page_cache_coherence.h).
void NoteOpenedHandle(FuseContext& ctx, fuse_ino_t ino, const OpenResult& opened, fuse_file_info* fi);

fuse_lowlevel_ops MakeFuseOps();

void OpInit(void* userdata, fuse_conn_info* conn);
void OpLookup(fuse_req_t req, fuse_ino_t parent, const char* name);
void OpForget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void OpForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets);
void OpGetattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void OpOpendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void OpReaddir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
void OpReaddirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
void OpReleasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void OpOpen(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void OpRead(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
void OpRelease(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void OpStatfs(fuse_req_t req, fuse_ino_t ino);
void OpGetxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size);
void OpListxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void OpCreate(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi);
void OpWrite(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off, fuse_file_info* fi);
void OpFlush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void OpFsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi);
void OpSetattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi);
void OpMkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode);
void OpUnlink(fuse_req_t req, fuse_ino_t parent, const char* name);
void OpRmdir(fuse_req_t req, fuse_ino_t parent, const char* name);
void OpRename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent, const char* newname,
              unsigned int flags);
// Operations object stores cannot keep: symlink, link, mknod (EPERM); setxattr, removexattr (ENOTSUP).
void OpSymlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name);
void OpLink(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname);
void OpMknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev);
void OpSetxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags);
void OpRemovexattr(fuse_req_t req, fuse_ino_t ino, const char* name);

}  // namespace ava::fs

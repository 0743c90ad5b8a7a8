#include "fs/fuse_ops.h"

#include <fcntl.h>

#include <cerrno>

#include "fs/errno_mapping.h"

namespace ava::fs {

namespace {
constexpr int kLogBurstPerSecond = 10;
}

std::string_view FuseOpName(FuseOp op) {
  static constexpr std::string_view kNames[] = {
      "lookup", "forget",  "getattr", "opendir",  "readdir",   "readdirplus", "releasedir", "open",
      "read",   "release", "statfs",  "getxattr", "listxattr", "create",      "write",      "flush",
      "fsync",  "setattr", "mkdir",   "unlink",   "rmdir",     "rename",      "unsupported"};
  static_assert(std::size(kNames) == static_cast<size_t>(FuseOp::kCount));
  return kNames[static_cast<size_t>(op)];
}

void FuseContext::RegisterMetrics(MetricsRegistry* metrics) {
  if (metrics == nullptr) return;
  for (size_t i = 0; i < static_cast<size_t>(FuseOp::kCount); ++i) {
    Labels l{{"op", std::string(FuseOpName(static_cast<FuseOp>(i)))}};
    latency[i] = &metrics->GetHistogram("avafs_fuse_op_seconds", "Latency of FUSE requests", l);
    errors[i] = &metrics->GetCounter("avafs_fuse_errors_total", "FUSE requests answered with an error", l);
  }
}

FuseContext& Ctx(fuse_req_t req) { return *static_cast<FuseContext*>(fuse_req_userdata(req)); }

OpTimer::~OpTimer() {
  Histogram* h = ctx_.latency[static_cast<size_t>(op_)];
  if (h != nullptr) h->Observe(static_cast<double>((ctx_.clock->Now() - start_).count()) / 1e9);
}

void ReplyError(fuse_req_t req, FuseOp op, const Status& status) {
  FuseContext& ctx = Ctx(req);
  int err = ToErrno(status);
  if (Counter* c = ctx.errors[static_cast<size_t>(op)]) c->Inc();
  // Answers that are part of normal operation are not logged.
  if (err != ENOENT && err != ENODATA && err != ERANGE && err != EEXIST && err != ENOTEMPTY && err != EROFS &&
      err != EXDEV && err != EISDIR && err != ENOTDIR) {
    int64_t now_s = ctx.clock->Now().count() / 1000000000;
    int64_t window = ctx.log_window_start.load();
    if (window != now_s && ctx.log_window_start.compare_exchange_strong(window, now_s)) {
      uint64_t dropped = ctx.log_suppressed.exchange(0);
      ctx.log_lines_in_window.store(0);
      if (dropped > 0) AVA_LOG(ctx.logger, kWarn, "fuse", "{} similar error lines suppressed", dropped);
    }
    if (ctx.log_lines_in_window.fetch_add(1) < kLogBurstPerSecond) {
      AVA_LOG(ctx.logger, kWarn, "fuse", "{} failed ({}): {}", FuseOpName(op), strerrorname_np(err),
              status.ToString());
    } else {
      ctx.log_suppressed.fetch_add(1);
    }
  }
  fuse_reply_err(req, err);
}

void FillStat(const FuseContext& ctx, const Attr& attr, struct stat* st) {
  *st = {};
  st->st_ino = attr.ino;
  uint32_t perm =
      attr.mode != 0 ? attr.mode : (ctx.writable ? (attr.is_dir ? 0755 : 0644) : (attr.is_dir ? 0555 : 0444));
  st->st_mode = (attr.is_dir ? S_IFDIR : S_IFREG) | perm;
  st->st_nlink = attr.is_dir ? 2 : 1;
  st->st_uid = ctx.fs->options().uid;
  st->st_gid = ctx.fs->options().gid;
  st->st_size = static_cast<off_t>(attr.size);
  st->st_blksize = ctx.block_size;
  st->st_blocks = static_cast<blkcnt_t>((attr.size + 511) / 512);
  timespec t{static_cast<time_t>(attr.mtime_ns / 1000000000), static_cast<long>(attr.mtime_ns % 1000000000)};
  st->st_mtim = t;
  st->st_ctim = t;
  st->st_atim = t;
}

fuse_entry_param MakeEntry(const FuseContext& ctx, const Attr& attr) {
  fuse_entry_param e{};
  e.ino = attr.ino;
  e.generation = 0;
  e.attr_timeout = ctx.fs->KernelTimeoutSeconds();
  e.entry_timeout = ctx.fs->KernelTimeoutSeconds();
  FillStat(ctx, attr, &e.attr);
  return e;
}

void NoteOpenedHandle(FuseContext& ctx, fuse_ino_t ino, const OpenResult& opened, fuse_file_info* fi) {
  if ((fi->flags & O_ACCMODE) != O_WRONLY) {
    ctx.coherence.OpenedReadable(ino);
  } else if (opened.only_handle) {
    fi->direct_io = 1;
    ctx.coherence.OpenedDirect(opened.fh);
  }
}

void OpInit(void* userdata, fuse_conn_info* conn) {
  auto* ctx = static_cast<FuseContext*>(userdata);
  // Large requests: fewer round trips through /dev/fuse (the ~128 KiB default splits reads).
  conn->max_readahead = std::max<unsigned>(conn->max_readahead, 1u << 20);
  conn->max_background = 64;
  unsigned want = FUSE_CAP_ASYNC_READ | FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO |
                  FUSE_CAP_AUTO_INVAL_DATA | FUSE_CAP_PARALLEL_DIROPS;
  conn->want |= (want & conn->capable);
  ctx->zero_message_open = !ctx->writable && (conn->capable & FUSE_CAP_NO_OPEN_SUPPORT) != 0;
  AVA_LOG(ctx->logger, kDebug, "fuse", "init: kernel protocol {}.{}, max_readahead {}, zero-message open {}",
          conn->proto_major, conn->proto_minor, conn->max_readahead, ctx->zero_message_open);
}

fuse_lowlevel_ops MakeFuseOps() {
  fuse_lowlevel_ops ops{};
  ops.init = OpInit;
  ops.lookup = OpLookup;
  ops.forget = OpForget;
  ops.forget_multi = OpForgetMulti;
  ops.getattr = OpGetattr;
  ops.opendir = OpOpendir;
  ops.readdir = OpReaddir;
  ops.readdirplus = OpReaddirplus;
  ops.releasedir = OpReleasedir;
  ops.open = OpOpen;
  ops.read = OpRead;
  ops.release = OpRelease;
  ops.statfs = OpStatfs;
  ops.getxattr = OpGetxattr;
  ops.listxattr = OpListxattr;
  ops.create = OpCreate;
  ops.write = OpWrite;
  ops.flush = OpFlush;
  ops.fsync = OpFsync;
  ops.setattr = OpSetattr;
  ops.mkdir = OpMkdir;
  ops.unlink = OpUnlink;
  ops.rmdir = OpRmdir;
  ops.rename = OpRename;
  ops.symlink = OpSymlink;
  ops.link = OpLink;
  ops.mknod = OpMknod;
  ops.setxattr = OpSetxattr;
  ops.removexattr = OpRemovexattr;
  return ops;
}

}  // namespace ava::fs

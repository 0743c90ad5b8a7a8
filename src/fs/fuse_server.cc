#include "fs/fuse_server.h"

#include <fmt/format.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <vector>

#include "fs/fuse_ops.h"

namespace ava::fs {

namespace {

// The kernel gives a FUSE mount the default readahead of 128 KiB, so a sequential reader arrives
// as 8 requests per MiB. Raising the mount's bdi readahead lets reads come in 1 MiB requests. The
// device number is read from /proc/self/mountinfo: stat() on the mount point would ask this very
// daemon, which is not serving yet. Needs root; otherwise the default stays (and is logged).
void RaiseKernelReadahead(const std::string& mountpoint, unsigned kib, Logger* logger) {
  std::ifstream info("/proc/self/mountinfo");
  std::string line;
  while (std::getline(info, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    fields >> id >> parent >> dev >> root >> point;
    if (point != mountpoint) continue;
    std::string path = "/sys/class/bdi/" + dev + "/read_ahead_kb";
    std::ofstream out(path);
    out << kib;
    out.flush();
    if (!out) {
      AVA_LOG(logger, kDebug, "fuse", "cannot set {} (not root?); kernel readahead stays at its default",
              path);
    }
  }
}

}  // namespace

FuseServer::FuseServer(FuseMountOptions options, Logger* logger)
    : options_(std::move(options)), logger_(logger), context_(std::make_unique<FuseContext>()) {}

Result<std::unique_ptr<FuseServer>> FuseServer::Mount(const FuseMountOptions& options, Logger* logger) {
  std::unique_ptr<FuseServer> server(new FuseServer(options, logger));
  std::string opts = "fsname=avafs,subtype=avafs,noatime";
  if (options.read_only) opts += ",ro";
  if (options.allow_other) opts += ",allow_other";
  std::vector<std::string> argv_s = {"avafs", "-o", opts};
  if (options.debug) argv_s.push_back("-d");
  std::vector<char*> argv;
  argv.reserve(argv_s.size());
  for (auto& a : argv_s) argv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  fuse_lowlevel_ops ops = MakeFuseOps();
  server->context_->logger = logger;
  server->context_->block_size = options.block_size;
  server->context_->writable = !options.read_only;
  server->session_ = fuse_session_new(&args, &ops, sizeof(ops), server->context_.get());
  if (server->session_ == nullptr) {
    return Status::Internal("cannot create the FUSE session (bad mount options; see the lines above)");
  }
  if (fuse_set_signal_handlers(server->session_) != 0) {
    return Status::Internal("cannot install signal handlers");
  }
  server->signals_set_ = true;
  if (fuse_session_mount(server->session_, options.mountpoint.c_str()) != 0) {
    return Status::Unavailable(
               fmt::format("cannot mount on {} (is /dev/fuse present, fusermount3 installed, and the "
                           "directory existing and not already mounted?)",
                           options.mountpoint))
        .Retryable(false);
  }
  server->mounted_ = true;
  RaiseKernelReadahead(options.mountpoint, 1024, logger);
  return server;
}

FuseServer::~FuseServer() {
  if (session_ != nullptr) {
    if (signals_set_) fuse_remove_signal_handlers(session_);
    if (mounted_) fuse_session_unmount(session_);
    fuse_session_destroy(session_);
  }
}

Status FuseServer::Serve(FileSystem* fs, Clock* clock, MetricsRegistry* metrics) {
  context_->fs = fs;
  context_->clock = clock;
  context_->session = session_;
  context_->RegisterMetrics(metrics);
  FuseContext* ctx = context_.get();
  fuse_session* se = session_;
  fs->set_content_changed_hook([ctx, se](uint64_t ino) {
    // With zero-message open the kernel keeps a file's pages across opens: drop them when the
    // object changed. Read-only mounts have no dirty pages, so this never blocks (fuse_lowlevel.h).
    if (ctx->zero_message_open) fuse_lowlevel_notify_inval_inode(se, ino, 0, 0);
  });
  fuse_loop_config* cfg = fuse_loop_cfg_create();
  fuse_loop_cfg_set_clone_fd(cfg, 1);
  fuse_loop_cfg_set_max_threads(cfg, static_cast<unsigned>(options_.max_threads));
  fuse_loop_cfg_set_idle_threads(cfg, 16);
  int rc = fuse_session_loop_mt(session_, cfg);
  fuse_loop_cfg_destroy(cfg);
  if (rc != 0 && rc != SIGINT && rc != SIGTERM && rc != SIGHUP) {
    return Status::IOError(fmt::format("FUSE session ended with error {}", rc));
  }
  return Status::OK();
}

void FuseServer::Exit() {
  if (session_ != nullptr) fuse_session_exit(session_);
}

}  // namespace ava::fs

// FuseServer: one FUSE mount served by the libfuse low-level API on a pool of kernel-request
// threads (fuse_session_loop_mt).
//
// Lifecycle: Mount() creates the session and mounts; Serve() answers requests until the file
// system is unmounted (`fusermount3 -u`, `umount`) or the process gets SIGINT/SIGTERM/SIGHUP;
// the destructor unmounts.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/result.h"
#include "fs/file_system.h"

struct fuse_session;

namespace ava::fs {

struct FuseMountOptions {
  std::string mountpoint;
  bool allow_other = false;  // let other users see the mount (needs user_allow_other for non-root)
  bool debug = false;        // libfuse's request trace on stderr
  int max_threads = 64;      // kernel-request worker threads
  uint32_t block_size = 1 << 20;
  bool read_only = true;  // no mount of the table takes writes
};

struct FuseContext;

class FuseServer {
 public:
  static Result<std::unique_ptr<FuseServer>> Mount(const FuseMountOptions& options, Logger* logger);
  ~FuseServer();
  FuseServer(const FuseServer&) = delete;
  FuseServer& operator=(const FuseServer&) = delete;

  // Serves requests with `fs` until unmounted or signalled.
  Status Serve(FileSystem* fs, Clock* clock, MetricsRegistry* metrics);
  // Makes Serve return (from another thread); the mount is removed by the destructor.
  void Exit();

 private:
  FuseServer(FuseMountOptions options, Logger* logger);

  FuseMountOptions options_;
  Logger* logger_;
  std::unique_ptr<FuseContext> context_;
  fuse_session* session_ = nullptr;
  bool mounted_ = false;
  bool signals_set_ = false;
};

}  // namespace ava::fs

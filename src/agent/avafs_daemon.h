// AvafsDaemon: the one avafs daemon of a node, which serves the agent's mount table at its mount
// point for every job on the node. The agent starts it (`avafs mount -f TABLE MOUNTPOINT`, in its
// own session, output appended to <state_dir>/avafs/avafs.log), remembers it by pid AND start time
// (<state_dir>/avafs/daemon.json), checks it is alive and mounted, restarts it when it died or lost
// its mount (a stale FUSE mount is lazily unmounted first), and stops it by that identity.
//
// A restarted agent adopts a daemon that is still alive and mounted instead of starting another,
// so running jobs keep their data. Without a mount table the agent starts no daemon and uses the
// mount point as it finds it (a tree someone else mounts, or a plain directory).
//
// Errors: Start() returns Unavailable, with the end of avafs's log, when the daemon exits or does not
// mount within `mount_timeout`; FailedPrecondition when the mount point is unusable. Check() returns
// the reason the daemon was not healthy (after trying to restart it), OK when it is.
// Thread safety: not thread-safe; the agent's loop thread owns it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "agent/agent_config.h"
#include "agent/process_id.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"

namespace ava::agent {

struct AvafsDaemonOptions {
  AvafsSettings settings;
  std::string state_dir;  // the agent's; the daemon's files go to <state_dir>/avafs/
  Nanos mount_timeout = std::chrono::seconds(30);
  Nanos stop_timeout = std::chrono::seconds(10);
  Clock* clock = nullptr;
  Logger* logger = nullptr;
  MetricsRegistry* metrics = nullptr;  // may be null
};

class AvafsDaemon {
 public:
  explicit AvafsDaemon(AvafsDaemonOptions options);
  AvafsDaemon(const AvafsDaemon&) = delete;
  AvafsDaemon& operator=(const AvafsDaemon&) = delete;

  Status Start();
  Status Check();
  Status Stop();

  // The daemon's identity while one is known.
  std::optional<ProcessId> daemon() const { return daemon_; }

 private:
  Status Launch();
  Status Adopt();
  bool Alive();
  // Lazily unmounts the mount point if something is mounted there (a dead daemon's FUSE mount).
  void ClearStaleMount();
  std::string Dir() const { return options_.state_dir + "/avafs"; }

  const AvafsDaemonOptions options_;
  std::string table_path_;
  std::optional<ProcessId> daemon_;
  pid_t child_ = 0;  // when we started it (for waitpid)
  Counter* restarts_ = nullptr;
  Gauge* up_ = nullptr;
};

// Whether `path` is a mount point, by /proc/self/mountinfo (octal escapes decoded).
bool IsMountPoint(const std::string& path);

}  // namespace ava::agent

// Mount plan: how a job's `mounts` (docs/api.md) become paths on this node. Each `source` names a
// path inside the node's avafs tree (the agent's avafs mount point); it must exist when the job
// starts, or the job fails at start with that message and its GPUs come back.
//
// The job sees each mount at `path` in one of two ways (docs/agent.md, "Mounts"):
//  - namespace (the agent runs as root): the job gets a private mount namespace in which `source`
//    is bind-mounted at exactly `path` (read-only when asked);
//  - symlink (fallback without root): `path` cannot be created for the job, so a symlink
//    <job dir>/root/<path> points at the source, AVA_MOUNT_<NAME> holds that link's path, and paths
//    the job is given (workdir, command arguments, env values, report) that start with a mount path
//    are rewritten to the link. Read-only is then enforced only by avafs itself (read-only mounts).
//
// Errors: InvalidArgument for a mount path or source that is not acceptable (relative path, "..",
// "/", two mounts on one path or one inside another); NotFound, with the source and the host path,
// for a source that does not exist; FailedPrecondition when the job has mounts and the node has no
// avafs tree.
// Thread safety: free functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/job_spec.h"
#include "common/result.h"

namespace ava::agent {

struct MountBinding {
  std::string path;       // where the job sees it ("/data")
  std::string host_path;  // the source on this node ("/mnt/ava/dataset/fashion-mnist")
  std::string link_path;  // symlink mode: <job dir>/root/data; "" in namespace mode
  bool readonly = false;
  std::string env_name;  // AVA_MOUNT_DATA
};

// Checks the requests and finds each source under `tree_root` (the avafs mount point). Sets
// link_path when `job_root` (the job's <job dir>/root) is not empty.
Result<std::vector<MountBinding>> ResolveMounts(const std::vector<MountRequest>& mounts,
                                                const std::string& tree_root, const std::string& job_root);

// "/data" → "AVA_MOUNT_DATA", "/outputs/run-1" → "AVA_MOUNT_OUTPUTS_RUN_1".
std::string MountEnvName(std::string_view path);

// Symlink mode: `p` with a leading mount path replaced by that mount's link ("/data/x" →
// "<job>/root/data/x"); other paths unchanged.
std::string RewritePath(std::string_view p, const std::vector<MountBinding>& mounts);
// Symlink mode: every mount path in `text` that starts a word (after a space, quote, '=' or ':')
// and ends at a word or path boundary is rewritten, for shell command strings and `--flag=/data/x`.
std::string RewriteWords(std::string_view text, const std::vector<MountBinding>& mounts);

// The host path a path the job names refers to: under a mount → inside its host_path; relative →
// below `workdir_host`; otherwise itself (the job shares the host's root file system).
std::string HostPathOf(std::string_view job_path, const std::vector<MountBinding>& mounts,
                       const std::string& workdir_host);

}  // namespace ava::agent

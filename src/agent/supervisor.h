// The job supervisor: the small process (`ava-agent supervise JOB_DIR`, started by the agent in its
// own session) that owns one job from start to end, so the job outlives the agent and a restarted
// agent finds everything it needs in the job's directory (job_dir.h).
//
// It reads launch.json, starts the job as the leader of its own process group (with a private mount
// namespace and bind mounts when the plan says so), records both identities in supervisor.json, and
// then:
//  - copies the job's stdout and stderr, in the order read, into output.log (output_log.h);
//  - on SIGTERM (the agent's kill: the reason is in kill.json) or when max_runtime passes, sends
//    SIGTERM to the job's process group and SIGKILL after the grace period;
//  - when the job's main process exits, stops what is left of its group the same way, and kills
//    any descendants that escaped the group (it is their child subreaper), so a job's GPUs are
//    free when exit.json appears;
//  - reads the report file the spec names (JSON, at most 1 MiB), and writes exit.json: exit code or
//    signal, an error saying why it was stopped or how it failed, and the report.
// A job that cannot start (exec fails, a bind mount fails, the working directory cannot be made)
// gets exit.json with the reason as `error` and no exit code, and the reason in its log.
//
// Errors: RunSupervisor returns the supervisor's own exit code: 0 when exit.json was written, 1 when
// it could not be (the agent then reports the job as lost).
// Thread safety: runs single-threaded in its own process.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/logging.h"

namespace ava::agent {

int RunSupervisor(const std::string& job_dir, Clock* clock, Logger* logger);

}  // namespace ava::agent

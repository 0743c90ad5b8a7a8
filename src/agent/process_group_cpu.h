// CPU time used by the live processes of each process group, from /proc/*/stat (utime + stime, in
// clock ticks). The agent uses it to tell whether a workspace is in use: a job is one process
// group, and CPU time moving means someone is computing in it (avad's idle rule, docs/avad.md).
// Processes that ended are not counted, so the sum may go down; callers compare for change.
//
// Thread safety: free functions.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string_view>

#include "common/result.h"

namespace ava::agent {

// pgid → utime + stime of its live processes. Processes that vanish during the scan are skipped.
std::map<pid_t, uint64_t> CpuTicksByProcessGroup();

// Parses one /proc/PID/stat line: its process group and utime + stime. InvalidArgument when malformed.
Status ParseStatCpu(std::string_view stat, pid_t* pgrp, uint64_t* ticks);

}  // namespace ava::agent

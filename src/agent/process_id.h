// ProcessId: a process named by its pid AND its start time (field 22 of /proc/PID/stat, clock ticks
// since boot), so that a pid written to disk by an agent that has since restarted is never confused
// with an unrelated process that got the same number. The agent signals a process only after the
// identity matches; it never looks processes up by name.
//
// Errors: ReadProcessId returns NotFound for a pid that does not exist (or is a zombie), IOError
// when /proc cannot be read.
// Thread safety: free functions over values.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace ava::agent {

struct ProcessId {
  pid_t pid = 0;
  uint64_t start_ticks = 0;

  bool valid() const { return pid > 0; }
  friend bool operator==(const ProcessId&, const ProcessId&) = default;
};

// The identity of a live process. A zombie (exited, not yet reaped) counts as gone.
Result<ProcessId> ReadProcessId(pid_t pid);
// The calling process.
ProcessId SelfProcessId();
// True when `id` still names the same live process.
bool IsAlive(const ProcessId& id);
// Sends `sig` to `id.pid` only if the identity still matches; NotFound when it does not.
Status SignalProcess(const ProcessId& id, int sig);

// Sends `sig` to the process group led by `leader` (a job started with setpgid(0, 0)), only while the
// leader's identity still matches: a live leader keeps its pid, and so the group id, from reuse.
Status SignalGroup(const ProcessId& leader, int sig);

// Reads a /proc file to its end (they report a size of 0, so size-based readers get nothing).
// NotFound when it does not exist.
Result<std::string> ReadProcFile(const std::string& path);

// The numbered fields of a /proc/PID/stat line (proc(5): 3 = state, 5 = pgrp, 14 = utime, …),
// found after the command name, which may contain spaces and parentheses.
class ProcStatFields {
 public:
  // InvalidArgument when the line has no "(comm) " part.
  static Result<ProcStatFields> Parse(std::string_view stat);
  // Field `n` (3 or more); InvalidArgument, naming `what`, when the line is too short.
  Result<std::string_view> Text(int n, std::string_view what) const;
  // Field `n` as an unsigned number; InvalidArgument when missing or not a number.
  Result<uint64_t> Number(int n, std::string_view what) const;

 private:
  std::vector<std::string_view> fields_;  // fields_[0] is field 3
};

// Parses the text of /proc/PID/stat: the start time and state. InvalidArgument on malformed text.
Status ParseProcStat(std::string_view stat, char* state, uint64_t* start_ticks);

}  // namespace ava::agent

// SpawnDetached: starts a program the agent will not wait on in the ordinary way — a job supervisor,
// the avafs daemon — in its own session (setsid), so that neither the agent's death nor signals to
// the agent's process group reach it. Its stdin is /dev/null, its stdout and stderr are appended to
// `log_path`, and it inherits no other descriptor of the agent.
//
// Between fork and exec the child makes only async-signal-safe calls, since the agent has other
// threads. The caller reaps the child (waitpid) while it is the parent.
//
// Errors: IOError/NotFound when the log cannot be opened or fork fails. A program that cannot be
// executed exits with code 127 and says so in its log.
// Thread safety: safe to call from any thread.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.h"

namespace ava::agent {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is a path, or a name searched on PATH
  std::string log_path;
  // Signals blocked in the child when it starts (the mask survives exec): a supervisor takes its
  // SIGTERM through a signalfd and must not die of one that arrives before it is ready.
  std::vector<int> blocked_signals;
};

Result<pid_t> SpawnDetached(const SpawnOptions& options);

}  // namespace ava::agent

#include "agent/process_id.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "common/file_util.h"

namespace ava::agent {

Result<std::string> ReadProcFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(errno, path);
  std::string out;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, path);
    }
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

Status ParseProcStat(std::string_view stat, char* state, uint64_t* start_ticks) {
  // "pid (comm) S ppid ...": comm may hold ") ", so the fields start after the LAST ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos || close + 2 >= stat.size()) {
    return Status::InvalidArgument("malformed /proc stat line");
  }
  std::string_view rest = stat.substr(close + 2);
  // rest[0] is field 3 (state); the start time is field 22, i.e. the 20th word of `rest`.
  int field = 3;
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view word = rest.substr(pos, end - pos);
    if (field == 3) {
      if (word.size() != 1) return Status::InvalidArgument("malformed process state in /proc stat");
      *state = word[0];
    } else if (field == 22) {
      auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), *start_ticks);
      if (ec != std::errc() || p != word.data() + word.size()) {
        return Status::InvalidArgument("malformed start time in /proc stat");
      }
      return Status::OK();
    }
    ++field;
    pos = end + 1;
  }
  return Status::InvalidArgument("/proc stat line has no start time");
}

Result<ProcessId> ReadProcessId(pid_t pid) {
  if (pid <= 0) return Status::NotFound(fmt::format("pid {} is not a process", pid));
  Result<std::string> stat = ReadProcFile(fmt::format("/proc/{}/stat", pid));
  if (!stat.ok()) {
    if (stat.status().IsNotFound()) return Status::NotFound(fmt::format("no process {}", pid));
    return stat.status();
  }
  char state = '?';
  uint64_t start = 0;
  AVA_RETURN_IF_ERROR(ParseProcStat(*stat, &state, &start));
  if (state == 'Z' || state == 'X') return Status::NotFound(fmt::format("process {} has exited", pid));
  return ProcessId{pid, start};
}

ProcessId SelfProcessId() {
  Result<ProcessId> id = ReadProcessId(::getpid());
  return id.ok() ? *id : ProcessId{::getpid(), 0};
}

bool IsAlive(const ProcessId& id) {
  if (!id.valid()) return false;
  Result<ProcessId> now = ReadProcessId(id.pid);
  return now.ok() && now->start_ticks == id.start_ticks;
}

Status SignalProcess(const ProcessId& id, int sig) {
  // Pin the process with a pidfd first, then check its identity: if the start time still matches,
  // the pidfd refers to that very process and the signal cannot reach a newcomer that reused the pid.
  // Raw syscalls: glibc 2.36's <sys/pidfd.h> declares these without C linkage for C++.
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, id.pid, 0)));
  if (!pidfd.valid() && errno != ENOSYS) return Status::NotFound(fmt::format("process {} is gone", id.pid));
  if (!IsAlive(id)) return Status::NotFound(fmt::format("process {} is gone", id.pid));
  const int rc = pidfd.valid()
                     ? static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0))
                     : ::kill(id.pid, sig);
  if (rc != 0) return Status::FromErrno(errno, fmt::format("signal {} to process {}", sig, id.pid));
  return Status::OK();
}

Status SignalGroup(const ProcessId& leader, int sig) {
  // killpg takes a number, so a pidfd cannot pin the group; the identity check leaves only the window
  // in which the leader exits, is reaped and its pid becomes another group's id.
  if (!IsAlive(leader)) return Status::NotFound(fmt::format("process group {} has no leader", leader.pid));
  if (::killpg(leader.pid, sig) != 0) {
    return Status::FromErrno(errno, fmt::format("signal {} to process group {}", sig, leader.pid));
  }
  return Status::OK();
}

}  // namespace ava::agent

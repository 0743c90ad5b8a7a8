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

Result<ProcStatFields> ProcStatFields::Parse(std::string_view stat) {
  // "pid (comm) S ppid ...": comm may hold ") ", so the fields start after the LAST ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos || close + 2 >= stat.size()) {
    return Status::InvalidArgument("malformed /proc stat line");
  }
  ProcStatFields out;
  std::string_view rest = stat.substr(close + 2);
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    out.fields_.push_back(rest.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

Result<std::string_view> ProcStatFields::Text(int n, std::string_view what) const {
  if (n < 3 || static_cast<size_t>(n - 3) >= fields_.size()) {
    return Status::InvalidArgument(fmt::format("/proc stat line has no {}", what));
  }
  return fields_[static_cast<size_t>(n - 3)];
}

Result<uint64_t> ProcStatFields::Number(int n, std::string_view what) const {
  AVA_ASSIGN_OR_RETURN(std::string_view word, Text(n, what));
  uint64_t value = 0;
  auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc() || p != word.data() + word.size()) {
    return Status::InvalidArgument(fmt::format("malformed {} in /proc stat", what));
  }
  return value;
}

Status ParseProcStat(std::string_view stat, char* state, uint64_t* start_ticks) {
  AVA_ASSIGN_OR_RETURN(ProcStatFields fields, ProcStatFields::Parse(stat));
  AVA_ASSIGN_OR_RETURN(std::string_view s, fields.Text(3, "process state"));
  if (s.size() != 1) return Status::InvalidArgument("malformed process state in /proc stat");
  AVA_ASSIGN_OR_RETURN(*start_ticks, fields.Number(22, "start time"));
  *state = s[0];
  return Status::OK();
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

#include "agent/supervisor.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "agent/job_dir.h"
#include "agent/output_log.h"
#include "agent/process_id.h"
#include "common/file_util.h"
#include "common/units.h"

extern char** environ;

namespace ava::agent {
namespace {

using std::chrono::milliseconds;

constexpr size_t kReadChunk = 64 * 1024;
constexpr uint64_t kMaxReportBytes = 1 << 20;
// How long output is still collected after the job's group is gone (or was SIGKILLed): a process
// that left the group may hold the pipes open.
constexpr Nanos kDrain = std::chrono::seconds(2);

std::string SignalName(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", sig);
}

// Writes `msg` to the status pipe and ends the child. Only for the forked child before exec.
[[noreturn]] void ChildFail(int status_fd, const std::string& msg) {
  const char* p = msg.data();
  size_t left = msg.size();
  while (left > 0) {
    ssize_t n = ::write(status_fd, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
  ::_exit(127);
}

// The forked child: becomes the job. Never returns. The supervisor is single-threaded, so the child
// may allocate and format freely before exec.
[[noreturn]] void ExecJob(const LaunchPlan& plan, int out_fd, int err_fd, int status_fd) {
  ::setpgid(0, 0);
  ::signal(SIGPIPE, SIG_DFL);
  // The mask survives exec: the job starts with no signal blocked, whatever the supervisor inherited.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  const int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, 0);
  ::dup2(out_fd, 1);
  ::dup2(err_fd, 2);
  auto errno_text = [] { return std::string(std::strerror(errno)); };

  if (plan.namespace_mounts) {
    if (::unshare(CLONE_NEWNS) != 0) ChildFail(status_fd, "cannot make a mount namespace: " + errno_text());
    // Slave: the host's mounts and unmounts (an avafs restart) reach the job; the job's binds stay its own.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) {
      ChildFail(status_fd, "cannot make / a slave mount: " + errno_text());
    }
    for (const MountBinding& m : plan.mounts) {
      if (Status s = MakeDirs(m.path, 0755); !s.ok()) {
        ChildFail(status_fd, fmt::format("cannot create mount point {}: {}", m.path, s.message()));
      }
      if (::mount(m.host_path.c_str(), m.path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
        ChildFail(status_fd, fmt::format("cannot bind {} at {}: {}", m.host_path, m.path, errno_text()));
      }
      if (m.readonly &&
          ::mount(nullptr, m.path.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
        ChildFail(status_fd, fmt::format("cannot make {} read-only: {}", m.path, errno_text()));
      }
    }
  }
  if (::chdir(plan.workdir.c_str()) != 0) {
    if (errno != ENOENT)
      ChildFail(status_fd, fmt::format("cannot enter workdir {}: {}", plan.workdir, errno_text()));
    if (Status s = MakeDirs(plan.workdir, 0755); !s.ok()) {
      ChildFail(status_fd, fmt::format("cannot create workdir {}: {}", plan.workdir, s.message()));
    }
    if (::chdir(plan.workdir.c_str()) != 0) {
      ChildFail(status_fd, fmt::format("cannot enter workdir {}: {}", plan.workdir, errno_text()));
    }
  }
  std::vector<std::string> env_strings = EnvStrings(plan.env);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = plan.argv;
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  // execvp searches the PATH of the current environment, which must be the job's.
  environ = envp.data();
  ::execvp(argv[0], argv.data());
  ChildFail(status_fd, fmt::format("cannot run '{}': {}", plan.argv[0], errno_text()));
}

// The pids of this process's children (/proc/self/task/TID/children), e.g. orphans reparented to
// the supervisor as their subreaper.
std::vector<pid_t> Children() {
  std::vector<pid_t> out;
  Result<std::string> text = ReadProcFile(fmt::format("/proc/self/task/{}/children", ::getpid()));
  if (!text.ok()) return out;
  size_t i = 0;
  while (i < text->size()) {
    char* end = nullptr;
    long v = std::strtol(text->c_str() + i, &end, 10);
    if (end == text->c_str() + i) break;
    if (v > 0) out.push_back(static_cast<pid_t>(v));
    i = static_cast<size_t>(end - text->c_str());
    while (i < text->size() && (*text)[i] == ' ') ++i;
  }
  return out;
}

// Reads the report the job wrote: its JSON, or why there is none.
Result<nlohmann::json> ReadReport(const LaunchPlan& plan) {
  struct stat st {};
  if (::stat(plan.report_host_path.c_str(), &st) != 0) {
    return Status::FromErrno(errno, fmt::format("report {} was not written", plan.report_job_path));
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxReportBytes) {
    return Status::ResourceExhausted(fmt::format("report {} is {} bytes; at most {} are kept",
                                                 plan.report_job_path, st.st_size, kMaxReportBytes));
  }
  AVA_ASSIGN_OR_RETURN(std::string text, ReadFile(plan.report_host_path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return Status::InvalidArgument(fmt::format("report {} is not JSON", plan.report_job_path));
  if (!j.is_object() && !j.is_array()) {
    return Status::InvalidArgument(
        fmt::format("report {} must hold a JSON object or array", plan.report_job_path));
  }
  return j;
}

// Pipes the job writes into, and what of each stream is waiting for the rest of a UTF-8 character.
struct StreamPipe {
  OutputStream stream;
  UniqueFd fd;
  std::string carry;
};

}  // namespace

int RunSupervisor(const std::string& job_dir, Clock* clock, Logger* log) {
  JobDir dir(job_dir);
  auto finish = [&](const FinishedJob& r) {
    Status s = dir.WriteExit(ExitRecord{r, clock->WallNow()});
    if (!s.ok()) {
      AVA_LOG(log, kError, "supervisor", "cannot write exit.json: {}", s.ToString());
      return 1;
    }
    return 0;
  };
  Result<std::optional<LaunchPlan>> loaded = dir.ReadLaunch();
  if (!loaded.ok() || !loaded->has_value()) {
    FinishedJob f;
    Result<std::optional<Assignment>> a = dir.ReadAssignment();
    if (a.ok() && a->has_value()) {
      f.job_id = (*a)->job_id;
      f.member = (*a)->member;
    }
    f.error = loaded.ok() ? "the job's launch plan is missing" : loaded.status().ToString();
    AVA_LOG(log, kError, "supervisor", "{}: {}", job_dir, f.error);
    return finish(f);
  }
  const LaunchPlan plan = std::move(**loaded);
  Result<OutputLogWriter> output = OutputLogWriter::Open(dir.output_file());
  if (!output.ok()) {
    FinishedJob f;
    f.job_id = plan.job_id;
    f.member = plan.member;
    f.error = fmt::format("cannot open the job's output log: {}", output.status().message());
    return finish(f);
  }
  auto note = [&](const std::string& msg) {
    AVA_LOG(log, kInfo, "supervisor", "job {}: {}", plan.job_id, msg);
    output->Append(OutputStream::kStderr, clock->WallNow(), fmt::format("ava-agent: {}\n", msg))
        .IgnoreError();
  };

  // Orphaned descendants of the job are reparented to us, so none can outlive the job unnoticed.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  ::signal(SIGPIPE, SIG_IGN);
  // The agent starts us with these blocked already, so a kill that arrives before this point waits
  // in the pending set for the signalfd instead of ending the supervisor.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&mask, s);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  UniqueFd sigfd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd.valid()) {
    FinishedJob f;
    f.job_id = plan.job_id;
    f.member = plan.member;
    f.error = fmt::format("supervisor: signalfd: {}", std::strerror(errno));
    return finish(f);
  }

  SupervisorRecord record;
  record.supervisor = SelfProcessId();
  record.started = clock->WallNow();
  if (Status s = dir.WriteSupervisor(record); !s.ok()) {
    AVA_LOG(log, kWarn, "supervisor", "cannot write supervisor.json: {}", s.ToString());
  }

  int out_pipe[2], err_pipe[2], status_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0 ||
      ::pipe2(status_pipe, O_CLOEXEC) != 0) {
    FinishedJob f;
    f.job_id = plan.job_id;
    f.member = plan.member;
    f.error = fmt::format("supervisor: pipe: {}", std::strerror(errno));
    return finish(f);
  }
  const pid_t pid = ::fork();
  if (pid == 0) ExecJob(plan, out_pipe[1], err_pipe[1], status_pipe[1]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(status_pipe[1]);
  std::vector<StreamPipe> pipes;
  pipes.push_back({OutputStream::kStdout, UniqueFd(out_pipe[0]), {}});
  pipes.push_back({OutputStream::kStderr, UniqueFd(err_pipe[0]), {}});
  UniqueFd status_fd(status_pipe[0]);
  if (pid < 0) {
    FinishedJob f;
    f.job_id = plan.job_id;
    f.member = plan.member;
    f.error = fmt::format("cannot start the job: fork: {}", std::strerror(errno));
    note(f.error);
    return finish(f);
  }
  ::setpgid(pid, pid);  // also here, so the group exists before we might signal it

  // The status pipe closes on exec (success) or carries the reason the child could not get there.
  std::string start_error;
  char buf[kReadChunk];
  for (;;) {
    ssize_t n = ::read(status_fd.get(), buf, sizeof(buf));
    if (n > 0) {
      start_error.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  if (!start_error.empty()) {
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    FinishedJob f;
    f.job_id = plan.job_id;
    f.member = plan.member;
    f.error = start_error;
    note(start_error);
    return finish(f);
  }
  Result<ProcessId> job_id = ReadProcessId(pid);
  record.job = job_id.ok() ? *job_id : ProcessId{pid, 0};
  if (Status s = dir.WriteSupervisor(record); !s.ok()) {
    AVA_LOG(log, kWarn, "supervisor", "cannot write supervisor.json: {}", s.ToString());
  }
  AVA_LOG(log, kInfo, "supervisor", "job {} runs as pid {}: {}", plan.job_id, pid, fmt::join(plan.argv, " "));

  const pid_t pgid = pid;
  const Nanos started = clock->Now();
  const Nanos runtime_deadline = plan.max_runtime > Nanos(0) ? started + plan.max_runtime : Nanos::max();
  bool exited = false;
  int wait_status = 0;
  Nanos exit_time{0};
  std::optional<std::string> stop_reason;  // why Ava stopped the job (kill order, max_runtime)
  bool term_sent = false, kill_sent = false;
  Nanos term_at{0}, kill_at{0};

  auto signal_group = [&](int sig) {
    if (::killpg(pgid, sig) != 0 && errno != ESRCH) {
      AVA_LOG(log, kWarn, "supervisor", "killpg({}, {}): {}", pgid, SignalName(sig), std::strerror(errno));
    }
  };
  auto stop_group = [&] {
    if (term_sent) return;
    signal_group(SIGTERM);
    term_sent = true;
    term_at = clock->Now();
  };
  auto flush_carry = [&](StreamPipe& p) {
    if (!p.carry.empty()) output->Append(p.stream, clock->WallNow(), p.carry).IgnoreError();
    p.carry.clear();
  };

  for (;;) {
    const Nanos now = clock->Now();
    if (!exited && !stop_reason && now >= runtime_deadline) {
      stop_reason = fmt::format("max_runtime {} exceeded", FormatDuration(plan.max_runtime));
      note(fmt::format("{}; stopping the job", *stop_reason));
      stop_group();
    }
    if (term_sent && !kill_sent && now >= term_at + plan.kill_grace) {
      signal_group(SIGKILL);
      kill_sent = true;
      kill_at = now;
    }
    bool group_alive = ::killpg(pgid, 0) == 0;
    if (exited && group_alive && !term_sent) stop_group();
    const bool pipes_open =
        std::any_of(pipes.begin(), pipes.end(), [](const StreamPipe& p) { return p.fd.valid(); });
    if (exited && ((!pipes_open && !group_alive) || (!group_alive && now >= exit_time + kDrain) ||
                   (kill_sent && now >= kill_at + kDrain))) {
      break;
    }

    std::vector<pollfd> fds;
    for (StreamPipe& p : pipes) {
      if (p.fd.valid()) fds.push_back({p.fd.get(), POLLIN, 0});
    }
    fds.push_back({sigfd.get(), POLLIN, 0});
    Nanos wait = exited ? milliseconds(100) : milliseconds(1000);
    if (!exited && runtime_deadline != Nanos::max())
      wait = std::min(wait, std::max(Nanos(0), runtime_deadline - now));
    if (term_sent && !kill_sent) wait = std::min(wait, std::max(Nanos(0), term_at + plan.kill_grace - now));
    const int timeout_ms = static_cast<int>(std::chrono::duration_cast<milliseconds>(wait).count()) + 1;
    const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      AVA_LOG(log, kError, "supervisor", "poll: {}", std::strerror(errno));
      break;
    }

    for (StreamPipe& p : pipes) {
      if (!p.fd.valid()) continue;
      auto it = std::find_if(fds.begin(), fds.end(), [&](const pollfd& f) { return f.fd == p.fd.get(); });
      if (it == fds.end() || it->revents == 0) continue;
      const ssize_t n = ::read(p.fd.get(), buf, sizeof(buf));
      if (n > 0) {
        p.carry.append(buf, static_cast<size_t>(n));
        const size_t whole = Utf8CompletePrefix(p.carry);
        if (whole > 0) {
          output->Append(p.stream, clock->WallNow(), std::string_view(p.carry).substr(0, whole))
              .IgnoreError();
          p.carry.erase(0, whole);
        }
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        flush_carry(p);
        p.fd = UniqueFd();
      }
    }

    signalfd_siginfo si;
    while (::read(sigfd.get(), &si, sizeof(si)) == static_cast<ssize_t>(sizeof(si))) {
      const int sig = static_cast<int>(si.ssi_signo);
      if (sig == SIGCHLD) {
        int st = 0;
        pid_t w;
        while ((w = ::waitpid(-1, &st, WNOHANG)) > 0) {
          if (w == pid && !exited) {
            exited = true;
            wait_status = st;
            exit_time = clock->Now();
          }
        }
      } else if (!stop_reason) {
        Result<std::optional<std::string>> reason = dir.ReadKill();
        stop_reason = reason.ok() && reason->has_value() && !(*reason)->empty()
                          ? **reason
                          : fmt::format("the supervisor received {}", SignalName(sig));
        if (!exited) note(fmt::format("stopping the job: {}", *stop_reason));
        stop_group();
      }
    }
  }
  for (StreamPipe& p : pipes) flush_carry(p);

  // Descendants that left the job's group are our children now (subreaper): none may survive it.
  for (int round = 0; round < 20; ++round) {
    std::vector<pid_t> rest = Children();
    if (rest.empty()) break;
    for (pid_t c : rest) ::kill(c, SIGKILL);  // un-reaped children: their pids cannot have been reused
    clock->SleepFor(milliseconds(50));
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }

  FinishedJob f;
  f.job_id = plan.job_id;
  f.member = plan.member;
  if (!exited) {
    f.error = "the supervisor lost track of the job";
  } else if (WIFEXITED(wait_status)) {
    f.exit_code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    f.signal = WTERMSIG(wait_status);
  }
  if (stop_reason) {
    f.error = *stop_reason;
  } else if (f.signal) {
    f.error = fmt::format("killed by {}", SignalName(*f.signal));
  } else if (f.exit_code && *f.exit_code != 0) {
    f.error = fmt::format("exited with code {}", *f.exit_code);
  }
  if (!plan.report_host_path.empty() && exited) {
    Result<nlohmann::json> report = ReadReport(plan);
    if (report.ok()) {
      f.report = std::move(*report);
    } else {
      note(report.status().message());
    }
  }
  AVA_LOG(log, kInfo, "supervisor", "job {} ended: exit code {}, signal {}{}", plan.job_id,
          f.exit_code ? std::to_string(*f.exit_code) : "-", f.signal ? SignalName(*f.signal) : "-",
          f.error.empty() ? "" : "; " + f.error);
  return finish(f);
}

}  // namespace ava::agent

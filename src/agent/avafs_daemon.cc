#include "agent/avafs_daemon.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "agent/spawn.h"
#include "common/file_util.h"

namespace ava::agent {
namespace {

using std::chrono::milliseconds;

// "/mnt/a\040b" → "/mnt/a b" (mountinfo escapes space, tab, newline and backslash as octal).
std::string DecodeMountinfo(std::string_view s) {
  const auto oct = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && oct(s[i + 1]) && oct(s[i + 2]) && oct(s[i + 3])) {
      out.push_back(static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string LogTail(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return "(no log)";
  constexpr size_t kTail = 2000;
  std::string tail = text->size() > kTail ? text->substr(text->size() - kTail) : *text;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  return tail.empty() ? "(empty log)" : tail;
}

}  // namespace

bool IsMountPoint(const std::string& path) {
  Result<std::string> info = ReadProcFile("/proc/self/mountinfo");
  if (!info.ok()) return false;
  size_t pos = 0;
  while (pos < info->size()) {
    size_t end = info->find('\n', pos);
    if (end == std::string::npos) end = info->size();
    std::string_view line(info->data() + pos, end - pos);
    // Fields: id parent major:minor root mount-point ...
    size_t field_start = 0;
    for (int f = 0; f < 4 && field_start != std::string_view::npos; ++f) {
      field_start = line.find(' ', field_start);
      if (field_start != std::string_view::npos) ++field_start;
    }
    if (field_start != std::string_view::npos) {
      const size_t field_end = line.find(' ', field_start);
      if (DecodeMountinfo(line.substr(field_start, field_end - field_start)) == path) return true;
    }
    pos = end + 1;
  }
  return false;
}

AvafsDaemon::AvafsDaemon(AvafsDaemonOptions options) : options_(std::move(options)) {
  if (options_.metrics != nullptr) {
    restarts_ = &options_.metrics->GetCounter("ava_agent_avafs_restarts_total",
                                              "Times the agent restarted a dead or unmounted avafs daemon");
    up_ = &options_.metrics->GetGauge("ava_agent_avafs_up",
                                      "1 while the node's avafs daemon is alive and mounted");
  }
}

bool AvafsDaemon::Alive() {
  if (child_ > 0) {
    int st = 0;
    if (::waitpid(child_, &st, WNOHANG) == 0) return true;
    child_ = 0;
    daemon_.reset();
    return false;
  }
  if (daemon_ && IsAlive(*daemon_)) return true;
  daemon_.reset();
  return false;
}

void AvafsDaemon::ClearStaleMount() {
  const std::string& mp = options_.settings.mount_point;
  for (const char* tool : {"fusermount3", "umount"}) {
    if (!IsMountPoint(mp)) return;
    SpawnOptions spawn;
    spawn.argv = tool == std::string("umount") ? std::vector<std::string>{"umount", "-l", mp}
                                               : std::vector<std::string>{"fusermount3", "-u", "-z", mp};
    spawn.log_path = Dir() + "/avafs.log";
    Result<pid_t> pid = SpawnDetached(spawn);
    if (!pid.ok()) continue;
    int st = 0;
    while (::waitpid(*pid, &st, 0) < 0 && errno == EINTR) {
    }
    AVA_LOG(options_.logger, kInfo, "avafs", "unmounted the stale mount at {} with {}", mp, tool);
  }
}

Status AvafsDaemon::Adopt() {
  Result<std::string> text = ReadFile(Dir() + "/daemon.json");
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("pid") || !j.contains("start") || !j["pid"].is_number_integer() ||
      !j["start"].is_number_unsigned()) {
    return Status::Corruption(Dir() + "/daemon.json is damaged");
  }
  ProcessId id{j["pid"].get<pid_t>(), j["start"].get<uint64_t>()};
  if (!IsAlive(id))
    return Status::NotFound(fmt::format("the avafs daemon recorded as pid {} is gone", id.pid));
  if (!IsMountPoint(options_.settings.mount_point)) {
    AVA_LOG(options_.logger, kWarn, "avafs",
            "avafs daemon pid {} is alive but {} is not mounted; stopping it", id.pid,
            options_.settings.mount_point);
    SignalProcess(id, SIGKILL).IgnoreError();
    return Status::Unavailable("the recorded avafs daemon had lost its mount");
  }
  daemon_ = id;
  AVA_LOG(options_.logger, kInfo, "avafs", "adopted the running avafs daemon, pid {}, at {}", id.pid,
          options_.settings.mount_point);
  return Status::OK();
}

Status AvafsDaemon::Launch() {
  const std::string& mp = options_.settings.mount_point;
  const std::string log_path = Dir() + "/avafs.log";
  SpawnOptions spawn;
  spawn.argv = {options_.settings.binary, "mount", "-f", table_path_, mp};
  spawn.log_path = log_path;
  AVA_ASSIGN_OR_RETURN(child_, SpawnDetached(spawn));
  const Nanos deadline = options_.clock->Now() + options_.mount_timeout;
  while (!IsMountPoint(mp)) {
    int st = 0;
    if (::waitpid(child_, &st, WNOHANG) == child_) {
      child_ = 0;
      return Status::Unavailable(fmt::format("avafs exited before mounting {} ({}): {}", mp,
                                             WIFEXITED(st) ? fmt::format("exit code {}", WEXITSTATUS(st))
                                                           : fmt::format("signal {}", WTERMSIG(st)),
                                             LogTail(log_path)));
    }
    if (options_.clock->Now() >= deadline) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, &st, 0);
      child_ = 0;
      return Status::Unavailable(
          fmt::format("avafs did not mount {} within {} s: {}", mp,
                      std::chrono::duration_cast<std::chrono::seconds>(options_.mount_timeout).count(),
                      LogTail(log_path)));
    }
    options_.clock->SleepFor(milliseconds(50));
  }
  Result<ProcessId> id = ReadProcessId(child_);
  daemon_ = id.ok() ? *id : ProcessId{child_, 0};
  nlohmann::json rec = {{"pid", daemon_->pid}, {"start", daemon_->start_ticks}};
  if (Status s = WriteFileAtomic(Dir() + "/daemon.json", rec.dump() + "\n"); !s.ok()) {
    AVA_LOG(options_.logger, kWarn, "avafs", "cannot record the daemon's identity: {}", s.ToString());
  }
  if (up_ != nullptr) up_->Set(1);
  AVA_LOG(options_.logger, kInfo, "avafs", "avafs daemon pid {} serves {} at {}", daemon_->pid, table_path_,
          mp);
  return Status::OK();
}

Status AvafsDaemon::Start() {
  if (!options_.settings.managed()) return Status::OK();
  AVA_RETURN_IF_ERROR(MakeDirs(Dir(), 0700));
  if (!options_.settings.table_yaml.empty()) {
    table_path_ = Dir() + "/mounts.yaml";
    AVA_RETURN_IF_ERROR(WriteFileAtomic(table_path_, options_.settings.table_yaml + "\n"));
  } else {
    table_path_ = options_.settings.table_file;
  }
  if (Status s = MakeDirs(options_.settings.mount_point, 0755); !s.ok()) {
    return Status::FailedPrecondition(
        fmt::format("avafs mount point {}: {}", options_.settings.mount_point, s.message()));
  }
  if (Adopt().ok()) {
    if (up_ != nullptr) up_->Set(1);
    return Status::OK();
  }
  ClearStaleMount();
  return Launch();
}

Status AvafsDaemon::Check() {
  if (!options_.settings.managed()) return Status::OK();
  std::string why;
  if (!Alive()) {
    why = "the avafs daemon is not running";
  } else if (!IsMountPoint(options_.settings.mount_point)) {
    why = fmt::format("the avafs daemon (pid {}) no longer has {} mounted", daemon_ ? daemon_->pid : child_,
                      options_.settings.mount_point);
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
    } else if (daemon_) {
      SignalProcess(*daemon_, SIGKILL).IgnoreError();
    }
    options_.clock->SleepFor(milliseconds(100));
    Alive();
  } else {
    return Status::OK();
  }
  if (up_ != nullptr) up_->Set(0);
  AVA_LOG(options_.logger, kWarn, "avafs", "{}; restarting it", why);
  if (restarts_ != nullptr) restarts_->Inc();
  ClearStaleMount();
  Status s = Launch();
  if (!s.ok()) return s.Annotate(why);
  return Status::OK();
}

Status AvafsDaemon::Stop() {
  if (!options_.settings.managed()) return Status::OK();
  if (Alive()) {
    if (child_ > 0) {
      ::kill(child_, SIGTERM);
    } else if (daemon_) {
      SignalProcess(*daemon_, SIGTERM).IgnoreError();
    }
    const Nanos deadline = options_.clock->Now() + options_.stop_timeout;
    while (Alive() && options_.clock->Now() < deadline) options_.clock->SleepFor(milliseconds(50));
    if (Alive()) {
      AVA_LOG(options_.logger, kWarn, "avafs", "the avafs daemon ignored SIGTERM; killing it");
      if (child_ > 0) {
        ::kill(child_, SIGKILL);
        ::waitpid(child_, nullptr, 0);
        child_ = 0;
      } else if (daemon_) {
        SignalProcess(*daemon_, SIGKILL).IgnoreError();
      }
    }
  }
  daemon_.reset();
  ClearStaleMount();
  ::unlink((Dir() + "/daemon.json").c_str());
  if (up_ != nullptr) up_->Set(0);
  return Status::OK();
}

}  // namespace ava::agent

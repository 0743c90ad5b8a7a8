#include "agent/job_manager.h"

#include <dirent.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "agent/process_group_cpu.h"
#include "agent/spawn.h"
#include "common/file_util.h"

namespace ava::agent {
namespace {

constexpr size_t kMaxChunk = 64 * 1024;

// Removes a job directory and everything in it. Symlinks to mounts are removed, never followed.
void RemoveTree(const std::string& path, Logger* log) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) AVA_LOG(log, kWarn, "agent", "cannot remove {}: {}", path, ec.message());
}

// "12-0" → job 12, member 0.
std::optional<JobKey> ParseJobDirName(std::string_view name) {
  JobKey key;
  const char* end = name.data() + name.size();
  auto [p, ec] = std::from_chars(name.data(), end, key.job_id);
  if (ec != std::errc() || key.job_id <= 0 || p == end || *p != '-') return std::nullopt;
  auto [q, ec2] = std::from_chars(p + 1, end, key.member);
  if (ec2 != std::errc() || q != end || key.member < 0) return std::nullopt;
  return key;
}

}  // namespace

JobManager::JobManager(JobManagerOptions options) : options_(std::move(options)) {
  if (options_.metrics != nullptr) {
    started_ =
        &options_.metrics->GetCounter("ava_agent_jobs_started_total", "Jobs whose supervisor was started");
    start_failures_ = &options_.metrics->GetCounter("ava_agent_job_start_failures_total",
                                                    "Jobs that failed before their command ran");
    lost_ = &options_.metrics->GetCounter("ava_agent_jobs_lost_total",
                                          "Jobs whose end could not be observed (supervisor gone)");
    shipped_bytes_ = &options_.metrics->GetCounter("ava_agent_log_bytes_shipped_total",
                                                   "Job output bytes acknowledged by avad");
  }
}

std::string JobManager::JobPath(JobKey key) const {
  return fmt::format("{}/jobs/{}-{}", options_.state_dir, key.job_id, key.member);
}

size_t JobManager::running() const {
  size_t n = 0;
  for (const auto& [key, job] : jobs_) n += job.phase == Phase::kRunning || job.phase == Phase::kStarting;
  return n;
}

void JobManager::FailAtStart(Job* job, const std::string& error) {
  AVA_LOG(options_.logger, kWarn, "agent", "job {} cannot start: {}", job->key.job_id, error);
  if (start_failures_ != nullptr) start_failures_->Inc();
  job->result = FinishedJob{};
  job->result.job_id = job->key.job_id;
  job->result.member = job->key.member;
  job->result.error = error;
  job->phase = Phase::kEnded;
  // The reason also goes into the job's log, where its owner looks first.
  Result<OutputLogWriter> out = OutputLogWriter::Open(job->dir.output_file());
  if (out.ok()) {
    out->Append(OutputStream::kStderr, options_.clock->WallNow(), fmt::format("ava-agent: {}\n", error))
        .IgnoreError();
  }
  if (Status s = job->dir.WriteExit(ExitRecord{job->result, options_.clock->WallNow()}); !s.ok()) {
    AVA_LOG(options_.logger, kError, "agent", "job {}: cannot record the start failure: {}", job->key.job_id,
            s.ToString());
  }
}

void JobManager::Start(const Assignment& a) {
  if (jobs_.count(a.key())) {
    AVA_LOG(options_.logger, kDebug, "agent", "job {} member {} is already here; ignoring a repeated start",
            a.job_id, a.member);
    return;
  }
  Job job{a.key(), JobDir(JobPath(a.key()))};
  job.launched = options_.clock->Now();
  Job* j = &jobs_.emplace(a.key(), std::move(job)).first->second;
  if (Status s = MakeDirs(j->dir.path(), 0700); !s.ok()) {
    // Without a directory nothing can be recorded; the job is reported from memory.
    j->result = FinishedJob{a.job_id,     std::nullopt,
                            std::nullopt, "cannot create the job directory: " + s.message(),
                            std::nullopt, a.member};
    j->phase = Phase::kEnded;
    j->output_drained = true;
    return;
  }
  if (Status s = j->dir.WriteAssignment(a); !s.ok())
    return FailAtStart(j, "cannot record the assignment: " + s.message());

  LaunchInputs in;
  in.assignment = &a;
  in.node = options_.node;
  in.node_gpu_count = options_.node_gpu_count;
  in.job_dir = j->dir.path();
  in.tree_root = options_.tree_root;
  in.mode = options_.mode;
  in.kill_grace = options_.kill_grace;
  in.base_env = options_.base_env;
  Result<LaunchPlan> plan = BuildLaunchPlan(in);
  if (!plan.ok()) return FailAtStart(j, plan.status().message());

  if (!plan->namespace_mounts) {
    for (const MountBinding& m : plan->mounts) {
      Status s = MakeDirs(DirName(m.link_path), 0755);
      if (s.ok() && ::symlink(m.host_path.c_str(), m.link_path.c_str()) != 0) {
        s = Status::FromErrno(errno, m.link_path);
      }
      if (!s.ok()) return FailAtStart(j, fmt::format("cannot link mount {}: {}", m.path, s.message()));
    }
  }
  j->workspace = plan->kind == "workspace";
  if (Status s = j->dir.WriteLaunch(*plan); !s.ok())
    return FailAtStart(j, "cannot record the launch plan: " + s.message());
  if (Status s = SpawnSupervisor(j); !s.ok()) return FailAtStart(j, s.message());
  if (started_ != nullptr) started_->Inc();
  AVA_LOG(options_.logger, kInfo, "agent", "job {} starting: GPUs [{}], supervisor pid {}", a.job_id,
          VisibleDevices(a), j->child);
}

Status JobManager::SpawnSupervisor(Job* job) {
  SpawnOptions spawn;
  spawn.argv = options_.supervisor_argv;
  spawn.argv.push_back(job->dir.path());
  spawn.log_path = job->dir.File("supervisor.log");
  spawn.blocked_signals = {SIGTERM, SIGINT, SIGHUP, SIGCHLD};
  Result<pid_t> pid = SpawnDetached(spawn);
  if (!pid.ok()) return pid.status().Annotate("cannot start the job supervisor");
  job->child = *pid;
  job->phase = Phase::kRunning;
  return Status::OK();
}

std::optional<ProcessId> JobManager::LiveSupervisor(Job* job) {
  if (job->child > 0) {
    int st = 0;
    const pid_t w = ::waitpid(job->child, &st, WNOHANG);
    if (w == 0) {
      // Our un-reaped child: its pid cannot have been reused.
      Result<ProcessId> id = ReadProcessId(job->child);
      return id.ok() ? *id : ProcessId{job->child, 0};
    }
    job->child = 0;  // reaped now (or not ours any more)
    return std::nullopt;
  }
  if (job->record && IsAlive(job->record->supervisor)) return job->record->supervisor;
  return std::nullopt;
}

void JobManager::MarkLost(Job* job, const std::string& why) {
  AVA_LOG(options_.logger, kWarn, "agent", "job {} is lost: {}", job->key.job_id, why);
  if (lost_ != nullptr) lost_->Inc();
  job->phase = Phase::kLost;
  // Nobody watches the job any more; stop what is left of it so its GPUs are really free.
  if (job->record && job->record->job.valid()) {
    if (SignalGroup(job->record->job, SIGKILL).ok()) {
      AVA_LOG(options_.logger, kWarn, "agent", "job {}: killed its unsupervised process group {}",
              job->key.job_id, job->record->job.pid);
    }
  }
}

void JobManager::Refresh(Job* job) {
  if (job->phase == Phase::kEnded || job->phase == Phase::kLost) return;
  Result<std::optional<SupervisorRecord>> rec = job->dir.ReadSupervisor();
  if (rec.ok() && rec->has_value()) job->record = **rec;
  const bool alive = LiveSupervisor(job).has_value();
  // exit.json is read after the liveness check: a supervisor that just ended has written it by then.
  Result<std::optional<ExitRecord>> exit = job->dir.ReadExit();
  if (exit.ok() && exit->has_value()) {
    job->result = (*exit)->result;
    job->result.job_id = job->key.job_id;
    job->result.member = job->key.member;
    job->phase = Phase::kEnded;
    AVA_LOG(options_.logger, kInfo, "agent", "job {} ended: exit code {}, signal {}{}", job->key.job_id,
            job->result.exit_code ? std::to_string(*job->result.exit_code) : "-",
            job->result.signal ? std::to_string(*job->result.signal) : "-",
            job->result.error.empty() ? "" : "; " + job->result.error);
    return;
  }
  if (!exit.ok()) {
    MarkLost(job, fmt::format("its exit record is unreadable: {}", exit.status().ToString()));
    return;
  }
  if (alive) {
    job->phase = Phase::kRunning;
    return;
  }
  if (job->phase == Phase::kStarting && !job->record &&
      options_.clock->Now() - job->launched < options_.start_timeout) {
    return;  // a supervisor started just before the agent restarted may not have recorded itself yet
  }
  MarkLost(job, job->record ? fmt::format("its supervisor (pid {}) ended without recording how the job ended",
                                          job->record->supervisor.pid)
                            : std::string("its supervisor never started"));
}

void JobManager::Kill(JobId id, const std::string& reason) {
  bool found = false;
  for (auto& [key, job] : jobs_) {
    if (key.job_id != id) continue;
    found = true;
    KillMember(&job, reason);
  }
  if (!found)
    AVA_LOG(options_.logger, kInfo, "agent", "kill for job {} ({}), which is not on this node", id, reason);
}

void JobManager::KillMember(Job* job, const std::string& reason) {
  const JobId id = job->key.job_id;
  Refresh(job);
  if (job->phase == Phase::kEnded || job->phase == Phase::kLost || job->kill_sent) return;
  if (Status s = job->dir.WriteKill(reason.empty() ? "killed by avad" : reason); !s.ok()) {
    AVA_LOG(options_.logger, kWarn, "agent", "job {}: cannot record the kill reason: {}", id, s.ToString());
  }
  std::optional<ProcessId> sup = LiveSupervisor(job);
  Status sent = Status::NotFound("no live supervisor");
  if (job->child > 0) {
    sent = ::kill(job->child, SIGTERM) == 0 ? Status::OK() : Status::FromErrno(errno, "kill");
  } else if (sup) {
    sent = SignalProcess(*sup, SIGTERM);
  }
  if (!sent.ok()) {
    AVA_LOG(options_.logger, kWarn, "agent", "job {}: cannot signal its supervisor: {}", id, sent.ToString());
    return;
  }
  job->kill_sent = true;
  AVA_LOG(options_.logger, kInfo, "agent", "job {}: stopping ({})", id, reason);
}

Status JobManager::ShipLogs(const LogShipper& ship, uint64_t max_batch_bytes) {
  Status first_error;
  for (auto& [key, job] : jobs_) {
    const JobId id = key.job_id;
    if (job.output_drained) continue;
    Refresh(&job);  // a job that just ended has all its output in the file now: ship it this round
    const bool ended = job.phase == Phase::kEnded || job.phase == Phase::kLost;
    for (int round = 0; round < options_.max_batches_per_call; ++round) {
      Result<OutputLogBatch> batch = ReadOutputLog(job.dir.output_file(), job.shipped, max_batch_bytes);
      if (!batch.ok()) {
        AVA_LOG(options_.logger, kError, "agent",
                "job {}: its output log is damaged; the rest is not shipped: {}", id,
                batch.status().ToString());
        job.output_drained = true;
        break;
      }
      if (batch->records.empty()) {
        // After the end, nothing more will be appended; a torn tail was cut by a crash.
        if (ended) job.output_drained = true;
        break;
      }
      Status s = ship(id, CoalesceRecords(std::move(batch->records), kMaxChunk));
      if (!s.ok() && s.retryable()) {
        if (first_error.ok()) first_error = s;
        break;
      }
      if (!s.ok()) {
        AVA_LOG(options_.logger, kWarn, "agent", "job {}: avad refused a log batch; dropping it: {}", id,
                s.ToString());
      } else if (shipped_bytes_ != nullptr) {
        shipped_bytes_->Inc(batch->next_offset - job.shipped);
      }
      job.shipped = batch->next_offset;
      if (Status w = job.dir.WriteShipped(job.shipped); !w.ok()) {
        AVA_LOG(options_.logger, kWarn, "agent", "job {}: cannot save the log offset: {}", id, w.ToString());
      }
    }
    if (!first_error.ok()) break;  // avad is unreachable: try again next round
  }
  return first_error;
}

void JobManager::WatchActivity(Job* job, const std::map<pid_t, uint64_t>& cpu) {
  uint64_t ticks = 0;
  if (job->record && job->record->job.valid()) {
    auto it = cpu.find(job->record->job.pid);
    if (it != cpu.end()) ticks = it->second;
  }
  struct stat st {};
  const uint64_t bytes =
      ::stat(job->dir.output_file().c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  if (job->last_activity == Nanos(0) || ticks != job->cpu_ticks || bytes != job->output_bytes) {
    job->last_activity = options_.clock->WallNow();
  }
  job->cpu_ticks = ticks;
  job->output_bytes = bytes;
}

JobSnapshot JobManager::Poll() {
  JobSnapshot snap;
  std::map<pid_t, uint64_t> cpu;  // scanned only when a workspace runs
  bool scanned = false;
  for (auto& [key, job] : jobs_) {
    Refresh(&job);
    const int64_t pid = job.record && job.record->job.valid() ? job.record->job.pid : job.child;
    switch (job.phase) {
      case Phase::kStarting:
      case Phase::kRunning: {
        RunningJob r{key.job_id, pid, key.member, std::nullopt};
        if (job.workspace) {
          if (!scanned) cpu = CpuTicksByProcessGroup();
          scanned = true;
          WatchActivity(&job, cpu);
          r.last_activity = job.last_activity;
        }
        snap.running.push_back(r);
        job.listed_running = true;
        break;
      }
      case Phase::kEnded: {
        // A job that ran is listed as running at least once (avad records when and where it ran),
        // and until its last output is with avad, so the logs are complete when avad sees the end.
        const bool ran = job.result.exit_code.has_value() || job.result.signal.has_value();
        if (job.output_drained && (job.listed_running || !ran)) {
          snap.finished.push_back(job.result);
        } else {
          snap.running.push_back({key.job_id, pid, key.member, std::nullopt});
          job.listed_running = true;
        }
        break;
      }
      case Phase::kLost:
        if (job.output_drained) {
          snap.lost.push_back(key);
        } else {
          snap.running.push_back({key.job_id, pid, key.member, std::nullopt});
        }
        break;
    }
  }
  return snap;
}

void JobManager::Acknowledge(const std::vector<JobKey>& keys) {
  for (JobKey key : keys) {
    auto it = jobs_.find(key);
    if (it == jobs_.end()) continue;
    if (it->second.phase != Phase::kEnded && it->second.phase != Phase::kLost) continue;
    RemoveTree(it->second.dir.path(), options_.logger);
    jobs_.erase(it);
  }
}

Status JobManager::Reattach() {
  const std::string root = options_.state_dir + "/jobs";
  AVA_RETURN_IF_ERROR(MakeDirs(root, 0700));
  DIR* d = ::opendir(root.c_str());
  if (d == nullptr) return Status::FromErrno(errno, root);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);

  for (const std::string& name : names) {
    if (name == "." || name == "..") continue;
    std::optional<JobKey> key = ParseJobDirName(name);
    if (!key) {
      AVA_LOG(options_.logger, kWarn, "agent", "{}/{} is not a job directory; left alone", root, name);
      continue;
    }
    const JobId id = key->job_id;
    if (jobs_.count(*key)) continue;
    Job job{*key, JobDir(JobPath(*key))};
    job.launched = options_.clock->Now();
    Result<std::optional<LaunchPlan>> launch = job.dir.ReadLaunch();
    Result<std::optional<ExitRecord>> exit = job.dir.ReadExit();
    if ((!launch.ok() || !launch->has_value()) && !(exit.ok() && exit->has_value())) {
      // The agent stopped while preparing the job: nothing ran. avad marks it lost.
      AVA_LOG(options_.logger, kWarn, "agent", "job {} never started (no launch plan); forgetting it", id);
      RemoveTree(job.dir.path(), options_.logger);
      continue;
    }
    job.workspace = launch.ok() && launch->has_value() && (*launch)->kind == "workspace";
    Result<uint64_t> shipped = job.dir.ReadShipped();
    job.shipped = shipped.ok() ? *shipped : 0;
    job.phase = Phase::kStarting;
    Job* j = &jobs_.emplace(*key, std::move(job)).first->second;
    Refresh(j);
    AVA_LOG(options_.logger, kInfo, "agent", "re-attached job {}: {}; {} log bytes already shipped", id,
            j->phase == Phase::kEnded  ? "ended"
            : j->phase == Phase::kLost ? "lost"
                                       : "running",
            j->shipped);
  }
  return Status::OK();
}

}  // namespace ava::agent

// Scheduler: Ava's job queue over one GPU pool. Jobs (gangs) are submitted, wait in a queue that
// gives each a position and a reason, and start when Schedule() finds them a place; Release() ends
// them. It enforces quotas per user and group (in total and per GPU model), orders the queue by
// priority then fair share between groups, preempts lower-priority jobs for a higher-priority job
// that cannot otherwise start, and backfills small jobs that do not delay the first job in line.
//
//   Submit     accepts a job, or rejects it at once when it can never run: malformed
//              (InvalidArgument), a GPU model no node has (NotFound), larger than any node or the
//              whole pool (FailedPrecondition), larger than a quota (ResourceExhausted); the
//              message says why in a sentence.
//   Schedule   one pass over the queue at the injected clock's time: returns the jobs started with
//              their placements, and the jobs preempted to make room (back in the queue, with
//              their original submit time, unless requeue_preempted is off).
//   Release    a running job ended or was cancelled, or a waiting job was withdrawn.
//   Adopt      registers a job that already runs at a known placement (a caller that keeps its own
//              state, like avad, rebuilds a Scheduler from it on every pass).
//   Queue      every waiting job with its 1-based position and why it waits:
//              "needs 8 GPUs on one node; the largest free block is 6 on node n3",
//              "group cv is at its quota of 32 GPUs (holds 30, asks 4)".
//
// Queue order (SchedulerOptions::order): kPriority (default) — higher priority first, then the
// group furthest below its fair share (usage / weight), then submit time; kFifo — submit time
// only; kShortestFirst — expected runtime, unknown last. Backfill follows EASY backfilling: the
// first job that cannot start gets a reservation at the time enough running jobs are expected to
// end; a later job may start now only if it ends before that time or leaves the reservation intact.
// Jobs without a runtime estimate are assumed to run forever for this purpose. Backfill::kNone and
// kGreedy give strict queues and greedy list scheduling instead.
//
// Placement uses a sched::Policy by name ("ava" by default). Policies that need a workload profile
// (fgd, ava) use SchedulerOptions::profile, or learn one from the member shapes of the last
// profile_window submissions, refreshed as submissions grow.
//
// Deterministic: the same submissions and clock readings give the same decisions.
// Thread safety: every public method is safe to call concurrently (one internal mutex).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "gpu/inventory.h"
#include "sched/cluster.h"
#include "sched/policy.h"
#include "sched/quota.h"
#include "sched/request.h"
#include "sched/workload_profile.h"

namespace ava::sched {

enum class QueueOrder { kPriority, kFifo, kShortestFirst };

// What happens to the jobs behind the first one that cannot start:
//   kNone    nothing passes it (strict order, head-of-line blocking);
//   kEasy    a later job may start if it does not delay it (EASY backfilling);
//   kGreedy  any later job that fits starts (no reservation; large jobs may starve).
enum class Backfill { kNone, kEasy, kGreedy };

struct SchedulerOptions {
  std::string policy = "ava";                      // placement policy (policy_factory.h)
  uint64_t seed = 42;                              // for randomised policies
  std::shared_ptr<const WorkloadProfile> profile;  // fixed profile; null = learn from submissions
  int profile_window = 5000;                       // member shapes kept for learning

  QueueOrder order = QueueOrder::kPriority;
  QuotaConfig quotas;
  std::map<std::string, double> group_weights;  // fair-share weight per group (default 1)
  bool fair_share = true;
  bool preemption = true;
  Backfill backfill = Backfill::kEasy;
  bool requeue_preempted = true;
};

// A job as the queue shows it.
struct JobView {
  std::string id;
  std::string user;
  std::string group;
  int priority = 0;
  bool running = false;
  int position = 0;    // 1-based queue position while waiting; 0 while running
  std::string reason;  // why it waits (empty while running)
  Nanos submitted{0};
  Nanos started{0};
  GangPlacement placement;  // while running
  int preemptions = 0;      // times this job was preempted
};

struct ScheduleResult {
  struct Started {
    std::string id;
    GangPlacement placement;
  };
  std::vector<Started> started;
  std::vector<std::string> preempted;
  std::vector<std::string> preempted_for;  // preempted_for[i]: the job preempted[i] made room for
};

class Scheduler {
 public:
  // `clock` must outlive the scheduler; `logger` and `metrics` may be null.
  static Result<std::unique_ptr<Scheduler>> Create(const gpu::Inventory& inventory, SchedulerOptions options,
                                                   Clock* clock, Logger* logger = nullptr,
                                                   MetricsRegistry* metrics = nullptr);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  Status Submit(Gang gang) EXCLUDES(mu_);
  // Submit with the time the job was first submitted (monotonic clock of the caller's choosing, as
  // long as it is the same for all jobs); the queue orders ties by it.
  Status Submit(Gang gang, Nanos submitted) EXCLUDES(mu_);
  // A job that is already running at `placement` (one Placement per member; node indices of this
  // pool's Cluster). Members with node < 0 run on a node that is not in the pool (down): they
  // hold nothing here and are not charged to quotas. Fails if a placement does not fit the pool.
  Status Adopt(Gang gang, GangPlacement placement, Nanos submitted, Nanos started) EXCLUDES(mu_);
  ScheduleResult Schedule() EXCLUDES(mu_);
  Status Release(std::string_view id) EXCLUDES(mu_);

  // Waiting jobs in queue order, as of the last Schedule() (new submissions at the end).
  std::vector<JobView> Queue() const EXCLUDES(mu_);
  std::vector<JobView> Running() const EXCLUDES(mu_);
  std::optional<JobView> Job(std::string_view id) const EXCLUDES(mu_);
  // A copy of the pool's current state.
  Cluster Snapshot() const EXCLUDES(mu_);
  int64_t GroupUsage(const std::string& group) const EXCLUDES(mu_);

 private:
  struct Record {
    Gang gang;
    std::vector<Demand> demands;
    uint64_t seq = 0;
    Nanos submitted{0};
    bool running = false;
    Nanos started{0};
    GangPlacement placement;
    int position = 0;
    std::string reason;
    int preemptions = 0;
  };
  // The first job that could not start in this pass, and when it is expected to.
  struct Reservation {
    const Record* head = nullptr;
    bool finite = false;
    Nanos at{0};
    Cluster shadow;  // the pool when the head can start (all releases up to `at`)
  };

  Scheduler(Cluster cluster, SchedulerOptions options, Clock* clock, Logger* logger,
            MetricsRegistry* metrics);

  void MaybeRefreshPolicy() REQUIRES(mu_);
  std::vector<Record*> Ordered() REQUIRES(mu_);
  void Start(Record& r, GangPlacement placement, Nanos now) REQUIRES(mu_);
  void Stop(Record& r) REQUIRES(mu_);
  // Running jobs whose eviction lets `r` start, lowest priority and latest start first; empty
  // when none suffices.
  std::vector<Record*> FindVictims(const Record& r, const std::vector<Demand>& demands) REQUIRES(mu_);
  Reservation Reserve(const Record& head, const std::vector<Demand>& demands, Nanos now) REQUIRES(mu_);
  bool DelaysHead(Reservation& res, const Record& candidate, const GangPlacement& placement, Nanos now)
      REQUIRES(mu_);
  JobView View(const Record& r) const REQUIRES(mu_);
  void UpdateGauges() REQUIRES(mu_);

  Clock* const clock_;
  Logger* const logger_;
  const SchedulerOptions options_;
  const Cluster empty_;  // the pool with nothing running, for never-fits checks

  // Lock order: mu_ is the only lock.
  mutable std::mutex mu_;
  Cluster cluster_ GUARDED_BY(mu_);
  QuotaBook quotas_ GUARDED_BY(mu_);
  std::unique_ptr<Policy> policy_ GUARDED_BY(mu_);
  std::map<std::string, Record, std::less<>> jobs_ GUARDED_BY(mu_);
  // The waiting subset of jobs_ (pointers into it: map nodes do not move), so a pass over the
  // queue does not walk the running jobs.
  std::set<Record*> waiting_ GUARDED_BY(mu_);
  uint64_t next_seq_ GUARDED_BY(mu_) = 0;
  std::deque<WorkloadShape> samples_ GUARDED_BY(mu_);
  size_t samples_since_profile_ GUARDED_BY(mu_) = 0;
  size_t profile_size_ GUARDED_BY(mu_) = 0;

  Gauge* queue_length_ = nullptr;
  Gauge* running_jobs_ = nullptr;
  Gauge* allocated_milli_ = nullptr;
  Counter* started_total_ = nullptr;
  Counter* preempted_total_ = nullptr;
  Counter* rejected_total_ = nullptr;
};

}  // namespace ava::sched

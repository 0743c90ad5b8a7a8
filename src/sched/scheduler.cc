#include "sched/scheduler.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "common/units.h"
#include "sched/fit_explainer.h"
#include "sched/gang_placer.h"
#include "sched/policy_factory.h"

namespace ava::sched {
namespace {

constexpr Nanos kForever = Nanos::max();

bool NeedsProfile(std::string_view policy) { return policy == "fgd" || policy == "ava"; }

// A placeholder profile until submissions teach a real one: single whole GPUs.
std::shared_ptr<const WorkloadProfile> StarterProfile(const Cluster& c) {
  WorkloadShape s;
  s.gpus = 1;
  s.milli = 1000;
  Result<WorkloadProfile> p = WorkloadProfile::Build({s}, c, 100);
  return std::make_shared<const WorkloadProfile>(std::move(p).value());
}

std::string ModelsString(const Request& r) {
  std::string out;
  for (const std::string& m : r.gpu_models) out += (out.empty() ? "" : "|") + m;
  return out;
}

Nanos ExpectedEnd(Nanos started, Nanos runtime) {
  if (runtime.count() <= 0) return kForever;
  return started + runtime;
}

std::string FormatIn(Nanos d) {
  if (d == kForever) return "when running jobs without a runtime estimate end";
  return fmt::format("in about {}", FormatDuration(d));
}

}  // namespace

Result<std::unique_ptr<Scheduler>> Scheduler::Create(const gpu::Inventory& inventory,
                                                     SchedulerOptions options, Clock* clock, Logger* logger,
                                                     MetricsRegistry* metrics) {
  if (clock == nullptr) return Status::InvalidArgument("the scheduler needs a clock");
  AVA_ASSIGN_OR_RETURN(Cluster cluster, Cluster::Build(inventory));
  for (const auto& [group, weight] : options.group_weights) {
    if (!(weight > 0))
      return Status::InvalidArgument(
          fmt::format("group {} has fair-share weight {}; it must be > 0", group, weight));
  }
  PolicyOptions po;
  po.seed = options.seed;
  po.profile = options.profile != nullptr ? options.profile : StarterProfile(cluster);
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<Policy> policy, MakePolicy(options.policy, po));
  std::unique_ptr<Scheduler> s(new Scheduler(std::move(cluster), std::move(options), clock, logger, metrics));
  std::lock_guard<std::mutex> lock(s->mu_);
  s->policy_ = std::move(policy);
  return s;
}

Scheduler::Scheduler(Cluster cluster, SchedulerOptions options, Clock* clock, Logger* logger,
                     MetricsRegistry* metrics)
    : clock_(clock),
      logger_(logger),
      options_(std::move(options)),
      empty_(cluster),
      cluster_(std::move(cluster)),
      quotas_(options_.quotas) {
  if (metrics != nullptr) {
    queue_length_ = &metrics->GetGauge("ava_sched_queue_length", "Jobs waiting in the queue");
    running_jobs_ = &metrics->GetGauge("ava_sched_running_jobs", "Jobs running");
    allocated_milli_ =
        &metrics->GetGauge("ava_sched_allocated_gpu_milli", "Milli-GPUs allocated to running jobs");
    started_total_ = &metrics->GetCounter("ava_sched_started_total", "Jobs started");
    preempted_total_ =
        &metrics->GetCounter("ava_sched_preempted_total", "Jobs preempted by higher-priority jobs");
    rejected_total_ = &metrics->GetCounter("ava_sched_rejected_total", "Jobs rejected at submission");
  }
}

Scheduler::~Scheduler() = default;

Status Scheduler::Submit(Gang gang) { return Submit(std::move(gang), clock_->Now()); }

Status Scheduler::Adopt(Gang gang, GangPlacement placement, Nanos submitted, Nanos started) {
  std::lock_guard<std::mutex> lock(mu_);
  if (jobs_.count(gang.id) != 0) return Status::AlreadyExists(fmt::format("job {} already exists", gang.id));
  if (placement.size() != gang.members.size()) {
    return Status::InvalidArgument(
        fmt::format("job {}: {} placements for {} members", gang.id, placement.size(), gang.members.size()));
  }
  GangPlacement held;
  for (const Placement& p : placement) {
    if (p.node < 0) continue;
    if (p.node >= cluster_.node_count()) {
      ReleaseGang(cluster_, held).IgnoreError();
      return Status::InvalidArgument(
          fmt::format("job {}: node index {} is not in the pool", gang.id, p.node));
    }
    Status s = cluster_.Allocate(p);
    if (!s.ok()) {
      ReleaseGang(cluster_, held).IgnoreError();
      return s.Annotate(fmt::format("job {} on node {}", gang.id, cluster_.node(p.node).name));
    }
    held.push_back(p);
  }
  Record r;
  for (const Request& m : gang.members) {
    if (Result<Demand> d = cluster_.Resolve(m); d.ok()) r.demands.push_back(*d);
  }
  r.seq = next_seq_++;
  r.submitted = submitted;
  r.gang = std::move(gang);
  const std::string id = r.gang.id;
  auto [it, inserted] = jobs_.emplace(id, std::move(r));
  Start(it->second, std::move(held), started);
  UpdateGauges();
  return Status::OK();
}

Status Scheduler::Submit(Gang gang, Nanos submitted) {
  std::lock_guard<std::mutex> lock(mu_);
  auto reject = [&](Status s) {
    if (rejected_total_ != nullptr) rejected_total_->Inc();
    AVA_LOG(logger_, kInfo, "sched", "rejected job {}: {}", gang.id, s.message());
    return s;
  };
  Status valid = gang.Validate();
  if (!valid.ok()) return reject(valid);
  if (jobs_.count(gang.id) != 0)
    return reject(Status::AlreadyExists(fmt::format("job {} already exists", gang.id)));
  Record r;
  for (const Request& m : gang.members) {
    Result<Demand> d = cluster_.Resolve(m);
    if (!d.ok()) return reject(d.status().Annotate(fmt::format("job {}", gang.id)));
    r.demands.push_back(*d);
  }
  if (std::optional<std::string> never = ExplainNeverFits(empty_, r.demands)) {
    return reject(Status::FailedPrecondition(fmt::format("job {} can never run here: {}", gang.id, *never)));
  }
  Status ever = quotas_.CheckEver(gang.user, gang.group, gang.total_gpu_milli());
  if (!ever.ok()) return reject(ever.Annotate(fmt::format("job {}", gang.id)));

  for (const Request& m : gang.members) {
    WorkloadShape s;
    s.cpu_milli = m.cpu_milli;
    s.gpus = m.gpus;
    s.milli = m.gpus > 0 ? m.gpu_milli : 0;
    s.gpu_models = m.gpus > 0 ? ModelsString(m) : std::string();
    s.memory_bytes = m.memory_bytes;
    samples_.push_back(std::move(s));
    if (static_cast<int>(samples_.size()) > options_.profile_window) samples_.pop_front();
    ++samples_since_profile_;
  }
  r.seq = next_seq_++;
  r.submitted = submitted;
  r.reason = "submitted; waiting for the next scheduling pass";
  r.position = static_cast<int>(waiting_.size()) + 1;
  r.gang = std::move(gang);
  const std::string id = r.gang.id;
  auto [it, inserted] = jobs_.emplace(id, std::move(r));
  waiting_.insert(&it->second);
  UpdateGauges();
  return Status::OK();
}

void Scheduler::MaybeRefreshPolicy() {
  if (options_.profile != nullptr || !NeedsProfile(options_.policy) || samples_.empty()) return;
  // Refresh when the samples grew by a quarter since the last profile (at least 16), so the
  // profile follows the workload without rebuilding on every submission.
  if (samples_since_profile_ < std::max<size_t>(16, profile_size_ / 4) && profile_size_ != 0) return;
  std::vector<WorkloadShape> samples(samples_.begin(), samples_.end());
  Result<WorkloadProfile> profile = WorkloadProfile::Build(samples, cluster_, 95);
  if (!profile.ok()) return;
  PolicyOptions po;
  po.seed = options_.seed;
  po.profile = std::make_shared<const WorkloadProfile>(std::move(profile).value());
  Result<std::unique_ptr<Policy>> policy = MakePolicy(options_.policy, po);
  if (!policy.ok()) return;
  policy_ = std::move(policy).value();
  profile_size_ = samples.size();
  samples_since_profile_ = 0;
}

std::vector<Scheduler::Record*> Scheduler::Ordered() {
  std::vector<Record*> out(waiting_.begin(), waiting_.end());
  auto share = [&](const Record* r) {
    auto w = options_.group_weights.find(r->gang.group);
    const double weight = w == options_.group_weights.end() ? 1.0 : w->second;
    return static_cast<double>(quotas_.GroupUsage(r->gang.group)) / weight;
  };
  std::map<const Record*, double> shares;
  if (options_.order == QueueOrder::kPriority && options_.fair_share) {
    for (const Record* r : out) shares[r] = share(r);
  }
  std::stable_sort(out.begin(), out.end(), [&](const Record* a, const Record* b) {
    switch (options_.order) {
      case QueueOrder::kFifo:
        break;
      case QueueOrder::kShortestFirst: {
        const Nanos ra = a->gang.expected_runtime.count() > 0 ? a->gang.expected_runtime : kForever;
        const Nanos rb = b->gang.expected_runtime.count() > 0 ? b->gang.expected_runtime : kForever;
        if (ra != rb) return ra < rb;
        break;
      }
      case QueueOrder::kPriority:
        if (a->gang.priority != b->gang.priority) return a->gang.priority > b->gang.priority;
        if (options_.fair_share && shares[a] != shares[b]) return shares[a] < shares[b];
        break;
    }
    if (a->submitted != b->submitted) return a->submitted < b->submitted;
    return a->seq < b->seq;
  });
  return out;
}

void Scheduler::Start(Record& r, GangPlacement placement, Nanos now) {
  for (const Placement& p : placement) {
    const Cluster::Node& node = cluster_.node(p.node);
    if (p.gpu_mask != 0) {
      quotas_.Charge(r.gang.user, r.gang.group, cluster_.models()[node.model],
                     static_cast<int64_t>(p.gpu_milli) * p.gpu_count());
    }
  }
  r.running = true;
  waiting_.erase(&r);
  r.started = now;
  r.placement = std::move(placement);
  r.position = 0;
  r.reason.clear();
  if (started_total_ != nullptr) started_total_->Inc();
}

void Scheduler::Stop(Record& r) {
  for (const Placement& p : r.placement) {
    if (p.gpu_mask != 0) {
      quotas_.Refund(r.gang.user, r.gang.group, cluster_.models()[cluster_.node(p.node).model],
                     static_cast<int64_t>(p.gpu_milli) * p.gpu_count());
    }
  }
  ReleaseGang(cluster_, r.placement).IgnoreError();  // placements were allocated by Start
  r.running = false;
  r.placement.clear();
  waiting_.insert(&r);
}

std::vector<Scheduler::Record*> Scheduler::FindVictims(const Record& r, const std::vector<Demand>& demands) {
  std::vector<Record*> candidates;
  for (auto& [id, other] : jobs_) {
    if (other.running && other.gang.priority < r.gang.priority) candidates.push_back(&other);
  }
  if (candidates.empty()) return {};
  std::stable_sort(candidates.begin(), candidates.end(), [](const Record* a, const Record* b) {
    if (a->gang.priority != b->gang.priority) return a->gang.priority < b->gang.priority;
    return a->started > b->started;  // the latest started loses the least work
  });
  auto fits = [&](const Cluster& c) {
    Cluster trial = c;
    return PlaceGang(trial, *policy_, demands).has_value();
  };
  Cluster trial = cluster_;
  std::vector<Record*> victims;
  for (Record* v : candidates) {
    ReleaseGang(trial, v->placement).IgnoreError();
    victims.push_back(v);
    if (fits(trial)) break;
  }
  if (!fits(trial)) return {};
  // Spare the victims that turn out not to be needed, most valuable first.
  for (size_t i = 0; i < victims.size();) {
    Cluster with = trial;
    bool restored = true;
    for (const Placement& p : victims[i]->placement) restored &= with.Allocate(p).ok();
    if (restored && fits(with)) {
      trial = std::move(with);
      victims.erase(victims.begin() + static_cast<long>(i));
    } else {
      ++i;
    }
  }
  return victims;
}

Scheduler::Reservation Scheduler::Reserve(const Record& head, const std::vector<Demand>& demands, Nanos now) {
  Reservation res;
  res.head = &head;
  std::vector<const Record*> running;
  for (const auto& [id, r] : jobs_) {
    if (r.running) running.push_back(&r);
  }
  std::stable_sort(running.begin(), running.end(), [](const Record* a, const Record* b) {
    return ExpectedEnd(a->started, a->gang.expected_runtime) <
           ExpectedEnd(b->started, b->gang.expected_runtime);
  });
  auto released = [&](size_t k) {
    Cluster c = cluster_;
    for (size_t i = 0; i < k; ++i) ReleaseGang(c, running[i]->placement).IgnoreError();
    return c;
  };
  auto fits = [&](Cluster c) { return PlaceGang(c, *policy_, demands).has_value(); };
  // Releasing more never hurts, so binary-search the shortest prefix of ends after which it fits.
  size_t lo = 0, hi = running.size();
  if (!fits(released(hi))) {
    res.finite = false;
    res.shadow = released(hi);
    return res;
  }
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (fits(released(mid))) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  res.shadow = released(lo);
  const Nanos at =
      lo == 0 ? now : ExpectedEnd(running[lo - 1]->started, running[lo - 1]->gang.expected_runtime);
  res.finite = at != kForever;
  res.at = at;
  return res;
}

bool Scheduler::DelaysHead(Reservation& res, const Record& candidate, const GangPlacement& placement,
                           Nanos now) {
  const Nanos runtime = candidate.gang.expected_runtime;
  if (res.finite && runtime.count() > 0 && now + runtime <= res.at) return false;
  // It would still run when the head is due: the head must fit beside it.
  Cluster with = res.shadow;
  for (const Placement& p : placement) {
    if (!with.Allocate(p).ok()) return true;
  }
  std::vector<Demand> head_demands = res.head->demands;
  if (PlaceGang(with, *policy_, head_demands).has_value()) {
    // Keep the candidate in the shadow so later candidates see it too.
    for (const Placement& p : placement) res.shadow.Allocate(p).IgnoreError();
    return false;
  }
  return true;
}

ScheduleResult Scheduler::Schedule() {
  std::lock_guard<std::mutex> lock(mu_);
  MaybeRefreshPolicy();
  const Nanos now = clock_->Now();
  ScheduleResult result;
  std::vector<Record*> order = Ordered();
  std::optional<Reservation> reservation;
  const Record* blocker = nullptr;  // FIFO without backfill: nothing passes the first blocked job
  for (Record* r : order) {
    if (r->running) continue;  // started earlier in this pass (cannot happen) or preempted-and-restarted
    const int64_t total = r->gang.total_gpu_milli();
    Status quota = quotas_.Check(r->gang.user, r->gang.group, total);
    if (!quota.ok()) {
      r->reason = quota.message();
      continue;
    }
    if (blocker != nullptr) {
      r->reason = fmt::format("behind job {}, first in line ({})", blocker->gang.id, blocker->reason);
      continue;
    }
    std::string model_quota;
    const uint64_t allowed =
        quotas_.AllowedModels(cluster_, r->gang.user, r->gang.group, total, &model_quota);
    std::vector<Demand> demands = r->demands;
    for (Demand& d : demands) {
      if (d.gpus > 0) d.model_mask &= allowed;
    }
    std::optional<GangPlacement> placed = PlaceGang(cluster_, *policy_, demands);
    if (placed.has_value() && reservation.has_value() && DelaysHead(*reservation, *r, *placed, now)) {
      ReleaseGang(cluster_, *placed).IgnoreError();
      r->reason =
          fmt::format("would delay job {}, first in line, expected to start {}", reservation->head->gang.id,
                      FormatIn(reservation->finite ? reservation->at - now : kForever));
      continue;
    }
    if (!placed.has_value() && options_.preemption && !reservation.has_value()) {
      std::vector<Record*> victims = FindVictims(*r, demands);
      if (!victims.empty()) {
        for (Record* v : victims) {
          AVA_LOG(logger_, kInfo, "sched", "preempting job {} (priority {}) for job {} (priority {})",
                  v->gang.id, v->gang.priority, r->gang.id, r->gang.priority);
          Stop(*v);
          ++v->preemptions;
          v->reason = fmt::format("preempted by job {}", r->gang.id);
          result.preempted.push_back(v->gang.id);
          result.preempted_for.push_back(r->gang.id);
          if (preempted_total_ != nullptr) preempted_total_->Inc();
        }
        placed = PlaceGang(cluster_, *policy_, demands);
      }
    }
    if (placed.has_value()) {
      Start(*r, std::move(*placed), now);
      result.started.push_back({r->gang.id, r->placement});
      continue;
    }
    // It cannot start: say why; the first such job holds the line.
    bool model_quota_only = false;
    if (allowed != kAnyModel) {
      Cluster trial = cluster_;
      model_quota_only = PlaceGang(trial, *policy_, r->demands).has_value();
    }
    if (model_quota_only) {
      r->reason = model_quota;  // blocked by its quota, not by the pool: it does not hold the line
      continue;
    }
    r->reason = ExplainWaiting(cluster_, demands);
    if (options_.backfill == Backfill::kNone) {
      blocker = r;
    } else if (options_.backfill == Backfill::kEasy && !reservation.has_value()) {
      reservation = Reserve(*r, demands, now);
      r->reason += fmt::format("; expected to start {}",
                               FormatIn(reservation->finite ? reservation->at - now : kForever));
    }
  }
  // Drop the preempted jobs that should not come back.
  if (!options_.requeue_preempted) {
    for (const std::string& id : result.preempted) {
      auto it = jobs_.find(id);
      waiting_.erase(&it->second);
      jobs_.erase(it);
    }
  }
  int position = 1;
  for (Record* r : Ordered()) r->position = position++;
  UpdateGauges();
  return result;
}

Status Scheduler::Release(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return Status::NotFound(fmt::format("no job {}", id));
  if (it->second.running) Stop(it->second);
  waiting_.erase(&it->second);
  jobs_.erase(it);
  UpdateGauges();
  return Status::OK();
}

JobView Scheduler::View(const Record& r) const {
  JobView v;
  v.id = r.gang.id;
  v.user = r.gang.user;
  v.group = r.gang.group;
  v.priority = r.gang.priority;
  v.running = r.running;
  v.position = r.running ? 0 : r.position;
  v.reason = r.running ? "" : r.reason;
  v.submitted = r.submitted;
  v.started = r.started;
  v.placement = r.placement;
  v.preemptions = r.preemptions;
  return v;
}

std::vector<JobView> Scheduler::Queue() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobView> out;
  for (const Record* r : waiting_) out.push_back(View(*r));
  std::sort(out.begin(), out.end(), [](const JobView& a, const JobView& b) {
    if (a.position != b.position) return a.position < b.position;
    if (a.submitted != b.submitted) return a.submitted < b.submitted;
    return a.id < b.id;
  });
  return out;
}

std::vector<JobView> Scheduler::Running() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobView> out;
  for (const auto& [id, r] : jobs_) {
    if (r.running) out.push_back(View(r));
  }
  return out;
}

std::optional<JobView> Scheduler::Job(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return View(it->second);
}

Cluster Scheduler::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cluster_;
}

int64_t Scheduler::GroupUsage(const std::string& group) const {
  std::lock_guard<std::mutex> lock(mu_);
  return quotas_.GroupUsage(group);
}

void Scheduler::UpdateGauges() {
  if (queue_length_ == nullptr) return;
  queue_length_->Set(static_cast<int64_t>(waiting_.size()));
  running_jobs_->Set(static_cast<int64_t>(jobs_.size() - waiting_.size()));
  allocated_milli_->Set(cluster_.allocated_gpu_milli());
}

}  // namespace ava::sched

// ava-sim: trace-driven simulator for Ava's GPU scheduler. See --help.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/units.h"
#include "gpu/inventory_file.h"
#include "sched/policy_factory.h"
#include "sim/job_replay.h"
#include "sim/openb_grid.h"
#include "sim/trace_paths.h"

namespace ava::sim {
namespace {

constexpr char kHelp[] = R"(ava-sim — trace-driven simulator for Ava's GPU scheduler

USAGE
  ava-sim [openb] [OPTIONS]     fill the Alibaba 2023 "openb" cluster pod by pod (FGD protocol)
  ava-sim jobs [OPTIONS]        job-level replay with arrivals, durations and quotas
  ava-sim --help                this text

Both modes print a table on stdout and, with --csv, write every number behind it to a CSV file.
Traces are read from ../shared/traces (see --trace-dir); nothing is copied into the repository.

OPENB MODE
  Replays the experiment of Weng et al., "Beware of Fragmentation" (USENIX ATC'23) exactly as
  ../shared/traces/fgd-expected-results/PROTOCOL.md describes it: the 1,213 GPU nodes of the
  trace, pods in a seeded Go math/rand order topped up with random copies until the requested
  GPUs reach --tune × capacity, every pod placed once and never released, a pod that fits
  nowhere lost. After each arrival it records the GPU allocation ratio and the fragmentation;
  the table shows them at a few arrival points, averaged over the seeds (± sample sd).

  --workloads LIST   pod lists to replay, comma separated, by the part of the file name after
                     openb_pod_list_ (default, cpu050, gpushare40, gpuspec33, multigpu50, …), or
                     "published" for the 17 of the published results. Default: default.
  --policies LIST    placement policies, comma separated. Default:
                     random,dot-product,gpu-clustering,gpu-packing,best-fit,fgd,ava
                     Known: first-fit, best-fit, spread, dot-product, gpu-packing, gpu-clustering,
                     random, topology, fgd, ava.
  --seeds LIST       seeds, comma separated, with ranges: 42,43 or 42-51. Default: 42.
  --tune X           stop adding pods when requested GPUs reach X × capacity. Default: 1.3.
  --points LIST      arrival percentages shown as table columns. Default: 90,100,110,130.
  --validate         for the six published policies (random … fgd), compare every run with its
                     published row, cell by cell, and print how many rows match exactly and the
                     largest difference. Deterministic policies must match exactly; random
                     cannot (the published runs depended on goroutine timing), so compare its
                     seed mean. Exit status 3 when a deterministic row differs.
  --threads N        runs in parallel. Default: 1.

JOBS MODE
  Replays jobs that arrive, wait in Ava's queue and run for a while on a pool, and reports
  average and p95 job completion time, queueing delay and GPU utilisation per queue policy.
  Arrivals follow the Helios Venus trace (GPU jobs and GPUs per 10 minutes), runtimes are drawn
  from the Philly runtimes, groups and their quotas come from the Venus virtual clusters. The
  queue policies share one placement policy and the same quotas:
    fifo   submit order; nothing passes a job that cannot start
    sjf    shortest runtime first (the true runtime, an oracle); any job that fits starts
    ava    Ava's queue: priority, fair share between groups, EASY backfill, preemption
  See docs/scheduler.md for exactly how the jobs are derived.

  --pool FILE        inventory file of the pool (YAML/JSON). Default: one 8 × V100 node per
                     Venus VC node (135 nodes, 1,080 GPUs), the size of the cluster the arrivals
                     come from.
  --queues LIST      queue policies, comma separated: fifo, sjf, ava. Default: fifo,sjf,ava.
  --days N           days of arrivals to replay. Default: 7.
  --start DATE       first day of the Venus arrival series (2020-04-01 … 2020-09-28).
                     Default: 2020-07-01.
  --load X           scale every runtime by one factor so the offered GPU-time is X × the pool's
                     GPU-time over the replayed days; 0 keeps the Philly runtimes as drawn.
                     Default: 0.9. Utilisation is measured over the same days; it stays below
                     the offered load because long jobs run on after the last arrival.
  --quota-scale X    each group's GPU quota is its VC's share of the pool × X, so with X > 1 a
                     group may borrow GPUs the others leave idle (as capacity schedulers allow);
                     1 partitions the pool exactly; 0 turns quotas off. Default: 2.
  --placement NAME   node/GPU placement policy used by every queue policy. Default: ava.
  --seed N           seed for drawing durations, sizes and groups. Default: 42.

COMMON OPTIONS
  --trace-dir DIR    the traces folder (holding alibaba-gpu-v2023/, fgd-expected-results/,
                     helios-derived/, philly-derived/). Default: $AVA_TRACE_DIR, else
                     $AVA_SOURCE_DIR/../shared/traces, else ../shared/traces beside the source tree.
  --csv FILE         also write the results as CSV to FILE.
  --quiet            no progress lines on stderr.

EXIT STATUS
  0 success; 1 bad usage; 2 a trace or run failed; 3 --validate found a difference.

EXAMPLES
  ava-sim --seeds 42-51 --validate
  ava-sim --workloads published --seeds 42-51 --threads 2 --csv fgd-grid.csv
  ava-sim jobs --days 14 --csv jobs.csv
)";

struct Flags {
  std::string mode = "openb";
  std::map<std::string, std::string> values;
  bool validate = false;
  bool quiet = false;
};

// Flags that take no value.
bool IsSwitch(std::string_view name) { return name == "validate" || name == "quiet" || name == "help"; }

Result<Flags> ParseFlags(int argc, char** argv) {
  Flags f;
  int i = 1;
  if (i < argc && argv[i][0] != '-') f.mode = argv[i++];
  if (f.mode != "openb" && f.mode != "jobs") {
    return Status::InvalidArgument(fmt::format("unknown mode '{}' (openb or jobs)", f.mode));
  }
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--")
      return Status::InvalidArgument(fmt::format("unexpected argument '{}'", arg));
    arg.remove_prefix(2);
    std::string name(arg), value;
    const size_t eq = arg.find('=');
    if (eq != std::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else if (!IsSwitch(name)) {
      if (i + 1 >= argc) return Status::InvalidArgument(fmt::format("--{} needs a value", name));
      value = argv[++i];
    }
    if (name == "validate") {
      f.validate = true;
    } else if (name == "quiet") {
      f.quiet = true;
    } else {
      f.values[name] = value;
    }
  }
  return f;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Result<std::vector<int64_t>> ParseSeeds(const std::string& s) {
  std::vector<int64_t> out;
  for (const std::string& part : SplitList(s)) {
    char* end = nullptr;
    const long long a = std::strtoll(part.c_str(), &end, 10);
    if (end == part.c_str()) return Status::InvalidArgument(fmt::format("bad seed '{}'", part));
    if (*end == '\0') {
      out.push_back(a);
      continue;
    }
    if (*end != '-') return Status::InvalidArgument(fmt::format("bad seed '{}'", part));
    char* end2 = nullptr;
    const long long b = std::strtoll(end + 1, &end2, 10);
    if (*end2 != '\0' || b < a || b - a > 100000)
      return Status::InvalidArgument(fmt::format("bad seed range '{}'", part));
    for (long long v = a; v <= b; ++v) out.push_back(v);
  }
  if (out.empty()) return Status::InvalidArgument("no seeds");
  return out;
}

Result<double> ParseNumber(const Flags& f, const std::string& name, double fallback) {
  auto it = f.values.find(name);
  if (it == f.values.end()) return fallback;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  if (it->second.empty() || *end != '\0' || !std::isfinite(v)) {
    return Status::InvalidArgument(fmt::format("--{}: '{}' is not a number", name, it->second));
  }
  return v;
}

std::string Get(const Flags& f, const std::string& name, const std::string& fallback) {
  auto it = f.values.find(name);
  return it == f.values.end() ? fallback : it->second;
}

struct Stat {
  double mean = 0, sd = 0;
  int n = 0;
};

Stat MeanSd(const std::vector<double>& v) {
  Stat s;
  s.n = static_cast<int>(v.size());
  if (v.empty()) return s;
  for (double x : v) s.mean += x;
  s.mean /= s.n;
  if (s.n > 1) {
    for (double x : v) s.sd += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(s.sd / (s.n - 1));
  }
  return s;
}

std::string FormatStat(const Stat& s) {
  if (s.n == 0) return "-";
  if (s.n == 1) return fmt::format("{:.2f}", s.mean);
  return fmt::format("{:.2f}±{:.2f}", s.mean, s.sd);
}

int RunOpenb(const Flags& flags, const std::string& trace_dir) {
  OpenbGridOptions o;
  o.trace_dir = trace_dir;
  const std::string workloads = Get(flags, "workloads", "default");
  o.workloads = workloads == "published" ? PublishedWorkloads() : SplitList(workloads);
  o.policies =
      SplitList(Get(flags, "policies", "random,dot-product,gpu-clustering,gpu-packing,best-fit,fgd,ava"));
  for (const std::string& p : o.policies) {
    bool known = false;
    for (std::string_view n : sched::PolicyNames()) known |= n == p;
    if (!known) {
      fmt::print(stderr, "ava-sim: unknown policy '{}' (known: {})\n", p,
                 fmt::join(sched::PolicyNames(), ", "));
      return 1;
    }
  }
  Result<std::vector<int64_t>> seeds = ParseSeeds(Get(flags, "seeds", "42"));
  Result<double> tune = ParseNumber(flags, "tune", 1.3);
  Result<double> threads = ParseNumber(flags, "threads", 1);
  std::vector<int> points;
  for (const std::string& p : SplitList(Get(flags, "points", "90,100,110,130"))) {
    const int v = std::atoi(p.c_str());
    if (v < 0 || v >= kCurvePoints || std::to_string(v) != p) {
      fmt::print(stderr, "ava-sim: --points: '{}' is not a percentage 0..130\n", p);
      return 1;
    }
    points.push_back(v);
  }
  for (const Status& s : {seeds.status(), tune.status(), threads.status()}) {
    if (!s.ok()) {
      fmt::print(stderr, "ava-sim: {}\n", s.message());
      return 1;
    }
  }
  o.seeds = *seeds;
  o.tune = *tune;
  o.threads = static_cast<int>(*threads);
  o.compare = true;
  if (o.tune <= 0 || o.threads < 1) {
    fmt::print(stderr, "ava-sim: --tune must be > 0 and --threads >= 1\n");
    return 1;
  }
  Result<std::vector<OpenbRunSummary>> runs =
      RunOpenbGrid(o, [&](const OpenbRunSummary& s, size_t done, size_t total) {
        if (flags.quiet) return;
        fmt::print(stderr, "[{}/{}] {} {} seed {}: alloc@100 {:.2f}, {} arrivals, {} lost, {:.1f} s\n", done,
                   total, s.workload, s.policy, s.seed, s.curves.alloc.value[100], s.arrivals, s.failed,
                   s.seconds);
      });
  if (!runs.ok()) {
    fmt::print(stderr, "ava-sim: {}\n", runs.status().ToString());
    return 2;
  }

  // Table: one block per workload, one line per policy.
  bool differs = false;
  for (const std::string& w : o.workloads) {
    fmt::print("\nworkload {}  (seeds {}, tune {})\n", w,
               o.seeds.size() == 1
                   ? fmt::format("{}", o.seeds[0])
                   : fmt::format("{}..{} ×{}", o.seeds.front(), o.seeds.back(), o.seeds.size()),
               o.tune);
    std::string header = fmt::format("{:<16}", "policy");
    for (int p : points) header += fmt::format(" {:>13}", fmt::format("alloc@{}", p));
    header += fmt::format(" {:>13} {:>13} {:>9}", "frag/tot@100", "frag/idle@100", "lost");
    if (flags.validate) header += fmt::format(" {:>13} {:>12}", "published@100", "exact rows");
    fmt::print("{}\n", header);
    std::map<std::string, double> mean100;
    for (const std::string& p : o.policies) {
      std::map<int, std::vector<double>> alloc;
      std::vector<double> frag, ratio, lost, published;
      int exact = 0, compared = 0;
      double worst = 0;
      for (const OpenbRunSummary& s : *runs) {
        if (s.workload != w || s.policy != p) continue;
        for (int x : points) {
          if (s.curves.alloc.present[x]) alloc[x].push_back(s.curves.alloc.value[x]);
        }
        frag.push_back(s.curves.frag.value[100]);
        ratio.push_back(s.curves.frag_ratio.value[100]);
        lost.push_back(static_cast<double>(s.failed));
        if (s.alloc.available) {
          ++compared;
          exact += s.alloc.mismatched == 0 && s.frag.mismatched == 0 && s.frag_ratio.mismatched == 0;
          worst = std::max({worst, s.alloc.max_abs_diff, s.frag.max_abs_diff, s.frag_ratio.max_abs_diff});
        }
      }
      std::string line = fmt::format("{:<16}", p);
      for (int x : points) line += fmt::format(" {:>13}", FormatStat(MeanSd(alloc[x])));
      line += fmt::format(" {:>13} {:>13} {:>9.0f}", FormatStat(MeanSd(frag)), FormatStat(MeanSd(ratio)),
                          MeanSd(lost).mean);
      mean100[p] = MeanSd(alloc[100]).mean;
      if (flags.validate) {
        std::string pub = "-";
        if (compared > 0) {
          // Published mean at 100 % over the same seeds.
          std::vector<double> v;
          Result<FgdReference> ref = FgdReference::Load(trace_dir + "/fgd-expected-results");
          if (ref.ok()) {
            for (int64_t seed : o.seeds) {
              const Curve* c = ref->Find(CurveKind::kAlloc, "openb_pod_list_" + w, ReferenceLabel(p), seed);
              if (c != nullptr && c->present[100]) v.push_back(c->value[100]);
            }
          }
          pub = FormatStat(MeanSd(v));
        }
        line += fmt::format(" {:>13} {:>12}", pub,
                            compared > 0 ? fmt::format("{}/{} {:.2g}", exact, compared, worst) : "-");
        if (compared > 0 && exact < compared && p != "random") differs = true;
      }
      fmt::print("{}\n", line);
    }
    if (mean100.count("ava") && mean100.count("fgd")) {
      fmt::print("ava - fgd at 100 % arrived: {:+.2f} points\n", mean100["ava"] - mean100["fgd"]);
    }
  }

  if (flags.values.count("csv")) {
    const std::string path = flags.values.at("csv");
    std::ofstream out(path);
    if (!out) {
      fmt::print(stderr, "ava-sim: cannot write {}\n", path);
      return 2;
    }
    out << "workload,policy,seed,tune,metric,arrivals,lost,seconds";
    for (int x = 0; x < kCurvePoints; ++x) out << ',' << x;
    out << '\n';
    for (const OpenbRunSummary& s : *runs) {
      const std::pair<const char*, const Curve*> metrics[] = {
          {"alloc", &s.curves.alloc}, {"frag_total", &s.curves.frag}, {"frag_idle", &s.curves.frag_ratio}};
      for (const auto& [name, c] : metrics) {
        out << fmt::format("{},{},{},{},{},{},{},{:.3f}", s.workload, s.policy, s.seed, o.tune, name,
                           s.arrivals, s.failed, s.seconds);
        for (int x = 0; x < kCurvePoints; ++x) {
          out << ',';
          if (c->present[x]) out << fmt::format("{}", c->value[x]);
        }
        out << '\n';
      }
    }
    if (!flags.quiet) fmt::print(stderr, "wrote {}\n", path);
  }
  return differs ? 3 : 0;
}

int RunJobs(const Flags& flags, const std::string& trace_dir) {
  JobTraceOptions to;
  to.trace_dir = trace_dir;
  to.start = Get(flags, "start", "2020-07-01");
  Result<double> days = ParseNumber(flags, "days", 7);
  Result<double> load = ParseNumber(flags, "load", 0.9);
  Result<double> quota_scale = ParseNumber(flags, "quota-scale", 2);
  Result<double> seed = ParseNumber(flags, "seed", 42);
  for (const Status& s : {days.status(), load.status(), quota_scale.status(), seed.status()}) {
    if (!s.ok()) {
      fmt::print(stderr, "ava-sim: {}\n", s.message());
      return 1;
    }
  }
  to.days = static_cast<int>(*days);
  to.load = *load;
  to.seed = static_cast<uint64_t>(*seed);
  gpu::Inventory pool;
  const std::string pool_file = Get(flags, "pool", "");
  if (!pool_file.empty()) {
    Result<gpu::Inventory> inv = gpu::LoadInventoryFile(pool_file);
    if (!inv.ok()) {
      fmt::print(stderr, "ava-sim: {}\n", inv.status().message());
      return 2;
    }
    pool = std::move(inv).value();
    to.pool_gpus = pool.gpu_count();
  }
  Result<JobTrace> trace = MakeVenusJobTrace(to);
  if (!trace.ok()) {
    fmt::print(stderr, "ava-sim: {}\n", trace.status().message());
    return 2;
  }
  if (pool_file.empty()) pool = VenusPool(*trace);
  int64_t gpus = 0;
  for (const SimJob& j : trace->jobs) gpus += j.gpus;
  fmt::print(
      "\njobs: Venus GPU-job arrivals {} + {} days ({} jobs asking {} GPUs), Philly runtimes × {:.3f} "
      "(offered load {:.2f}; {:.2f} as drawn)\n",
      to.start, to.days, trace->jobs.size(), gpus, trace->runtime_scale,
      to.load > 0 ? to.load : trace->natural_load, trace->natural_load);
  fmt::print("pool: {} nodes, {} GPUs; quotas {}; placement {}\n", pool.nodes.size(), pool.gpu_count(),
             *quota_scale > 0 ? fmt::format("on ({} groups, share × {})", trace->groups.size(), *quota_scale)
                              : "off",
             Get(flags, "placement", "ava"));
  fmt::print("{:<6} {:>9} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8} {:>9} {:>7}\n", "queue", "completed",
             "rejected", "avg JCT", "p95 JCT", "avg wait", "p95 wait", "max wait", "GPU util", "makespan",
             "preempt");
  std::vector<std::pair<std::string, JobReplayResult>> rows;
  for (const std::string& q : SplitList(Get(flags, "queues", "fifo,sjf,ava"))) {
    JobReplayConfig c;
    c.queue = q;
    c.placement = Get(flags, "placement", "ava");
    c.quotas = *quota_scale > 0;
    c.quota_scale = *quota_scale;
    Result<JobReplayResult> r = ReplayJobs(pool, *trace, c);
    if (!r.ok()) {
      fmt::print(stderr, "ava-sim: {}: {}\n", q, r.status().message());
      return r.status().IsInvalidArgument() ? 1 : 2;
    }
    auto h = [](double seconds) {
      if (seconds < 1) return std::string("0s");
      return FormatDuration(std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(seconds)));
    };
    fmt::print("{:<6} {:>9} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>7.1f}% {:>9} {:>7}\n", q,
               r->completed, r->rejected, h(r->avg_jct_s), h(r->p95_jct_s), h(r->avg_wait_s),
               h(r->p95_wait_s), h(r->max_wait_s), 100 * r->gpu_utilization, h(r->makespan_s),
               r->preemptions);
    rows.emplace_back(q, *r);
  }
  if (flags.values.count("csv")) {
    const std::string path = flags.values.at("csv");
    std::ofstream out(path);
    if (!out) {
      fmt::print(stderr, "ava-sim: cannot write {}\n", path);
      return 2;
    }
    out << "queue,placement,start,days,load,quota_scale,seed,submitted,rejected,completed,unfinished,"
           "avg_jct_s,p95_jct_s,avg_wait_s,p95_wait_s,max_wait_s,gpu_utilization,makespan_s,preemptions\n";
    for (const auto& [q, r] : rows) {
      out << fmt::format(
          "{},{},{},{},{},{},{},{},{},{},{},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.4f},{:.1f},{}\n", q,
          Get(flags, "placement", "ava"), to.start, to.days, to.load, *quota_scale, to.seed, r.submitted,
          r.rejected, r.completed, r.unfinished, r.avg_jct_s, r.p95_jct_s, r.avg_wait_s, r.p95_wait_s,
          r.max_wait_s, r.gpu_utilization, r.makespan_s, r.preemptions);
    }
    if (!flags.quiet) fmt::print(stderr, "wrote {}\n", path);
  }
  return 0;
}

int Main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
      fmt::print("{}", kHelp);
      return 0;
    }
  }
  Result<Flags> flags = ParseFlags(argc, argv);
  if (!flags.ok()) {
    fmt::print(stderr, "ava-sim: {}\nTry 'ava-sim --help'.\n", flags.status().message());
    return 1;
  }
  const std::vector<std::string_view> common = {"trace-dir", "csv"};
  const std::vector<std::string_view> openb = {"workloads", "policies", "seeds", "tune", "points", "threads"};
  const std::vector<std::string_view> jobs = {"pool", "queues",      "days",      "start",
                                              "load", "quota-scale", "placement", "seed"};
  for (const auto& [name, value] : flags->values) {
    const auto& mine = flags->mode == "openb" ? openb : jobs;
    if (std::find(common.begin(), common.end(), name) == common.end() &&
        std::find(mine.begin(), mine.end(), name) == mine.end()) {
      fmt::print(stderr, "ava-sim: --{} is not an option of {} mode\nTry 'ava-sim --help'.\n", name,
                 flags->mode);
      return 1;
    }
  }
  if (flags->validate && flags->mode != "openb") {
    fmt::print(stderr, "ava-sim: --validate belongs to openb mode\n");
    return 1;
  }
  Result<std::string> trace_dir = FindTraceDir(Get(*flags, "trace-dir", ""));
  if (!trace_dir.ok()) {
    fmt::print(stderr, "ava-sim: {}\n", trace_dir.status().message());
    return 2;
  }
  if (flags->mode == "openb") return RunOpenb(*flags, *trace_dir);
  return RunJobs(*flags, *trace_dir);
}

}  // namespace
}  // namespace ava::sim

int main(int argc, char** argv) { return ava::sim::Main(argc, argv); }

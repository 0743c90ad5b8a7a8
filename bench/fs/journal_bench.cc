// Write-back journal cost per commit: what each close() of a written file pays the journal
// (WritebackJournal::BeginPut, then WaitSynced: one transaction and its share of a group-commit
// sync; in avafs the PUT to the durable tier runs in between, so one sync covers the commits that
// overlapped it, which this loop without PUTs does not show), and what the uploader pays when an
// upload is done (Complete). Reports commits and WAL syncs per second and
// the CPU per commit; run with --benchmark_counters_tabular=true. The journal lives under
// $AVA_BENCH_DIR (default /tmp): put it on the disk that state_dir uses.
//
//   build-bench/bin/journal_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.h"
#include "fs/writeback_journal.h"

namespace ava::fs {
namespace {

std::string FreshDir() {
  const char* base = std::getenv("AVA_BENCH_DIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ava-journal-bench-XXXXXX";
  return ::mkdtemp(tmpl.data()) ? tmpl : "";
}

// One journal shared by the benchmark's threads, opened by thread 0 before the others start.
struct Shared {
  SystemClock clock;
  std::string dir;
  std::unique_ptr<WritebackJournal> journal;
};
Shared* shared = nullptr;

void Setup(const benchmark::State&) {
  shared = new Shared;
  shared->dir = FreshDir();
  auto j = WritebackJournal::Open(shared->dir + "/journal.db", &shared->clock, "");
  if (!j.ok()) {
    fmt::print(stderr, "{}\n", j.status().ToString());
    std::abort();
  }
  shared->journal = std::move(*j);
}

void Teardown(const benchmark::State&) {
  shared->journal.reset();
  std::error_code ec;
  std::filesystem::remove_all(shared->dir, ec);
  delete shared;
  shared = nullptr;
}

// close() of a new 100 KiB file: queue its upload (BeginPut), as `threads` writers do at once.
void BM_BeginPut(benchmark::State& state) {
  WritebackJournal& j = *shared->journal;
  int64_t n = 0;
  const uint64_t syncs0 = j.syncs();
  for (auto _ : state) {
    auto e = j.BeginPut(fmt::format("run/t{}/f{:07d}.bin", state.thread_index(), n++), 100 << 10, 0);
    Status s = e.ok() ? j.WaitSynced(e->ticket) : e.status();
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.counters["commits/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
  if (state.thread_index() == 0) {
    state.counters["syncs/commit"] =
        static_cast<double>(j.syncs() - syncs0) / static_cast<double>(n * state.threads());
  }
}
BENCHMARK(BM_BeginPut)->Setup(Setup)->Teardown(Teardown)->Threads(1)->Threads(8)->UseRealTime();

// The uploader's side: queue then complete, so the queue stays short (steady state).
void BM_BeginPutThenComplete(benchmark::State& state) {
  WritebackJournal& j = *shared->journal;
  int64_t n = 0;
  for (auto _ : state) {
    auto e = j.BeginPut(fmt::format("run/t{}/f{:07d}.bin", state.thread_index(), n++), 100 << 10, 0);
    if (!e.ok() || !j.WaitSynced(e->ticket).ok() || !j.Complete(e->entry).ok())
      state.SkipWithError("journal error");
  }
  state.counters["files/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BeginPutThenComplete)->Setup(Setup)->Teardown(Teardown)->Threads(1)->Threads(8)->UseRealTime();

}  // namespace
}  // namespace ava::fs

BENCHMARK_MAIN();

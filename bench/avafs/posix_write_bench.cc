// avafs_bench_write: the writer side of the avafs write-path benchmark (bench/avafs/run_write_bench.sh).
// It writes through plain POSIX calls, so it measures any file system the same way: local disk,
// avafs, s3fs, rclone. Every subcommand prints one JSON line on stdout.
//
//   avafs_bench_write big ROOT [--size 1GiB] [--write-size 4MiB] [--fsync]
//       creates ROOT/big/big.bin and writes it front to back with write(2) of WRITE-SIZE, then
//       (with --fsync) fsync(2), then close(2). The clock stops when close returns: on avafs that
//       is when the file is on the durable tier.
//   avafs_bench_write files ROOT [--count 10000] [--size 100KiB] [--threads 8] [--fsync]
//       creates ROOT/small/dNNN/ (100 files each) and then ROOT/small/dNNN/fNNNNN.bin, N threads
//       taking the next file from a shared counter; each file is open, one write, [fsync,] close.
//       The clock stops when the last close returns.
//
// Names and content are those of the read benchmark's dataset (bench_dataset.h), so what a mount
// uploaded can be checked byte for byte in the bucket (avafs_bench_s3 verify). The content is
// generated before the clock starts. "commit" below is the time spent in fsync (if asked) and close:
// where a write-through file system does its uploading.
//
// Output fields: bytes, files, seconds (first mkdir/open to last close), mib_per_s, files_per_s,
// write_seconds (big: until the last write returned), commit_* (per file: mean, p50, p99, max in
// ms), start_epoch/end_epoch (wall clock, seconds since the Unix epoch). Any error, short write or
// failed close fails the run (exit 1, message on stderr): a close that fails means data not saved.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_dataset.h"
#include "common/file_util.h"
#include "common/result.h"
#include "common/units.h"

namespace ava::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr double kMiB = 1 << 20;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

double EpochNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Status WriteAll(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write " + what);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status MkdirIfMissing(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return Status::FromErrno(errno, "mkdir " + path);
  return Status::OK();
}

// fsync (if asked) and close: the commit of one file. Closing is checked, never ignored.
Status Commit(int fd, bool fsync, const std::string& what) {
  Status s;
  if (fsync && ::fsync(fd) != 0) s = Status::FromErrno(errno, "fsync " + what);
  if (::close(fd) != 0 && s.ok()) s = Status::FromErrno(errno, "close " + what);
  return s;
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

int RunBig(const std::string& root, uint64_t size, uint64_t write_size, bool fsync) {
  const std::string data = Content(BigKey(), 0, size);
  const std::string path = root + "/" + BigKey();
  const double start_epoch = EpochNow();
  auto start = SteadyClock::now();
  Status s = MkdirIfMissing(root + "/big");
  int fd = -1;
  if (s.ok()) {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) s = Status::FromErrno(errno, "open " + path);
  }
  for (uint64_t off = 0; s.ok() && off < size; off += write_size)
    s = WriteAll(fd, std::string_view(data).substr(off, std::min(write_size, size - off)), path);
  const double write_seconds = SecondsSince(start);
  if (fd >= 0) {
    Status c = Commit(fd, fsync, path);
    if (s.ok()) s = c;
  }
  const double seconds = SecondsSince(start);
  if (!s.ok()) {
    fmt::print(stderr, "big: {}\n", s.ToString());
    return 1;
  }
  const double commit_ms = (seconds - write_seconds) * 1000;
  fmt::print(R"({{"bytes":{},"files":1,"seconds":{:.4f},"mib_per_s":{:.1f},"write_seconds":{:.4f},)"
             R"("commit_ms_mean":{:.2f},"commit_ms_max":{:.2f},"write_size":{},"fsync":{},)"
             R"("start_epoch":{:.4f},"end_epoch":{:.4f}}})"
             "\n",
             size, seconds, size / seconds / kMiB, write_seconds, commit_ms, commit_ms, write_size, fsync,
             start_epoch, start_epoch + seconds);
  return 0;
}

int RunFiles(const std::string& root, uint64_t count, uint64_t size, int threads, bool fsync) {
  std::vector<std::string> data(count);
  for (uint64_t i = 0; i < count; ++i) data[i] = Content(SmallKey(i), 0, size);
  std::vector<double> commit_ms(count, 0);
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  const double start_epoch = EpochNow();
  auto start = SteadyClock::now();
  // Directories first, as a job creating an output tree would.
  Status s = MkdirIfMissing(root + "/small");
  for (uint64_t d = 0; s.ok() && d * DatasetShape::kSmallPerDir < count; ++d)
    s = MkdirIfMissing(DirName(root + "/" + SmallKey(d * DatasetShape::kSmallPerDir)));
  if (!s.ok()) {
    fmt::print(stderr, "files: {}\n", s.ToString());
    return 1;
  }
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (!failed.load()) {
        const uint64_t i = next.fetch_add(1);
        if (i >= count) return;
        const std::string path = root + "/" + SmallKey(i);
        Status st;
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
          st = Status::FromErrno(errno, "open " + path);
        } else {
          st = WriteAll(fd, data[i], path);
          auto before_commit = SteadyClock::now();
          Status c = Commit(fd, fsync, path);
          commit_ms[i] = SecondsSince(before_commit) * 1000;
          if (st.ok()) st = c;
        }
        if (!st.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.ok()) first_error = st;
          failed.store(true);
          return;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  const double seconds = SecondsSince(start);
  if (!first_error.ok()) {
    fmt::print(stderr, "files: {}\n", first_error.ToString());
    return 1;
  }
  double sum = 0;
  for (double ms : commit_ms) sum += ms;
  fmt::print(
      R"({{"bytes":{},"files":{},"seconds":{:.4f},"mib_per_s":{:.1f},"files_per_s":{:.1f},)"
      R"("commit_ms_mean":{:.2f},"commit_ms_p50":{:.2f},"commit_ms_p99":{:.2f},"commit_ms_max":{:.2f},)"
      R"("threads":{},"fsync":{},"start_epoch":{:.4f},"end_epoch":{:.4f}}})"
      "\n",
      count * size, count, seconds, count * size / seconds / kMiB, count / seconds, sum / count,
      Percentile(commit_ms, 0.5), Percentile(commit_ms, 0.99), Percentile(commit_ms, 1.0), threads, fsync,
      start_epoch, start_epoch + seconds);
  return 0;
}

}  // namespace
}  // namespace ava::bench

int main(int argc, char** argv) {
  using namespace ava::bench;
  CLI::App app{"Writer side of the avafs write-path benchmark: POSIX writes, one JSON line out.",
               "avafs_bench_write"};
  app.require_subcommand(1);

  std::string big_root, big_size = "1GiB", write_size = "4MiB";
  bool big_fsync = false;
  CLI::App* big = app.add_subcommand("big", "Write ROOT/big/big.bin front to back, then close.");
  big->add_option("ROOT", big_root, "Directory to write under")->required();
  big->add_option("--size", big_size, "File size (default 1GiB).");
  big->add_option("--write-size", write_size, "Bytes per write(2) (default 4MiB).");
  big->add_flag("--fsync", big_fsync, "fsync before close.");

  std::string files_root, file_size = "100KiB";
  uint64_t count = 10000;
  int threads = 8;
  bool files_fsync = false;
  CLI::App* files = app.add_subcommand("files", "Write COUNT small files with N threads.");
  files->add_option("ROOT", files_root, "Directory to write under")->required();
  files->add_option("--count", count, "Number of files (default 10000).")->check(CLI::Range(1, 10000000));
  files->add_option("--size", file_size, "Size of each file (default 100KiB).");
  files->add_option("--threads", threads, "Parallel writers (default 8).")->check(CLI::Range(1, 256));
  files->add_flag("--fsync", files_fsync, "fsync each file before closing it.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (big->parsed()) {
    ava::Result<uint64_t> size = ava::ParseBytes(big_size);
    ava::Result<uint64_t> ws = ava::ParseBytes(write_size);
    if (!size.ok() || !ws.ok() || *size == 0 || *ws == 0) {
      fmt::print(stderr, "big: bad --size or --write-size\n");
      return 1;
    }
    return RunBig(big_root, *size, *ws, big_fsync);
  }
  ava::Result<uint64_t> size = ava::ParseBytes(file_size);
  if (!size.ok() || *size == 0) {
    fmt::print(stderr, "files: bad --size '{}'\n", file_size);
    return 1;
  }
  return RunFiles(files_root, count, *size, threads, files_fsync);
}

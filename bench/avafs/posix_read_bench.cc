// avafs_bench_read: the reader side of the avafs read-path benchmark (bench/avafs/run_read_bench.sh).
// It reads through plain POSIX calls, so it measures any file system the same way: local disk,
// avafs, s3fs, rclone. Every subcommand prints one JSON line on stdout.
//
//   avafs_bench_read seq FILE [--buffer 4MiB]
//       read(2) the whole file front to back with one large buffer: bytes, seconds, MiB/s.
//   avafs_bench_read files ROOT --list LIST [--threads 8]
//       open, read to EOF and close every file named in LIST (paths relative to ROOT, one a line),
//       N threads taking the next file from a shared counter like DataLoader workers: files/s.
//   avafs_bench_read random FILE --size 4KiB --count 1000 [--seed 1]
//       one thread, pread(2) of SIZE bytes at COUNT offsets drawn uniformly (4 KiB aligned) from
//       the file; the same seed gives the same offsets: ops/s, MiB/s, latency percentiles.
//
// A short read, an error or a size that does not match fails the run (exit 1, message on stderr):
// a benchmark that silently read less would report nonsense.
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
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

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

// A page-aligned buffer, so O_DIRECT-like paths and FUSE see ordinary aligned reads.
struct AlignedBuffer {
  explicit AlignedBuffer(size_t n) : size(n), data(static_cast<char*>(std::aligned_alloc(4096, n))) {}
  ~AlignedBuffer() { std::free(data); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  size_t size;
  char* data;
};

// Reads `fd` to EOF with `buf`; returns the byte count.
Result<uint64_t> ReadToEnd(int fd, AlignedBuffer& buf, const std::string& what) {
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf.data, buf.size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "read " + what);
    }
    if (n == 0) return total;
    total += static_cast<uint64_t>(n);
  }
}

Result<uint64_t> SizeOf(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, "fstat " + path);
  return static_cast<uint64_t>(st.st_size);
}

int Fail(const std::string& cmd, const Status& s) {
  fmt::print(stderr, "avafs_bench_read {}: {}\n", cmd, s.ToString());
  return 1;
}

// --------------------------------------------------------------------------------------- seq

int RunSeq(const std::string& path, const std::string& buffer_text) {
  Result<uint64_t> buffer = ParseBytes(buffer_text);
  if (!buffer.ok() || *buffer == 0)
    return Fail("seq", Status::InvalidArgument("bad --buffer " + buffer_text));
  AlignedBuffer buf(*buffer);
  auto start = SteadyClock::now();
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Fail("seq", Status::FromErrno(errno, "open " + path));
  Result<uint64_t> size = SizeOf(fd.get(), path);
  if (!size.ok()) return Fail("seq", size.status());
  Result<uint64_t> got = ReadToEnd(fd.get(), buf, path);
  if (!got.ok()) return Fail("seq", got.status());
  const double seconds = SecondsSince(start);
  if (*got != *size) {
    return Fail("seq", Status::Internal(fmt::format("{}: read {} bytes, size is {}", path, *got, *size)));
  }
  fmt::print(R"({{"bytes":{},"seconds":{:.4f},"mib_per_s":{:.1f},"buffer":{}}})"
             "\n",
             *got, seconds, *got / seconds / kMiB, *buffer);
  return 0;
}

// ------------------------------------------------------------------------------------- files

int RunFiles(const std::string& root, const std::string& list, int threads) {
  std::vector<std::string> paths;
  std::ifstream in(list);
  if (!in) return Fail("files", Status::NotFound("cannot read the list " + list));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) paths.push_back(root + "/" + line);
  }
  if (paths.empty()) return Fail("files", Status::InvalidArgument(list + " names no files"));

  std::atomic<size_t> next{0};
  std::atomic<uint64_t> bytes{0};
  std::mutex mu;
  Status first_error;
  auto start = SteadyClock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      AlignedBuffer buf(1 << 20);
      for (size_t i = next.fetch_add(1); i < paths.size(); i = next.fetch_add(1)) {
        UniqueFd fd(::open(paths[i].c_str(), O_RDONLY | O_CLOEXEC));
        Result<uint64_t> got = fd.valid() ? ReadToEnd(fd.get(), buf, paths[i])
                                          : Result<uint64_t>(Status::FromErrno(errno, "open " + paths[i]));
        if (!got.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.ok()) first_error = got.status();
          next.store(paths.size());
          return;
        }
        bytes.fetch_add(*got);
      }
    });
  }
  for (auto& w : workers) w.join();
  const double seconds = SecondsSince(start);
  if (!first_error.ok()) return Fail("files", first_error);
  fmt::print(
      R"({{"files":{},"bytes":{},"seconds":{:.4f},"files_per_s":{:.1f},"mib_per_s":{:.1f},"threads":{}}})"
      "\n",
      paths.size(), bytes.load(), seconds, paths.size() / seconds, bytes.load() / seconds / kMiB, threads);
  return 0;
}

// ------------------------------------------------------------------------------------ random

int RunRandom(const std::string& path, const std::string& size_text, int count, uint64_t seed) {
  Result<uint64_t> len = ParseBytes(size_text);
  if (!len.ok() || *len == 0) return Fail("random", Status::InvalidArgument("bad --size " + size_text));
  AlignedBuffer buf(*len);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Fail("random", Status::FromErrno(errno, "open " + path));
  Result<uint64_t> size = SizeOf(fd.get(), path);
  if (!size.ok()) return Fail("random", size.status());
  if (*size < *len) return Fail("random", Status::InvalidArgument(path + " is smaller than one read"));

  constexpr uint64_t kAlign = 4096;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint64_t> pick(0, (*size - *len) / kAlign);
  std::vector<double> latencies;
  latencies.reserve(static_cast<size_t>(count));
  auto start = SteadyClock::now();
  for (int i = 0; i < count; ++i) {
    const uint64_t offset = pick(rng) * kAlign;
    auto t0 = SteadyClock::now();
    uint64_t got = 0;
    while (got < *len) {
      ssize_t n = ::pread(fd.get(), buf.data + got, *len - got, static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail("random", Status::FromErrno(errno, fmt::format("pread {} at {}", path, offset)));
      if (n == 0)
        return Fail("random", Status::Internal(fmt::format("{}: early EOF at {}", path, offset + got)));
      got += static_cast<uint64_t>(n);
    }
    latencies.push_back(SecondsSince(t0));
  }
  const double seconds = SecondsSince(start);
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies[std::min(latencies.size() - 1, size_t(p * latencies.size()))] * 1e6;
  };
  fmt::print(R"({{"ops":{},"bytes":{},"seconds":{:.4f},"ops_per_s":{:.1f},"mib_per_s":{:.2f},)"
             R"("p50_us":{:.0f},"p99_us":{:.0f},"size":{}}})"
             "\n",
             count, uint64_t(count) * *len, seconds, count / seconds, count * double(*len) / seconds / kMiB,
             pct(0.5), pct(0.99), *len);
  return 0;
}

}  // namespace
}  // namespace ava::bench

int main(int argc, char** argv) {
  using namespace ava::bench;
  CLI::App app{"Reader side of the avafs read-path benchmark; prints one JSON line per run.",
               "avafs_bench_read"};
  app.require_subcommand(1);

  std::string path, buffer = "4MiB", root, list, size = "4KiB";
  int threads = 8, count = 1000;
  uint64_t seed = 1;
  CLI::App* seq = app.add_subcommand("seq", "Read one file front to back with large reads: MiB/s.");
  seq->add_option("FILE", path)->required();
  seq->add_option("--buffer", buffer, "Bytes per read(2) (default 4MiB).");

  CLI::App* files = app.add_subcommand("files", "Read every listed file with N parallel readers: files/s.");
  files->add_option("ROOT", root, "Directory the listed paths are relative to.")->required();
  files->add_option("--list", list, "File with one relative path per line.")->required();
  files->add_option("--threads", threads, "Parallel readers (default 8).")->check(CLI::Range(1, 1024));

  CLI::App* random = app.add_subcommand("random", "pread SIZE bytes at COUNT random offsets: ops/s.");
  random->add_option("FILE", path)->required();
  random->add_option("--size", size, "Bytes per pread (default 4KiB).");
  random->add_option("--count", count, "Number of preads (default 1000).")->check(CLI::Range(1, 100000000));
  random->add_option("--seed", seed, "Seed of the offsets (default 1).");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (seq->parsed()) return RunSeq(path, buffer);
  if (files->parsed()) return RunFiles(root, list, threads);
  return RunRandom(path, size, count, seed);
}

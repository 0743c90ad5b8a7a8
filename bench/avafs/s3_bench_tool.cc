// avafs_bench_s3: the S3 side of the avafs read-path benchmark (bench/avafs/run_read_bench.sh),
// built on Ava's own store::S3Store.
//
//   avafs_bench_s3 fill --endpoint URL --bucket B [--local DIR] [shape flags]
//       uploads the dataset of bench_dataset.h in parallel (the big file as a parallel multipart
//       upload) and writes the same bytes under DIR; either is skipped when its marker shows the
//       same shape was written before.
//   avafs_bench_s3 get --endpoint URL --bucket B --key K --streams K --part-size 8MiB
//       the raw multi-stream baseline: fetches one whole object with K parallel ranged GETs and
//       prints one JSON line {"bytes":…, "seconds":…, "mib_per_s":…}.
//   avafs_bench_s3 get-many --endpoint URL --bucket B --list KEYS --threads 8
//       raw baseline of the small files: one GET per listed key, N at once: files/s.
//   avafs_bench_s3 list --endpoint URL --bucket B --prefix tree/
//       raw baseline of ls -R: one flat listing of every key under the prefix: seconds.
//
// For the write-path benchmark (bench/avafs/run_write_bench.sh), with the same key layout and
// content as the dataset (the big file big/big.bin, the small files small/dNNN/fNNNNN.bin):
//   avafs_bench_s3 put --endpoint URL --bucket B --size 1GiB --streams K --part-size 16MiB
//       the raw multi-stream PUT baseline: big/big.bin as one multipart upload, K parts in flight.
//   avafs_bench_s3 put-many --endpoint URL --bucket B --count 10000 --size 100KiB --threads N
//       one PUT per small file, N at once: files/s.
//   avafs_bench_s3 await --endpoint URL --bucket B (--big-size S | --small-count N --small-size S)
//       polls flat listings until every expected object is listed with its size: when did the data
//       of a mount that uploads after close() actually reach the bucket.
//   avafs_bench_s3 verify ... (same shape flags)
//       GETs every expected object and compares it byte for byte with the content it must have.
//   avafs_bench_s3 reset --endpoint URL --bucket B
//       creates the bucket if missing and deletes every object in it.
// Timed modes print one JSON line on stdout; data is generated before the clock starts. Wall-clock
// times ("start_epoch", "end_epoch": seconds since the Unix epoch) let the script line up the
// moments measured by different processes.
//
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (store/credentials.h).
// Exit status 0 on success, 1 with a message on stderr on any failure.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench_dataset.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "common/units.h"
#include "store/credentials.h"
#include "store/curl_transport.h"
#include "store/s3_store.h"

namespace ava::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

double EpochNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// This process's peak resident set (ru_maxrss is in KiB on Linux).
uint64_t PeakRssBytes() {
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_maxrss) * 1024;
}

// Runs task(i) for i in [0, count) on `threads` threads; stops handing out work after the first
// error and returns it. Prints progress to stderr every 5 s under `what`.
Status ParallelFor(uint64_t count, int threads, const std::string& what,
                   const std::function<Status(uint64_t)>& task) {
  std::atomic<uint64_t> next{0};
  std::atomic<uint64_t> done{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  auto start = SteadyClock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (!failed.load()) {
        uint64_t i = next.fetch_add(1);
        if (i >= count) return;
        Status s = task(i);
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.ok()) first_error = s;
          failed.store(true);
          return;
        }
        done.fetch_add(1);
      }
    });
  }
  // Progress from the calling thread, so the workers stay simple.
  auto last = SteadyClock::now();
  while (done.load() < count && !failed.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (SteadyClock::now() - last >= std::chrono::seconds(5)) {
      last = SteadyClock::now();
      fmt::print(stderr, "  {}: {}/{} ({:.0f}/s)\n", what, done.load(), count,
                 done.load() / SecondsSince(start));
    }
  }
  for (auto& w : workers) w.join();
  if (!first_error.ok()) return first_error.Annotate(what);
  fmt::print(stderr, "  {}: {} done in {:.1f} s\n", what, count, SecondsSince(start));
  return Status::OK();
}

struct Connection {
  std::string endpoint;
  std::string bucket;
};

Result<std::unique_ptr<store::S3Store>> OpenS3(const Connection& conn, Clock* clock) {
  AVA_ASSIGN_OR_RETURN(store::Credentials creds, store::ResolveCredentials({}, store::ProcessEnv()));
  store::S3StoreOptions options{.bucket = conn.bucket, .endpoint = conn.endpoint};
  options.credentials = creds;
  store::CurlTransportOptions transport;
  transport.max_idle_handles = 128;
  return store::S3Store::Create(options, std::make_unique<store::CurlTransport>(transport), clock, nullptr);
}

// ---------------------------------------------------------------------------------------- fill

struct FillArgs {
  Connection conn;
  std::string local_dir;
  DatasetShape shape;
  std::string big_size = "1GiB";
  std::string small_size = "100KiB";
  std::string part_size = "64MiB";
  int threads = 16;
  bool skip_s3 = false;
};

// One unit of upload work: a part of the big file, or one whole small or tiny file.
struct Piece {
  std::string key;
  uint64_t offset = 0;
  uint64_t length = 0;
  int part_number = 0;  // > 0: a part of the big file's multipart upload
};

std::vector<Piece> Pieces(const DatasetShape& shape, uint64_t part_size) {
  std::vector<Piece> pieces;
  int part = 1;
  for (uint64_t off = 0; off < shape.big_size; off += part_size, ++part) {
    pieces.push_back({BigKey(), off, std::min(part_size, shape.big_size - off), part});
  }
  for (uint64_t i = 0; i < shape.small_count; ++i) pieces.push_back({SmallKey(i), 0, shape.small_size, 0});
  for (uint64_t i = 0; i < shape.tiny_count; ++i) pieces.push_back({TinyKey(i), 0, shape.tiny_size, 0});
  return pieces;
}

Status FillS3(const FillArgs& args, const std::vector<Piece>& pieces, Clock* clock) {
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<store::S3Store> s3, OpenS3(args.conn, clock));
  if (!s3->CheckBucket().ok()) AVA_RETURN_IF_ERROR(s3->CreateBucket());
  const std::string want = args.shape.Describe();
  Result<store::GetResult> marker = s3->Get({.key = MarkerKey()});
  if (marker.ok() && marker->data == want) {
    fmt::print(stderr, "s3://{}: dataset already there ({})\n", args.conn.bucket, want);
    return Status::OK();
  }
  fmt::print(stderr, "s3://{}: uploading {} objects with {} threads\n", args.conn.bucket,
             2 + args.shape.small_count + args.shape.tiny_count, args.threads);
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<store::MultipartUpload> upload, s3->StartMultipart(BigKey()));
  AVA_RETURN_IF_ERROR(ParallelFor(pieces.size(), args.threads, "s3 upload", [&](uint64_t i) -> Status {
    const Piece& p = pieces[i];
    std::string data = Content(p.key, p.offset, p.length);
    if (p.part_number > 0) return upload->UploadPart(p.part_number, data);
    return s3->Put(p.key, data).status();
  }));
  AVA_RETURN_IF_ERROR(upload->Complete().status());
  return s3->Put(MarkerKey(), want).status();
}

// Writes without fsync: the local copy is the "local disk" contestant, not data to keep.
Status WriteLocal(const std::string& path, uint64_t offset, std::string_view data) {
  AVA_RETURN_IF_ERROR(MakeDirs(DirName(path), 0755));
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return Status::FromErrno(errno, "open " + path);
  return PWriteAll(fd.get(), data, offset);
}

Status FillLocal(const FillArgs& args, const std::vector<Piece>& pieces) {
  const std::string want = args.shape.Describe();
  const std::string marker = args.local_dir + "/" + MarkerKey();
  Result<std::string> have = ReadFile(marker);
  if (have.ok() && *have == want) {
    fmt::print(stderr, "{}: local copy already there\n", args.local_dir);
    return Status::OK();
  }
  // A big file left from another shape would keep its old tail.
  ::unlink((args.local_dir + "/" + BigKey()).c_str());
  AVA_RETURN_IF_ERROR(ParallelFor(pieces.size(), std::min(args.threads, 4), "local copy", [&](uint64_t i) {
    const Piece& p = pieces[i];
    return WriteLocal(args.local_dir + "/" + p.key, p.offset, Content(p.key, p.offset, p.length));
  }));
  return WriteLocal(marker, 0, want);
}

int RunFill(FillArgs args) {
  Result<uint64_t> big = ParseBytes(args.big_size);
  Result<uint64_t> small = ParseBytes(args.small_size);
  Result<uint64_t> part = ParseBytes(args.part_size);
  if (!big.ok() || !small.ok() || !part.ok() || *part < (5u << 20)) {
    fmt::print(stderr, "fill: bad --big-size, --small-size or --part-size (parts are at least 5 MiB)\n");
    return 1;
  }
  args.shape.big_size = *big;
  args.shape.small_size = *small;
  SystemClock clock;
  std::vector<Piece> pieces = Pieces(args.shape, *part);
  if (!args.skip_s3) {
    if (Status s = FillS3(args, pieces, &clock); !s.ok()) {
      fmt::print(stderr, "fill: {}\n", s.ToString());
      return 1;
    }
  }
  if (!args.local_dir.empty()) {
    if (Status s = FillLocal(args, pieces); !s.ok()) {
      fmt::print(stderr, "fill: {}\n", s.ToString());
      return 1;
    }
  }
  return 0;
}

// ----------------------------------------------------------------------------------------- get

struct GetArgs {
  Connection conn;
  std::string key;
  int streams = 8;
  std::string part_size = "8MiB";
};

int RunGet(const GetArgs& args) {
  Result<uint64_t> part = ParseBytes(args.part_size);
  if (!part.ok() || *part == 0) {
    fmt::print(stderr, "get: bad --part-size '{}'\n", args.part_size);
    return 1;
  }
  SystemClock clock;
  Result<std::unique_ptr<store::S3Store>> s3 = OpenS3(args.conn, &clock);
  if (!s3.ok()) {
    fmt::print(stderr, "get: {}\n", s3.status().ToString());
    return 1;
  }
  // The HEAD is part of the measured time: a client must learn the size before splitting.
  auto start = SteadyClock::now();
  Result<store::ObjectInfo> info = (*s3)->Head(args.key);
  if (!info.ok()) {
    fmt::print(stderr, "get: {}\n", info.status().ToString());
    return 1;
  }
  const uint64_t parts = (info->size + *part - 1) / *part;
  std::atomic<uint64_t> bytes{0};
  Status s = ParallelFor(parts, args.streams, "ranged GETs", [&](uint64_t i) -> Status {
    AVA_ASSIGN_OR_RETURN(store::GetResult r,
                         (*s3)->Get({.key = args.key, .offset = i * *part, .length = *part}));
    bytes.fetch_add(r.data.size());
    return Status::OK();
  });
  const double seconds = SecondsSince(start);
  if (!s.ok() || bytes.load() != info->size) {
    fmt::print(stderr, "get: {} (got {} of {} bytes)\n", s.ToString(), bytes.load(), info->size);
    return 1;
  }
  fmt::print(R"({{"bytes":{},"seconds":{:.4f},"mib_per_s":{:.1f},"streams":{},"part_size":{}}})"
             "\n",
             bytes.load(), seconds, bytes.load() / seconds / (1 << 20), args.streams, *part);
  return 0;
}

// ---------------------------------------------------------------------------- get-many, list

// The raw baseline of the small-file workload: one whole-object GET per key, `threads` at once.
int RunGetMany(const Connection& conn, const std::string& list, int threads) {
  Result<std::string> text = ReadFile(list);
  if (!text.ok()) {
    fmt::print(stderr, "get-many: {}\n", text.status().ToString());
    return 1;
  }
  std::vector<std::string> keys;
  for (size_t pos = 0; pos < text->size();) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    if (end > pos) keys.push_back(text->substr(pos, end - pos));
    pos = end + 1;
  }
  SystemClock clock;
  Result<std::unique_ptr<store::S3Store>> s3 = OpenS3(conn, &clock);
  if (!s3.ok() || keys.empty()) {
    fmt::print(stderr, "get-many: {}\n", s3.ok() ? list + " names no keys" : s3.status().ToString());
    return 1;
  }
  std::atomic<uint64_t> bytes{0};
  auto start = SteadyClock::now();
  Status s = ParallelFor(keys.size(), threads, "GETs", [&](uint64_t i) -> Status {
    AVA_ASSIGN_OR_RETURN(store::GetResult r, (*s3)->Get({.key = keys[i]}));
    bytes.fetch_add(r.data.size());
    return Status::OK();
  });
  const double seconds = SecondsSince(start);
  if (!s.ok()) {
    fmt::print(stderr, "get-many: {}\n", s.ToString());
    return 1;
  }
  fmt::print(R"({{"files":{},"bytes":{},"seconds":{:.4f},"files_per_s":{:.1f},"threads":{}}})"
             "\n",
             keys.size(), bytes.load(), seconds, keys.size() / seconds, threads);
  return 0;
}

// The raw baseline of ls -R: one flat listing (no delimiter) of everything under `prefix`.
int RunList(const Connection& conn, const std::string& prefix) {
  SystemClock clock;
  Result<std::unique_ptr<store::S3Store>> s3 = OpenS3(conn, &clock);
  if (!s3.ok()) {
    fmt::print(stderr, "list: {}\n", s3.status().ToString());
    return 1;
  }
  auto start = SteadyClock::now();
  Result<store::ListPage> all = store::ListAll(**s3, {.prefix = prefix});
  const double seconds = SecondsSince(start);
  if (!all.ok()) {
    fmt::print(stderr, "list: {}\n", all.status().ToString());
    return 1;
  }
  fmt::print(R"({{"entries":{},"seconds":{:.4f}}})"
             "\n",
             all->objects.size(), seconds);
  return 0;
}

// ------------------------------------------------------------------ write path: put, put-many

// The raw baseline of the sequential write: big/big.bin as one multipart upload with `streams`
// parts in flight (a single PUT when it fits in one part).
int RunPut(const Connection& conn, const std::string& size_text, int streams, const std::string& part_text) {
  Result<uint64_t> size = ParseBytes(size_text);
  Result<uint64_t> part = ParseBytes(part_text);
  if (!size.ok() || *size == 0 || !part.ok() || *part < (5u << 20)) {
    fmt::print(stderr, "put: bad --size or --part-size (parts are at least 5 MiB)\n");
    return 1;
  }
  SystemClock clock;
  Result<std::unique_ptr<store::S3Store>> s3 = OpenS3(conn, &clock);
  if (!s3.ok()) {
    fmt::print(stderr, "put: {}\n", s3.status().ToString());
    return 1;
  }
  const std::string data = Content(BigKey(), 0, *size);
  const uint64_t parts = (*size + *part - 1) / *part;
  const double start_epoch = EpochNow();
  auto start = SteadyClock::now();
  Status s;
  if (parts == 1) {
    s = (*s3)->Put(BigKey(), data).status();
  } else {
    Result<std::unique_ptr<store::MultipartUpload>> up = (*s3)->StartMultipart(BigKey());
    s = up.status();
    if (s.ok()) {
      s = ParallelFor(parts, streams, "part PUTs", [&](uint64_t i) {
        const uint64_t off = i * *part;
        return (*up)->UploadPart(static_cast<int>(i + 1),
                                 std::string_view(data).substr(off, std::min(*part, *size - off)));
      });
      s = s.ok() ? (*up)->Complete().status() : s;
      if (!s.ok()) (*up)->Abort().IgnoreError();
    }
  }
  const double seconds = SecondsSince(start);
  if (!s.ok()) {
    fmt::print(stderr, "put: {}\n", s.ToString());
    return 1;
  }
  fmt::print(R"({{"bytes":{},"seconds":{:.4f},"mib_per_s":{:.1f},"streams":{},"part_size":{},)"
             R"("start_epoch":{:.4f},"end_epoch":{:.4f},"peak_rss_bytes":{}}})"
             "\n",
             *size, seconds, *size / seconds / (1 << 20), streams, *part, start_epoch, start_epoch + seconds,
             PeakRssBytes());
  return 0;
}

// The raw baseline of the small-file write: one PUT per file, `threads` at once.
int RunPutMany(const Connection& conn, uint64_t count, const std::string& size_text, int threads) {
  Result<uint64_t> size = ParseBytes(size_text);
  if (!size.ok() || count == 0) {
    fmt::print(stderr, "put-many: bad --size or --count\n");
    return 1;
  }
  SystemClock clock;
  Result<std::unique_ptr<store::S3Store>> s3 = OpenS3(conn, &clock);
  if (!s3.ok()) {
    fmt::print(stderr, "put-many: {}\n", s3.status().ToString());
    return 1;
  }
  std::vector<std::string> data(count);
  for (uint64_t i = 0; i < count; ++i) data[i] = Content(SmallKey(i), 0, *size);
  const double start_epoch = EpochNow();
  auto start = SteadyClock::now();
  Status s = ParallelFor(count, threads, "PUTs",
                         [&](uint64_t i) { return (*s3)->Put(SmallKey(i), data[i]).status(); });
  const double seconds = SecondsSince(start);
  if (!s.ok()) {
    fmt::print(stderr, "put-many: {}\n", s.ToString());
    return 1;
  }
  fmt::print(
      R"({{"files":{},"bytes":{},"seconds":{:.4f},"files_per_s":{:.1f},"mib_per_s":{:.1f},"threads":{},)"
      R"("start_epoch":{:.4f},"end_epoch":{:.4f},"peak_rss_bytes":{}}})"
      "\n",
      count, count * *size, seconds, count / seconds, count * *size / seconds / (1 << 20), threads,
      start_epoch, start_epoch + seconds, PeakRssBytes());
  return 0;
}

// ----------------------------------------------------------------- write path: await, verify

// What a write workload leaves in a bucket: the big file, or the small files.
struct Expected {
  Connection conn;
  std::string big_size = "0";
  uint64_t small_count = 0;
  std::string small_size = "100KiB";
  double timeout = 600;
  int threads = 8;
};

Result<std::vector<std::pair<std::string, uint64_t>>> ExpectedObjects(const Expected& e) {
  std::vector<std::pair<std::string, uint64_t>> objects;
  AVA_ASSIGN_OR_RETURN(uint64_t big, ParseBytes(e.big_size));
  AVA_ASSIGN_OR_RETURN(uint64_t small, ParseBytes(e.small_size));
  if (big > 0) objects.emplace_back(BigKey(), big);
  for (uint64_t i = 0; i < e.small_count; ++i) objects.emplace_back(SmallKey(i), small);
  if (objects.empty()) return Status::InvalidArgument("give --big-size or --small-count");
  return objects;
}

// Polls flat listings of big/ and small/ until every expected key is listed with its size. An
// object being uploaded in parts is listed only once complete, so "listed" means "readable".
int RunAwait(const Expected& e) {
  Result<std::vector<std::pair<std::string, uint64_t>>> want = ExpectedObjects(e);
  SystemClock clock;
  Result<std::unique_ptr<store::S3Store>> s3 = OpenS3(e.conn, &clock);
  if (!want.ok() || !s3.ok()) {
    fmt::print(stderr, "await: {}\n", (!want.ok() ? want.status() : s3.status()).ToString());
    return 1;
  }
  const std::string prefix = e.small_count > 0 ? "small/" : "big/";
  auto start = SteadyClock::now();
  uint64_t polls = 0;
  size_t present = 0;
  for (;;) {
    ++polls;
    Result<store::ListPage> all = store::ListAll(**s3, {.prefix = prefix});
    if (!all.ok()) {
      fmt::print(stderr, "await: {}\n", all.status().ToString());
      return 1;
    }
    std::unordered_map<std::string, uint64_t> listed;
    for (const auto& o : all->objects) listed[o.key] = o.size;
    present = 0;
    for (const auto& [key, size] : *want) {
      auto it = listed.find(key);
      if (it != listed.end() && it->second == size) ++present;
    }
    if (present == want->size()) break;
    if (SecondsSince(start) > e.timeout) {
      fmt::print(stderr, "await: after {:.0f} s only {} of {} objects are listed with their size\n",
                 e.timeout, present, want->size());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double end_epoch = EpochNow();
  fmt::print(R"({{"objects":{},"seconds":{:.4f},"polls":{},"end_epoch":{:.4f}}})"
             "\n",
             present, SecondsSince(start), polls, end_epoch);
  return 0;
}

// Reads every expected object back (in 16 MiB ranges) and compares it with its content.
int RunVerify(const Expected& e) {
  Result<std::vector<std::pair<std::string, uint64_t>>> want = ExpectedObjects(e);
  SystemClock clock;
  Result<std::unique_ptr<store::S3Store>> s3 = OpenS3(e.conn, &clock);
  if (!want.ok() || !s3.ok()) {
    fmt::print(stderr, "verify: {}\n", (!want.ok() ? want.status() : s3.status()).ToString());
    return 1;
  }
  constexpr uint64_t kRange = 16 << 20;
  struct Range {
    size_t object;
    uint64_t offset;
    uint64_t length;
  };
  std::vector<Range> pieces;
  for (size_t i = 0; i < want->size(); ++i) {
    const uint64_t size = (*want)[i].second;
    for (uint64_t off = 0; off < size; off += kRange)
      pieces.push_back({i, off, std::min(kRange, size - off)});
  }
  std::atomic<uint64_t> bytes{0};
  Status s = ParallelFor(pieces.size(), e.threads, "verify", [&](uint64_t i) -> Status {
    const Range& p = pieces[i];
    const auto& [key, size] = (*want)[p.object];
    AVA_ASSIGN_OR_RETURN(store::GetResult r,
                         (*s3)->Get({.key = key, .offset = p.offset, .length = p.length}));
    if (r.info.size != size)
      return Status::Corruption(fmt::format("{} has {} bytes, expected {}", key, r.info.size, size));
    if (r.data != Content(key, p.offset, p.length))
      return Status::Corruption(
          fmt::format("{} differs in bytes {}..{}", key, p.offset, p.offset + p.length));
    bytes.fetch_add(r.data.size());
    return Status::OK();
  });
  if (!s.ok()) {
    fmt::print(stderr, "verify: s3://{}: {}\n", e.conn.bucket, s.ToString());
    return 1;
  }
  fmt::print(R"({{"objects":{},"bytes":{},"ok":true}})"
             "\n",
             want->size(), bytes.load());
  return 0;
}

// An empty bucket: created if missing, every object deleted otherwise.
int RunReset(const Connection& conn) {
  SystemClock clock;
  Result<std::unique_ptr<store::S3Store>> s3 = OpenS3(conn, &clock);
  Status s = s3.status();
  if (s.ok()) s = (*s3)->CheckBucket().ok() ? (*s3)->DeleteAll() : (*s3)->CreateBucket();
  if (!s.ok()) {
    fmt::print(stderr, "reset: s3://{}: {}\n", conn.bucket, s.ToString());
    return 1;
  }
  return 0;
}

void AddExpected(CLI::App* cmd, Expected* e) {
  cmd->add_option("--big-size", e->big_size, "Size of big/big.bin (0: no big file).");
  cmd->add_option("--small-count", e->small_count, "Number of small files small/dNNN/fNNNNN.bin.");
  cmd->add_option("--small-size", e->small_size, "Size of each small file (default 100KiB).");
}

void AddConnection(CLI::App* cmd, Connection* conn) {
  cmd->add_option("--endpoint", conn->endpoint, "S3 endpoint, e.g. http://127.0.0.1:7490")->required();
  cmd->add_option("--bucket", conn->bucket, "Bucket name")->required();
}

}  // namespace
}  // namespace ava::bench

int main(int argc, char** argv) {
  using namespace ava::bench;
  CLI::App app{
      "S3 side of the avafs benchmarks: dataset upload, raw multi-stream GET/PUT baselines, checks of what "
      "mounts wrote.",
      "avafs_bench_s3"};
  app.require_subcommand(1);

  FillArgs fill;
  CLI::App* fill_cmd = app.add_subcommand("fill", "Upload the benchmark dataset (and write a local copy).");
  AddConnection(fill_cmd, &fill.conn);
  fill_cmd->add_option("--local", fill.local_dir, "Also write the same files under this directory.");
  fill_cmd->add_option("--big-size", fill.big_size, "Size of big/big.bin (default 1GiB).");
  fill_cmd->add_option("--small-count", fill.shape.small_count, "Number of small files (default 10000).");
  fill_cmd->add_option("--small-size", fill.small_size, "Size of each small file (default 100KiB).");
  fill_cmd->add_option("--tiny-count", fill.shape.tiny_count,
                       "Number of tiny objects for ls -R (default 100000).");
  fill_cmd->add_option("--tiny-size", fill.shape.tiny_size,
                       "Size of each tiny object in bytes (default 64).");
  fill_cmd->add_option("--part-size", fill.part_size, "Multipart part size of the big file (default 64MiB).");
  fill_cmd->add_option("--threads", fill.threads, "Parallel uploads (default 16).")
      ->check(CLI::Range(1, 256));
  fill_cmd->add_flag("--skip-s3", fill.skip_s3, "Only write the local copy.");

  GetArgs get;
  CLI::App* get_cmd = app.add_subcommand("get", "Fetch one object with K parallel ranged GETs; print JSON.");
  AddConnection(get_cmd, &get.conn);
  get_cmd->add_option("--key", get.key, "Object key")->required();
  get_cmd->add_option("--streams", get.streams, "Parallel ranged GETs (default 8).")
      ->check(CLI::Range(1, 256));
  get_cmd->add_option("--part-size", get.part_size, "Bytes per ranged GET (default 8MiB).");

  Connection many_conn;
  std::string many_list;
  int many_threads = 8;
  CLI::App* many_cmd = app.add_subcommand("get-many", "GET every listed key whole, N at once; print JSON.");
  AddConnection(many_cmd, &many_conn);
  many_cmd->add_option("--list", many_list, "File with one key per line.")->required();
  many_cmd->add_option("--threads", many_threads, "Parallel GETs (default 8).")->check(CLI::Range(1, 256));

  Connection list_conn;
  std::string list_prefix;
  CLI::App* list_cmd =
      app.add_subcommand("list", "List every key under a prefix (flat, all pages); print JSON.");
  AddConnection(list_cmd, &list_conn);
  list_cmd->add_option("--prefix", list_prefix, "Key prefix, e.g. tree/")->required();

  Connection put_conn;
  std::string put_size = "1GiB";
  std::string put_part = "16MiB";
  int put_streams = 8;
  CLI::App* put_cmd =
      app.add_subcommand("put", "PUT big/big.bin as a multipart upload, K parts at once; print JSON.");
  AddConnection(put_cmd, &put_conn);
  put_cmd->add_option("--size", put_size, "Bytes to write (default 1GiB).");
  put_cmd->add_option("--streams", put_streams, "Parts in flight (default 8).")->check(CLI::Range(1, 256));
  put_cmd->add_option("--part-size", put_part, "Bytes per part (default 16MiB, at least 5MiB).");

  Connection pm_conn;
  uint64_t pm_count = 10000;
  std::string pm_size = "100KiB";
  int pm_threads = 8;
  CLI::App* pm_cmd = app.add_subcommand("put-many", "PUT COUNT small files, N at once; print JSON.");
  AddConnection(pm_cmd, &pm_conn);
  pm_cmd->add_option("--count", pm_count, "Number of files (default 10000).");
  pm_cmd->add_option("--size", pm_size, "Size of each file (default 100KiB).");
  pm_cmd->add_option("--threads", pm_threads, "Parallel PUTs (default 8).")->check(CLI::Range(1, 256));

  Expected await;
  CLI::App* await_cmd =
      app.add_subcommand("await", "Poll listings until every expected object is there with its size.");
  AddConnection(await_cmd, &await.conn);
  AddExpected(await_cmd, &await);
  await_cmd->add_option("--timeout", await.timeout, "Seconds before giving up (default 600).");

  Expected verify;
  CLI::App* verify_cmd = app.add_subcommand("verify", "GET every expected object and compare its bytes.");
  AddConnection(verify_cmd, &verify.conn);
  AddExpected(verify_cmd, &verify);
  verify_cmd->add_option("--threads", verify.threads, "Parallel GETs (default 8).")
      ->check(CLI::Range(1, 256));

  Connection reset_conn;
  CLI::App* reset_cmd =
      app.add_subcommand("reset", "Create the bucket if missing, else delete every object.");
  AddConnection(reset_cmd, &reset_conn);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (fill_cmd->parsed()) return RunFill(fill);
  if (many_cmd->parsed()) return RunGetMany(many_conn, many_list, many_threads);
  if (list_cmd->parsed()) return RunList(list_conn, list_prefix);
  if (put_cmd->parsed()) return RunPut(put_conn, put_size, put_streams, put_part);
  if (pm_cmd->parsed()) return RunPutMany(pm_conn, pm_count, pm_size, pm_threads);
  if (await_cmd->parsed()) return RunAwait(await);
  if (verify_cmd->parsed()) return RunVerify(verify);
  if (reset_cmd->parsed()) return RunReset(reset_conn);
  return RunGet(get);
}

// Ranged-GET throughput of the object stores, the shape of avafs's read path: many threads reading
// 1–8 MiB ranges of large objects. The S3 cases run against $AVA_S3_ENDPOINT (a real RGW: eval
// "$(scripts/ceph-s3.sh env)") in a fresh bucket deleted afterwards; without it they are skipped.
//
//   build/bin/store_bench --benchmark_min_time=2s
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/file_util.h"
#include "store/credentials.h"
#include "store/curl_transport.h"
#include "store/memory_store.h"
#include "store/posix_store.h"
#include "store/s3_store.h"

namespace ava::store {
namespace {

constexpr uint64_t kObjectSize = 64 << 20;
constexpr int kObjects = 4;

Status Fill(ObjectStore& store) {
  std::string data(kObjectSize, '\0');
  std::mt19937_64 rng(1);
  for (size_t i = 0; i + 8 <= data.size(); i += 8) {
    uint64_t v = rng();
    std::memcpy(&data[i], &v, 8);
  }
  for (int i = 0; i < kObjects; ++i)
    AVA_RETURN_IF_ERROR(store.Put(fmt::format("bench/obj{}", i), data).status());
  return Status::OK();
}

void RangedGet(benchmark::State& state, ObjectStore* store) {
  const uint64_t range = static_cast<uint64_t>(state.range(0));
  std::mt19937_64 rng(static_cast<uint64_t>(state.thread_index()) + 7);
  uint64_t bytes = 0;
  for (auto _ : state) {
    GetRequest req{.key = fmt::format("bench/obj{}", rng() % kObjects),
                   .offset = (rng() % (kObjectSize / range)) * range,
                   .length = range};
    Result<GetResult> r = store->Get(req);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    bytes += r->data.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void Register(const std::string& name, ObjectStore* store) {
  for (int threads : {1, 8}) {
    benchmark::RegisterBenchmark((name + "/RangedGet").c_str(), RangedGet, store)
        ->Arg(1 << 20)
        ->Arg(4 << 20)
        ->Arg(8 << 20)
        ->Threads(threads)
        ->UseRealTime();
  }
}

}  // namespace
}  // namespace ava::store

int main(int argc, char** argv) {
  using namespace ava;
  using namespace ava::store;
  benchmark::Initialize(&argc, argv);
  SystemClock clock;

  MemoryStore mem("bench", &clock);
  if (Status s = Fill(mem); !s.ok()) return fmt::print(stderr, "{}\n", s.ToString()), 1;
  Register("Memory", &mem);

  char tmpl[] = "/tmp/ava-store-bench-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto posix = PosixStore::Open(dir);
  if (!posix.ok() || !Fill(**posix).ok()) return fmt::print(stderr, "posix store set-up failed\n"), 1;
  Register("Posix", posix->get());

  std::unique_ptr<S3Store> s3;
  const char* endpoint = std::getenv("AVA_S3_ENDPOINT");
  if (endpoint != nullptr && *endpoint != '\0') {
    auto creds = ResolveCredentials({}, ProcessEnv());
    std::random_device rd;
    S3StoreOptions options{.bucket = fmt::format("ava-bench-{:08x}", rd()), .endpoint = endpoint};
    if (creds.ok()) options.credentials = *creds;
    auto made = S3Store::Create(options, std::make_unique<CurlTransport>(), &clock, nullptr);
    if (made.ok() && (*made)->CreateBucket().ok() && Fill(**made).ok()) {
      s3 = std::move(made).value();
      Register("S3", s3.get());
    } else {
      fmt::print(stderr, "S3 set-up failed; S3 cases skipped\n");
    }
  } else {
    fmt::print(stderr, "AVA_S3_ENDPOINT is not set; S3 cases skipped\n");
  }

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (s3) {
    s3->DeleteAll().IgnoreError();
    s3->DeleteBucket().IgnoreError();
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}

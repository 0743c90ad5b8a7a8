// AvafsConfig: everything one avafs mount is configured with, read from one YAML file (the mount
// table) and overridden by command-line flags. Each part owns its struct: the cache
// (cache/cache_config.h), each store (store/store_config.h), the read path (ReadConfig below).
//
//   metadata_ttl: 60s          # indefinite | minimal | a duration
//   control: 127.0.0.1:0       # the daemon's HTTP endpoint (/metrics, /stats, /warm); port 0 = any
//   read:
//     block_size: 1MiB         # unit of caching and of ranged GETs
//     max_request: 8MiB        # largest single ranged GET (several blocks)
//     max_readahead: 64MiB     # largest readahead window of one sequential reader
//     fetch_buffers: 256MiB    # bound on bytes being fetched, shared by all readers and warm-up
//     fetch_threads: 32        # parallel ranged GETs
//   cache: { ram_capacity: 1GiB, ssd_dir: /var/cache/avafs, ssd_capacity: 50GiB }
//   mounts:
//     - name: imagenet         # a directory under the mount point
//       store: { uri: "s3://datasets", endpoint: "http://127.0.0.1:7480" }
//       prefix: imagenet/      # optional: only keys under this prefix, without it
//     - name: scratch
//       store: { uri: "file:///data/scratch" }
//     - name: outputs          # a writable mount (docs/avafs.md, "Writing")
//       store: { uri: "s3://results", endpoint: "https://s3.example" }   # the cloud store (optional)
//       writable:
//         durable: { uri: "s3://outputs", endpoint: "http://rgw:7480" }  # or file:///var/lib/avafs/durable
//         state_dir: /var/lib/avafs/outputs   # journal + staging files, local disk
//         upload_delay: 30s
//         durable_capacity: 100GiB            # 0 = unlimited
//         durable_high_watermark: 0.8
//         durable_low_watermark: 0.6
//         upload_threads: 4
//         upload_part_size: 16MiB
//         staging_memory: 64MiB               # RAM for small files being written; 0 = on disk
//
// Errors name the file, line and problem. The daemon's memory is bounded by cache.ram_capacity +
// read.fetch_buffers + the staging_memory of each writable mount.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cache/cache_config.h"
#include "common/result.h"
#include "fs/metadata_ttl.h"
#include "fs/write_back.h"
#include "store/store_config.h"

namespace ava::fs {

struct ReadConfig {
  uint64_t block_size = 1ull << 20;
  uint64_t max_request = 8ull << 20;
  uint64_t max_readahead = 64ull << 20;
  uint64_t fetch_buffers = 256ull << 20;
  int fetch_threads = 32;
  Status Validate() const;
};

struct WritableSpec {
  store::StoreConfig durable;
  WritebackConfig writeback;
};

struct MountSpec {
  std::string name;
  std::optional<store::StoreConfig> store;  // absent only for a durable-only writable mount
  std::string prefix;
  std::optional<WritableSpec> writable;
};

struct AvafsConfig {
  std::string source;  // the file it was read from, for messages
  MetadataTtl metadata_ttl;
  std::string control_address = "127.0.0.1:0";
  ReadConfig read;
  cache::CacheConfig cache;
  std::vector<MountSpec> mounts;
  Status Validate() const;
};

Result<AvafsConfig> LoadAvafsConfig(const std::string& path);
Result<AvafsConfig> ParseAvafsConfig(const std::string& text, const std::string& source);

}  // namespace ava::fs

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
//
// Errors name the file, line and problem. The one global memory bound is
// cache.ram_capacity + read.fetch_buffers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cache/cache_config.h"
#include "common/result.h"
#include "fs/metadata_ttl.h"
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

struct MountSpec {
  std::string name;
  store::StoreConfig store;
  std::string prefix;
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

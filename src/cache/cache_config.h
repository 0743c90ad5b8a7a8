// CacheConfig: the tiered block cache's settings — a capacity and high/low watermarks per tier,
// the SSD directory, and the knobs of the background threads — with defaults, validation, and one
// table of option names shared by the YAML file and command-line flags.
//
//   cache:                      # the mapping ParseCacheConfig reads
//     ram_capacity: 4GiB
//     ram_high_watermark: 0.9
//     ram_low_watermark: 0.7
//     ssd_dir: /var/cache/avafs
//     ssd_capacity: 200GiB
//     ssd_high_watermark: 0.9
//     ssd_low_watermark: 0.8
//
// Errors: Validate and SetCacheOption return InvalidArgument naming the option and the bad value;
// ParseCacheConfig prefixes "file:line:col:". Nothing here throws (yaml-cpp is caught).
// Thread safety: plain values; the functions touch only their arguments.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "common/yaml_config.h"

namespace ava::cache {

struct TierConfig {
  uint64_t capacity_bytes = 0;  // 0 disables the tier
  double high_watermark = 0.9;  // background eviction starts above capacity * high
  double low_watermark = 0.7;   // ... and stops at capacity * low
};

struct CacheConfig {
  TierConfig ram{.capacity_bytes = 1ull << 30, .high_watermark = 0.9, .low_watermark = 0.7};
  TierConfig ssd{.capacity_bytes = 0, .high_watermark = 0.9, .low_watermark = 0.8};
  std::string ssd_dir;  // required when ssd.capacity_bytes > 0; created 0700

  // How often the background evictor wakes up when nobody signals it (an insert that crosses a
  // tier's high watermark wakes it at once).
  Nanos evict_interval = std::chrono::milliseconds(100);
  // fsync every SSD block file before it is renamed into place. Off by default: a cache can
  // re-fetch anything, and a block torn by a power cut fails its checksum and reads as a miss.
  bool ssd_fsync = false;
  // Threads that write blocks to the SSD tier, and the bound on bytes waiting for them: when the
  // queue is full an SSD write is dropped (counted), so Insert never blocks on the disk and memory
  // stays bounded.
  int ssd_writer_threads = 2;
  uint64_t ssd_write_queue_bytes = 64ull << 20;
  // The SSD index journal is compacted when it is larger than twice its live records and than this.
  uint64_t ssd_journal_compact_min_bytes = 4ull << 20;

  // Validates ranges (0 <= low <= high <= 1, ssd_dir set when the SSD tier is on, …).
  Status Validate() const;
};

// The option names accepted by SetCacheOption and ParseCacheConfig (ram_capacity, ssd_dir, …).
std::vector<std::string_view> CacheOptionNames();

// Sets one option from its text form ("4GiB", "0.9", "250ms", "true"), as a flag parser would:
// `--cache-ram-capacity=4GiB` → SetCacheOption(&c, "ram_capacity", "4GiB"). Unknown names fail
// with a "did you mean" hint. Does not validate the whole config; call Validate afterwards.
Status SetCacheOption(CacheConfig* config, std::string_view name, std::string_view value);

// Reads a cache mapping (keys as in CacheOptionNames) over the defaults and validates the result.
// Errors name the file, line and column.
Result<CacheConfig> ParseCacheConfig(const YamlDoc& doc, const YAML::Node& map);

}  // namespace ava::cache

// ControlServer: the avafs daemon's HTTP endpoint on loopback, found by clients through the
// user.avafs.control xattr of any path in the mount.
//   GET  /metrics  Prometheus text (every avafs_* metric)
//   GET  /stats    JSON: cache tiers, memory, backend requests, metadata cache (what `avafs stats` shows)
//   POST /warm     JSON {"paths": [...], "metadata_only": false, "parallel": 16}; answers with
//                  JSON lines of progress, the last one with "done": true (what `avafs warm` shows)
//   POST /flush    JSON {"path": "/outputs/run1", "timeout_seconds": 600}: uploads every pending change
//                  under the path to the cloud store now and answers when they are done (`avafs flush`)
//
// Thread safety: handlers run on the HTTP server's threads; everything they touch is thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cache/tiered_cache.h"
#include "common/http_server.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "fs/file_system.h"
#include "fs/memory_budget.h"
#include "fs/warmer.h"

namespace ava::fs {

class ControlServer {
 public:
  ControlServer(FileSystem* fs, Warmer* warmer, cache::TieredCache* cache, MemoryBudget* budget,
                MetricsRegistry* metrics, Logger* logger);
  // Listens on `address` ("127.0.0.1:0" picks a free port). Returns "host:port" actually bound.
  Result<std::string> Start(const std::string& address);
  void Stop() { http_.Stop(); }

  nlohmann::json StatsJson() const;

 private:
  void RegisterHandlers();

  FileSystem* fs_;
  Warmer* warmer_;
  cache::TieredCache* cache_;
  MemoryBudget* budget_;
  MetricsRegistry* metrics_;
  Logger* logger_;
  HttpServer http_;
};

// The progress record sent on /warm, also parsed back by the client.
nlohmann::json WarmProgressJson(const WarmProgress& p);
WarmProgress WarmProgressFromJson(const nlohmann::json& j);

}  // namespace ava::fs

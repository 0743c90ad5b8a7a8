// AvadConfig: everything avad is told — where it listens, where its database is, the timing of the
// agent protocol, the placement policy — from `avad --config avad.yaml` and flags (a flag wins over
// the file, the file over the defaults). docs/avad.md lists every key.
//
//   listen: 0.0.0.0:7070
//   state_dir: /var/lib/ava          # holds ava.db when db is not given
//   db: sqlite:///var/lib/ava/ava.db # or postgres://ava@db1/ava
//   node_timeout: 30s
//   heartbeat_interval: 5s
//   start_timeout: 2m
//   schedule_interval: 2s
//   scheduler_policy: ava
//   requeue_preempted: true
//   admin: admin
//   log_level: info
//   log_file: ""                     # "" = stderr
//
// Errors: LoadAvadConfig returns NotFound for a missing file and InvalidArgument "file:line:col: …"
// naming the key for a bad value or an unknown key; Validate() InvalidArgument naming the setting.
// Thread safety: a plain value.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/logging.h"
#include "common/result.h"

namespace ava::avad {

struct AvadConfig {
  std::string listen = "0.0.0.0:7070";
  std::string state_dir = "/var/lib/ava";
  std::string db;  // "" = sqlite://<state_dir>/ava.db
  Nanos node_timeout = std::chrono::seconds(30);
  Nanos heartbeat_interval = std::chrono::seconds(5);
  Nanos start_timeout = std::chrono::minutes(2);
  Nanos schedule_interval = std::chrono::seconds(2);
  std::string scheduler_policy = "ava";
  bool requeue_preempted = true;
  std::string admin = "admin";
  LogLevel log_level = LogLevel::kInfo;
  std::string log_file;

  // The database URL to open: `db`, or the SQLite file in state_dir.
  std::string DatabaseUrl() const;
  Status Validate() const;
};

// Reads `path` over `*config` (keys absent from the file keep their value).
Status LoadAvadConfig(const std::string& path, AvadConfig* config);

}  // namespace ava::avad

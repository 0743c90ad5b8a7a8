// StoreOptions: what every Store implementation is built with. Defaults suit avad.
#pragma once

#include <chrono>
#include <cstddef>

#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"

namespace ava::db {

struct StoreOptions {
  // Source of every stored time. nullptr: the store uses a SystemClock of its own.
  Clock* clock = nullptr;
  // Retries and reconnects are logged here (component "db"); nullptr: silent.
  Logger* logger = nullptr;
  // Per-operation metrics go here; nullptr: none. Exported:
  //   ava_db_op_seconds{backend,op}         histogram of whole-transaction latency (retries included)
  //   ava_db_op_errors_total{backend,op,code}  calls that returned an error
  //   ava_db_retries_total{backend}         transactions run again after a retryable error
  // Latency is measured with `clock` (monotonic), so a FakeClock gives zeros.
  MetricsRegistry* metrics = nullptr;
  // Connections kept open. SQLite in memory always uses exactly one (each connection would be a
  // database of its own); a SQLite file uses several so readers do not wait for the writer.
  size_t max_connections = 4;
  // SQLite: how long a writer waits for another writer's lock before Unavailable.
  Nanos busy_timeout = std::chrono::seconds(5);
  // PostgreSQL: how long to wait for a connection (libpq connect_timeout, whole seconds).
  Nanos connect_timeout = std::chrono::seconds(5);
  // Whole-transaction attempts when the database says "try again" (lock timeout, serialization
  // failure, deadlock, connection lost before commit).
  int max_attempts = 3;
};

}  // namespace ava::db

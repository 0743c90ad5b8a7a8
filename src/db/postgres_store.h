// PostgresStore: the Store for a control plane that several machines share — a PostgreSQL
// database reached through a small pool of libpq connections, migrated to the current schema when
// opened. See sql_store.h for transactions and store.h for the contract.
//
// A dropped connection (server restart, failover, idle timeout) is replaced on the next call; a
// transaction that lost its connection before COMMIT is run again on a fresh one. When the server
// cannot be reached the call fails with Unavailable naming host, port and database.
//
// Errors at open: Unavailable when the server cannot be reached, FailedPrecondition when a newer
// Ava wrote the schema.
// Thread safety: all methods are safe for concurrent use.
#pragma once

#include <memory>
#include <string>

#include "db/sql_store.h"

namespace ava::db {

class PostgresStore final : public SqlStore {
 public:
  // `conninfo`: a postgres:// URL or a libpq "key=value ..." string.
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& conninfo,
                                                     const StoreOptions& options);

 private:
  PostgresStore(std::unique_ptr<ConnectionPool> pool, const StoreOptions& options)
      : SqlStore(std::move(pool), Dialect::kPostgres, options) {}
};

}  // namespace ava::db

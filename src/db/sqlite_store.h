// SqliteStore: the embedded Store — one SQLite file (or a private in-memory database), migrated to
// the current schema when opened. See sql_store.h for transactions and store.h for the contract.
//
// A file database uses up to StoreOptions::max_connections connections (WAL mode: readers run
// while one writer writes; writers queue on busy_timeout), so several threads and even several
// processes may share the file. ":memory:" uses one connection, which serialises all calls.
//
// Errors at open: IOError when the file cannot be opened or created, Corruption when it is not a
// SQLite database, FailedPrecondition when a newer Ava wrote its schema.
// Thread safety: all methods are safe for concurrent use.
#pragma once

#include <memory>
#include <string>

#include "db/sql_store.h"

namespace ava::db {

class SqliteStore final : public SqlStore {
 public:
  static constexpr const char* kMemory = ":memory:";

  // `path`: a file path, or kMemory.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, const StoreOptions& options);

  const std::string& path() const { return path_; }

 private:
  SqliteStore(std::unique_ptr<ConnectionPool> pool, std::string path, const StoreOptions& options)
      : SqlStore(std::move(pool), Dialect::kSqlite, options), path_(std::move(path)) {}

  std::string path_;
};

}  // namespace ava::db
